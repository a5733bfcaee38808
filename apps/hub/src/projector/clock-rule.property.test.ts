import {
  clockVerdictOf,
  foldStoredEvents,
  HUB_LOCATION,
  HUB_NODE,
  type InventoryEvent,
  initialInventoryState,
  stockFiguresOf,
} from '@stocknerve/domain';
import {
  CLOCK_WORLD_LOCATION,
  CLOCK_WORLD_SKUS,
  type ClockWorld,
  clockWorldArb,
  eventFactory,
  FAST_NODE,
  skewBeyond,
} from '@stocknerve/domain/testing';
import { hubEventSubject, storeEventSubject } from '@stocknerve/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ensureViewSchema } from '../store/schema.js';
import { openSqliteStore } from '../store/sql-store.js';
import { dumpViews, stockFiguresByCell } from '../views/dump-views.js';
import { nodeSyncStatuses } from '../views/node-status.js';
import { applyBatch, type StreamMessage } from './apply-batch.js';
import { ViewWriter } from './view-writer.js';

// The hub's SQL projection applies the clock rule exactly as the domain's pure fold does, judging
// each message by its store time, so a rebuild (any batch size) says what the live views said.

const BOUND = 5 * 60_000;
const encoder = new TextEncoder();

const defineStore = eventFactory({ location: HUB_LOCATION, node: HUB_NODE, startMs: Date.UTC(2026, 0, 1) }).next({
  type: 'LocationDefined',
  data: { location: CLOCK_WORLD_LOCATION, region: 'north', kind: 'store', name: 'Store 1' },
});

/** The world's stream as JetStream holds it: the store's definition first, then every event. */
const messagesOf = (world: ClockWorld): StreamMessage[] => [
  {
    subject: hubEventSubject(),
    seq: 1,
    storedMs: Date.UTC(2026, 0, 1),
    body: encoder.encode(JSON.stringify(defineStore)),
  },
  ...world.stream.map(({ event, storedMs }, i) => ({
    subject: storeEventSubject('north', event.location, event.node),
    seq: i + 2,
    storedMs,
    body: encoder.encode(JSON.stringify(event)),
  })),
];

const project = (messages: readonly StreamMessage[], batch: number) => {
  const db = openSqliteStore(':memory:');
  ensureViewSchema(db);
  const writer = new ViewWriter(db);
  const deadLetters: string[] = [];
  for (let i = 0; i < messages.length; i += batch)
    for (const dl of applyBatch(db, writer, messages.slice(i, i + batch), { maxClockSkewMs: BOUND }).deadLetters)
      deadLetters.push(dl.reason);
  return { db, deadLetters };
};

const worlds = fc.oneof(
  clockWorldArb({ skewMs: skewBeyond(BOUND), fastOnline: true }),
  clockWorldArb({ skewMs: [0, skewBeyond(BOUND)[1]], fastOnline: false }),
);

describe('the clock rule in the SQL views', () => {
  it('gives the pure fold’s figures, holds exactly the counts the rule holds, and flags the fast node', () => {
    fc.assert(
      fc.property(worlds, fc.integer({ min: 1, max: 12 }), (world, batch) => {
        const { db, deadLetters } = project(messagesOf(world), batch);
        const pure = foldStoredEvents(world.stream, initialInventoryState(), BOUND);
        const sql = stockFiguresByCell(db);
        for (const sku of CLOCK_WORLD_SKUS)
          expect(sql.get(`${CLOCK_WORLD_LOCATION}/${sku}`)?.onHand ?? 0, sku).toBe(
            stockFiguresOf(pure, sku, CLOCK_WORLD_LOCATION).onHand,
          );
        const verdicts = world.stream.map(({ event, storedMs }) => ({
          event,
          verdict: clockVerdictOf(event, storedMs, BOUND),
        }));
        expect(deadLetters).toEqual(verdicts.filter((v) => v.verdict.kind === 'held').map(() => 'clock-skew'));
        const fast = verdicts.filter((v) => v.event.node === FAST_NODE);
        const judged = fast.filter((v) => v.verdict.kind !== 'in-time');
        const status = nodeSyncStatuses(db, 0, 1).find((n) => n.node === FAST_NODE);
        if (judged.length === 0) expect(status?.clockSkew ?? null).toBeNull();
        else {
          const latest = fast[fast.length - 1] as { verdict: { kind: string } };
          expect(status?.clockSkew).toMatchObject({
            events: judged.length,
            current: latest.verdict.kind !== 'in-time',
          });
          expect(status?.flags).toEqual(latest.verdict.kind !== 'in-time' ? ['clock-skew'] : []);
        }
        // Held counts are admitted: their node seqs are not gaps the node would send again.
        const seqs = new Map<string, number>();
        for (const { event } of world.stream) seqs.set(event.node, Math.max(seqs.get(event.node) ?? 0, event.seq));
        for (const [node, seq] of seqs)
          expect(
            nodeSyncStatuses(db, 0, 1).find((n) => n.node === node),
            node,
          ).toMatchObject({ watermark: seq, gaps: [] });
        db.close();
      }),
      { numRuns: 100 },
    );
  });

  it('replays to identical views whatever the batch size (a rebuild judges by the same store times)', () => {
    fc.assert(
      fc.property(worlds, fc.integer({ min: 1, max: 12 }), (world, batch) => {
        const messages = messagesOf(world);
        const live = project(messages, batch);
        const rebuilt = project(messages, messages.length);
        expect(dumpViews(rebuilt.db)).toEqual(dumpViews(live.db));
        live.db.close();
        rebuilt.db.close();
      }),
      { numRuns: 60 },
    );
  });

  it('puts a placed sale’s day at its store time', () => {
    const sale: InventoryEvent = eventFactory({
      location: CLOCK_WORLD_LOCATION,
      node: FAST_NODE,
      startMs: Date.UTC(2099, 0, 1),
    }).next({
      type: 'SaleRecorded',
      data: {
        receiptId: 'R-1',
        currency: 'EUR',
        lines: [{ sku: 'SKU-A', qty: 2, unitPriceCents: 150 }],
        totalCents: 300,
      },
    });
    const storedMs = Date.UTC(2026, 5, 3, 12);
    const { db } = project(messagesOf({ skewMs: 0, steps: [], stream: [{ event: sale, storedMs }] }), 10);
    expect(db.all('SELECT day, units FROM daily_sales')).toEqual([{ day: '2026-06-03', units: 2 }]);
    expect(db.get<{ hlc: string }>('SELECT hlc FROM movements')?.hlc.slice(0, 15)).toBe(
      String(storedMs).padStart(15, '0'),
    );
    db.close();
  });
});
