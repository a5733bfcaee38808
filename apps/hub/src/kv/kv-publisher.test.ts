import { eventFactory, worldArb } from '@stocknerve/domain/testing';
import { type KvBucket, parseKvValue } from '@stocknerve/protocol';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../logger.js';
import { emptyEffects } from '../projector/view-writer.js';
import { ensureViewSchema } from '../store/schema.js';
import { openSqliteStore, type SqlStore } from '../store/sql-store.js';
import { projectEvents } from '../testing/project-events.js';
import { KvPublisher } from './kv-publisher.js';
import type { KvPut, KvSink } from './kv-sink.js';

// Pacing is logic over timers: the sink records puts instead of sending them (the NATS side of
// the publisher is covered by the hub and sync integration suites).
const recordingBuckets = () => {
  const puts: { at: number; key: string }[] = [];
  const buckets: KvSink = {
    putAll: async (batch) => {
      for (const p of batch) puts.push({ at: Date.now(), key: p.key });
      return batch.map(() => undefined);
    },
    close: () => undefined,
  };
  return { puts, buckets };
};

describe('KV publisher pacing', () => {
  let db: SqlStore;
  const cellChanged = (publisher: KvPublisher, sku: string) => {
    db.run('INSERT INTO stock (location, sku, on_hand) VALUES (?, ?, 1) ON CONFLICT DO NOTHING', 'store-1', sku);
    const fx = emptyEffects();
    fx.cells.add(`store-1/${sku}`);
    publisher.note(fx);
  };

  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
    db = openSqliteStore(':memory:');
    ensureViewSchema(db);
  });
  afterEach(() => vi.useRealTimers());

  it('flushes every flushMs while puts stay under the rate', async () => {
    const { puts, buckets } = recordingBuckets();
    const publisher = new KvPublisher(db, buckets, createLogger('silent'), 200, 1000);
    publisher.start();
    cellChanged(publisher, 'a');
    await vi.advanceTimersByTimeAsync(200);
    cellChanged(publisher, 'b');
    await vi.advanceTimersByTimeAsync(200);
    expect(puts.map((p) => [p.at, p.key])).toEqual([
      [200, 'store-1.a'],
      [400, 'store-1.b'],
    ]);
    await publisher.stop();
  });

  it('after a large flush, waits until its puts fit the rate, and coalesces changes meanwhile', async () => {
    const { puts, buckets } = recordingBuckets();
    const publisher = new KvPublisher(db, buckets, createLogger('silent'), 200, 20);
    publisher.start();
    for (let i = 0; i < 10; i++) cellChanged(publisher, `s${i}`);
    await vi.advanceTimersByTimeAsync(200);
    expect(puts).toHaveLength(10);
    // 10 puts at 20/s: the next flush comes 500 ms later, not 200 ms.
    cellChanged(publisher, 's1');
    cellChanged(publisher, 's1');
    await vi.advanceTimersByTimeAsync(499);
    expect(puts).toHaveLength(10);
    await vi.advanceTimersByTimeAsync(1);
    expect(puts.slice(10).map((p) => [p.at, p.key])).toEqual([[700, 'store-1.s1']]);
    await publisher.stop();
  });
});

describe('KV values', () => {
  it('every value published from views of generated worlds parses with its bucket schema', async () => {
    const buckets = new Set<KvBucket>();
    await fc.assert(
      fc.asyncProperty(worldArb({ hub: true }), async (world) => {
        // Master data first, from the hub (a seq range of its own, so it never meets the world's hub node).
        const hub = eventFactory({ location: 'hub', node: 'hub-master-data' });
        const masterData = [
          ...world.locations.map((location, i) =>
            hub.next({
              type: 'LocationDefined',
              data: { location, region: 'north', kind: 'store', name: `Store ${i}` },
            }),
          ),
          ...world.skus.map((sku) =>
            hub.next({ type: 'CatalogItemUpserted', data: { sku, name: sku, priceCents: 100, currency: 'EUR' } }),
          ),
        ];
        const db = projectEvents([...masterData, ...world.streams.flat()]);
        const sent: KvPut[] = [];
        const sink: KvSink = {
          putAll: async (batch) => {
            sent.push(...batch);
            return batch.map(() => undefined);
          },
          close: () => undefined,
        };
        const publisher = new KvPublisher(db, sink, createLogger('silent'), 1000);
        publisher.markAll();
        await publisher.flush();
        db.close();
        for (const put of sent) {
          const parsed = parseKvValue(put.bucket, JSON.parse(put.value));
          expect(parsed, `${put.bucket} ${put.key}: ${put.value}`).toMatchObject({ ok: true });
          buckets.add(put.bucket);
        }
      }),
      { numRuns: 40 },
    );
    expect([...buckets].sort()).toEqual(['catalog', 'locations', 'pickups', 'reservations', 'stock', 'watermarks']);
  });
});
