import { HUB_LOCATION, HUB_NODE, type InventoryEvent } from '@stocknerve/domain';
import { eventFactory } from '@stocknerve/domain/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { emptyEffects, ViewWriter } from '../projector/view-writer.js';
import { ensureViewSchema } from '../store/schema.js';
import { openSqliteStore, type SqlStore, type SqlValue } from '../store/sql-store.js';
import { availabilityJsonOf, availabilityOf } from './availability.js';
import { readMemoOf } from './read-memo.js';

const T0 = Date.UTC(2026, 5, 1, 12);
const POLICY = { staleAfterMs: 300_000, stalePolicy: 'buffer', staleBufferUnits: 2 } as const;

describe('remembered availability answers', () => {
  let db: SqlStore;
  let writer: ViewWriter;
  let streamSeq = 0;
  const hub = eventFactory({ location: HUB_LOCATION, node: HUB_NODE, startMs: T0 - 60_000 });
  const till = eventFactory({ location: 'store-1', node: 'store-1-t1', startMs: T0 - 30_000 });
  const apply = (...events: InventoryEvent[]) =>
    db.transaction(() => {
      for (const e of events) writer.apply(e, ++streamSeq, T0, emptyEffects());
      writer.flushPending();
    });
  const atp = (nowMs: number) => availabilityOf(db, POLICY, nowMs, ['sku-1'], ['web'])[0]?.channels[0]?.atp;

  beforeEach(() => {
    db = openSqliteStore(':memory:');
    ensureViewSchema(db);
    writer = new ViewWriter(db);
    apply(
      hub.next({
        type: 'LocationDefined',
        data: { location: 'store-1', region: 'north', kind: 'store', name: 'Store 1' },
      }),
      till.next({ type: 'GoodsReceived', data: { purchaseOrderId: 'po-1', lines: [{ sku: 'sku-1', qty: 10 }] } }),
    );
  });

  it('shows a sale committed after the answer was remembered, at the same instant', () => {
    expect(atp(T0)).toBe(10);
    apply(
      till.next({
        type: 'SaleRecorded',
        data: {
          receiptId: 'r-1',
          currency: 'EUR',
          totalCents: 300,
          lines: [{ sku: 'sku-1', qty: 3, unitPriceCents: 100 }],
        },
      }),
    );
    expect(atp(T0)).toBe(7);
  });

  it('is remembered for less than a second, and says when it was computed', () => {
    const first = availabilityOf(db, POLICY, T0, ['sku-1'], ['web'])[0];
    expect(availabilityOf(db, POLICY, T0 + 749, ['sku-1'], ['web'])[0]).toBe(first);
    const later = availabilityOf(db, POLICY, T0 + 1000, ['sku-1'], ['web'])[0];
    expect(later).not.toBe(first);
    expect(later?.asOf).toBe(new Date(T0 + 1000).toISOString());
    // A clock that went back does not serve an answer "from the future".
    expect(availabilityOf(db, POLICY, T0 + 500, ['sku-1'], ['web'])[0]?.asOf).toBe(new Date(T0 + 500).toISOString());
  });

  it('keeps each answer for a random 75-100 % of a second, so a catalogue is not recomputed all at once', () => {
    const skus = Array.from({ length: 400 }, (_, i) => `sku-${i}`);
    const first = availabilityOf(db, POLICY, T0, skus, ['web']);
    const kept = (atMs: number) =>
      availabilityOf(db, POLICY, atMs, skus, ['web']).filter((a, i) => a === first[i]).length;
    expect(kept(T0 + 749)).toBe(skus.length);
    // Uniform over 750-1000 ms: about half are computed again by 875 ms (400 draws: 150-250 is ±5 σ).
    const halfway = kept(T0 + 875);
    expect(halfway).toBeGreaterThan(150);
    expect(halfway).toBeLessThan(250);
    expect(kept(T0 + 1000)).toBe(0);
  });

  it('keeps its answers through heartbeats, and shows what they say within a second', () => {
    const before = availabilityOf(db, POLICY, T0, ['sku-1'], ['web'])[0];
    const heartbeat = (atMs: number) =>
      db.runLive(
        `INSERT INTO node_heartbeats (node, location, region, last_heartbeat_ms, pending) VALUES ('store-1-t1', 'store-1', 'north', ?, 0)
         ON CONFLICT (node) DO UPDATE SET last_heartbeat_ms = excluded.last_heartbeat_ms`,
        atMs,
      );
    heartbeat(T0 + 5);
    // A network of nodes heartbeats many times a second: each one must not clear every answer.
    expect(availabilityOf(db, POLICY, T0 + 10, ['sku-1'], ['web'])[0]).toBe(before);
    const later = availabilityOf(db, POLICY, T0 + 1000, ['sku-1'], ['web'])[0];
    expect(later?.locations[0]?.lastHeardAt).toBe(new Date(T0 + 5).toISOString());
    expect(before?.locations[0]?.lastHeardAt).not.toBe(later?.locations[0]?.lastHeardAt);
  });

  it('brings a stale store back within a second of its heartbeat', () => {
    const staleAt = T0 + POLICY.staleAfterMs + 60_000;
    expect(availabilityOf(db, POLICY, staleAt, ['sku-1'], ['web'])[0]?.staleLocations).toHaveLength(1);
    db.runLive(
      `INSERT INTO node_heartbeats (node, location, region, last_heartbeat_ms, pending) VALUES ('store-1-t1', 'store-1', 'north', ?, 0)`,
      staleAt + 100,
    );
    expect(availabilityOf(db, POLICY, staleAt + 1100, ['sku-1'], ['web'])[0]?.staleLocations).toEqual([]);
  });

  it('recomputes an aged answer from the figures it read, until a write changes them', () => {
    const reads: string[] = [];
    const counted: SqlStore = {
      ...db,
      all: <T>(sql: string, ...params: SqlValue[]) => {
        if (sql.includes('FROM stock')) reads.push(sql);
        return db.all<T>(sql, ...params);
      },
    };
    expect(availabilityOf(counted, POLICY, T0, ['sku-1'], ['web'])[0]?.channels[0]?.atp).toBe(10);
    const later = availabilityOf(counted, POLICY, T0 + 5000, ['sku-1'], ['web'])[0];
    expect(later?.asOf).toBe(new Date(T0 + 5000).toISOString());
    expect(later?.locations[0]?.ageMs).toBe(5000);
    expect(reads).toHaveLength(1);
    db.run(`INSERT INTO network_reserved (sku, qty) VALUES ('sku-1', 4)`);
    const afterWrite = availabilityOf(counted, POLICY, T0 + 5000, ['sku-1'], ['web'])[0];
    expect(afterWrite?.networkReserved).toBe(4);
    expect(afterWrite?.channels[0]?.atp).toBe(6);
    expect(reads).toHaveLength(2);
  });

  it('forgets answers on any other write', () => {
    const memo = readMemoOf(db);
    memo.current().get('k', () => 1);
    db.run(`INSERT INTO dead_letters (reason, count) VALUES ('invalid-json', 1)`);
    expect(memo.current().get('k', () => 2)).toBe(2);
  });

  it('forgets answers when tables are dropped and recreated (a rebuild)', () => {
    const memo = readMemoOf(db);
    memo.current().get('k', () => 1);
    db.exec('DROP TABLE IF EXISTS scratch; CREATE TABLE scratch (x)');
    expect(memo.current().get('k', () => 2)).toBe(2);
  });

  it('serves the same answers as JSON, in request order, with unknown SKUs as zeros', () => {
    const skus = ['sku-unknown', 'sku-1'];
    const json = availabilityJsonOf(db, POLICY, T0, skus, ['web']).map((b) => JSON.parse(b.toString('utf8')));
    expect(json).toEqual(JSON.parse(JSON.stringify(availabilityOf(db, POLICY, T0, skus, ['web']))));
    expect(json.map((a) => a.channels[0].atp)).toEqual([0, 10]);
  });

  it('keeps answers per channel list', () => {
    const web = availabilityOf(db, POLICY, T0, ['sku-1'], ['web'])[0];
    const both = availabilityOf(db, POLICY, T0, ['sku-1'], ['web', 'market'])[0];
    expect(web?.channels.map((c) => c.channel)).toEqual(['web']);
    expect(both?.channels.map((c) => c.channel)).toEqual(['web', 'market']);
  });
});
