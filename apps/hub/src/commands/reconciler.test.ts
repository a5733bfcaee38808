import { describe, expect, it } from 'vitest';
import { createLogger } from '../logger.js';
import { emptyEffects } from '../projector/view-writer.js';
import { ensureViewSchema } from '../store/schema.js';
import { openSqliteStore } from '../store/sql-store.js';
import type { CommandBus } from './command-bus.js';
import { Reconciler } from './reconciler.js';

// Which shrunk cells go to a reconciliation decision (the decision itself is the domain's
// reconcileStock, covered there and end to end in api-reservations.int.test.ts).
const setup = (cells: { sku: string; onHand: number; reserved: number }[]) => {
  const db = openSqliteStore(':memory:');
  ensureViewSchema(db);
  for (const c of cells)
    db.run(
      'INSERT INTO stock (location, sku, on_hand, reserved) VALUES (?, ?, ?, ?)',
      'store-1',
      c.sku,
      c.onHand,
      c.reserved,
    );
  const decided: string[] = [];
  const bus = { run: async (_decide: unknown, ctx: { causationId: string }) => void decided.push(ctx.causationId) };
  const reconciler = new Reconciler(db, bus as unknown as CommandBus, createLogger('silent'));
  return { reconciler, decided };
};

const shrink = (skus: string[]) => {
  const fx = emptyEffects();
  for (const sku of skus) fx.shrunk.set(`store-1/${sku}`, `sale-${sku}`);
  return fx;
};

describe('Reconciler: cells checked after a batch', () => {
  const many = Array.from({ length: 100 }, (_, i) => `sku-${i}`);

  for (const [name, skus] of [
    ['a small batch (point lookups)', ['sku-1', 'sku-2', 'sku-3']],
    ['a large batch (held cells read once)', many],
  ] as const)
    it(`checks only short cells where stock is held, in ${name}`, async () => {
      const { reconciler, decided } = setup([
        ...many.map((sku) => ({ sku, onHand: 0, reserved: 0 })),
        { sku: 'sku-short-held', onHand: 1, reserved: 2 },
        { sku: 'sku-held-ok', onHand: 5, reserved: 2 },
      ]);
      reconciler.onBatch(shrink([...skus, 'sku-short-held', 'sku-held-ok']));
      await new Promise((r) => setImmediate(r));
      expect(decided).toEqual(['sale-sku-short-held']);
    });

  it('falls back to lookups when more cells are held than shrank', async () => {
    const { reconciler, decided } = setup(many.map((sku, i) => ({ sku, onHand: i === 7 ? 0 : 9, reserved: 1 })));
    reconciler.onBatch(shrink(many.slice(0, 40)));
    await new Promise((r) => setImmediate(r));
    expect(decided).toEqual(['sale-sku-7']);
  });
});
