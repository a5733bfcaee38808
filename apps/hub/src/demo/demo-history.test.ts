import { stockHealthOf, velocityOf } from '@stocknerve/domain';
import { describe, expect, it } from 'vitest';
import { DEMO_LOCATIONS, DEMO_LOW_STOCK } from './demo-data.js';
import { DEMO_HISTORY_DAYS, demoHistory } from './demo-history.js';

const NOW = Date.parse('2026-12-07T15:30:00Z');

/** On hand and units sold per store SKU after the demo history, from its events alone. */
const figures = () => {
  const cells = new Map<string, { kind: 'store' | 'warehouse'; onHand: number; sold: number }>();
  for (const [li, l] of DEMO_LOCATIONS.entries())
    for (const e of demoHistory(li, NOW))
      for (const line of e.type === 'GoodsReceived' || e.type === 'SaleRecorded' ? e.data.lines : []) {
        const key = `${l.location}/${line.sku}`;
        const c = cells.get(key) ?? { kind: l.kind, onHand: 0, sold: 0 };
        if (e.type === 'GoodsReceived') c.onHand += line.qty;
        else {
          c.onHand -= line.qty;
          c.sold += line.qty;
        }
        cells.set(key, c);
      }
  return cells;
};

describe('demo history', () => {
  it('leaves a healthy network: no overstock or stockout, two store SKUs under 7 days of cover', () => {
    const cells = figures();
    const health = [...cells].map(([key, c]) => ({
      key,
      health: stockHealthOf({ ...c, safetyStock: key.endsWith('/SKU-1018') && c.kind === 'store' ? 1 : 0 }),
      cover: c.onHand / velocityOf(c.sold),
      kind: c.kind,
    }));
    expect(health.filter((h) => h.health !== 'healthy')).toEqual([]);
    const low = health.filter((h) => h.kind === 'store' && h.cover < 7).map((h) => h.key);
    expect(low.sort()).toEqual(DEMO_LOW_STOCK.map((c) => `${c.location}/${c.sku}`).sort());
  });

  it('sells in the window only, before now, with one seq per event from 1', () => {
    const from = NOW - DEMO_HISTORY_DAYS * 86_400_000;
    const events = demoHistory(0, NOW);
    expect(events[0]?.type).toBe('GoodsReceived');
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    for (const e of events.slice(1)) {
      expect(Date.parse(e.occurredAt)).toBeLessThan(NOW);
      expect(Date.parse(e.occurredAt)).toBeGreaterThan(from);
    }
    expect(new Set(events.map((e) => e.hlc)).size).toBe(events.length);
    expect(demoHistory(0, NOW)).toEqual(events);
  });
});
