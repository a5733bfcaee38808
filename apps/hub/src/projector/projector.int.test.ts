import type { JetStreamClient } from '@nats-io/jetstream';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import {
  type DecidedEvent,
  foldEvents,
  type InventoryEvent,
  initialInventoryState,
  stockFiguresOf,
} from '@stocknerve/domain';
import { eventFactory, worldArb } from '@stocknerve/domain/testing';
import { NAMES, storeEventSubject } from '@stocknerve/protocol';
import { type NatsServerProcess, startNatsServer, waitFor } from '@stocknerve/test-harness';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HubHandle } from '../hub.js';
import { natsClient, publishStoreEvents, recordHubFacts, startTestHub } from '../testing/hub-fixture.js';
import { dumpViews, stockFiguresByCell } from '../views/dump-views.js';
import { deliveryOf } from './delivery-info.js';

const defineStore = (location: string, region: string): DecidedEvent => ({
  type: 'LocationDefined',
  data: { location, region, kind: 'store', name: location },
});

let server: NatsServerProcess;
let hub: HubHandle;
let nc: NatsConnection;
let js: JetStreamClient;

beforeAll(async () => {
  server = await startNatsServer();
  hub = await startTestHub(server, { duplicateWindowMs: 1000 });
  ({ nc, js } = await natsClient(server));
  await recordHubFacts(hub, [defineStore('store-1', 'north'), defineStore('store-2', 'north')]);
});

afterAll(async () => {
  await nc?.close();
  await hub?.close();
  await server?.dispose();
});

const appliedThrough = (seq: number) => waitFor(() => hub.ctx.projector.checkpoint >= seq, { timeoutMs: 15_000 });

describe('projector', () => {
  it('applies every node’s events; the views equal the pure fold of the same events', async () => {
    const [world] = fc.sample(worldArb({ maxEventsPerNode: 60 }), { numRuns: 1, seed: 7 });
    if (!world) throw new Error('no world');
    const events = world.streams.flat();
    const seqs = await publishStoreEvents(js, 'north', events);
    await appliedThrough(Math.max(...seqs));
    const pure = foldEvents(events, initialInventoryState());
    const sql = stockFiguresByCell(hub.ctx.store);
    for (const key of pure.cells.keys()) {
      const [location, sku] = key.split('/') as [string, string];
      expect(sql.get(key), key).toEqual(stockFiguresOf(pure, sku, location));
    }
  });

  it('absorbs an event re-sent after the JetStream dedupe window (same id, same node seq)', async () => {
    const node = eventFactory({ location: 'store-2', node: 'store-2-late', startMs: Date.UTC(2026, 5, 1) });
    const received = node.next({
      type: 'GoodsReceived',
      data: { purchaseOrderId: 'po-late', lines: [{ sku: 'LATE-1', qty: 5 }] },
    });
    const [first] = await publishStoreEvents(js, 'north', [received]);
    await appliedThrough(first ?? 0);
    const before = hub.ctx.metrics.duplicatesAbsorbed;
    await new Promise((r) => setTimeout(r, 1300));
    const [again] = await publishStoreEvents(js, 'north', [received]);
    expect(again).toBeGreaterThan(first ?? 0); // JetStream stored it again: the window had passed
    await appliedThrough(again ?? 0);
    expect(stockFiguresByCell(hub.ctx.store).get('store-2/LATE-1')?.onHand).toBe(5);
    expect(hub.ctx.metrics.duplicatesAbsorbed).toBe(before + 1);
  });

  it('dead-letters every kind of bad message with its reason and applies the valid ones behind them', async () => {
    const node = eventFactory({ location: 'store-1', node: 'store-1-dlq', startMs: Date.UTC(2026, 6, 1) });
    const good = node.next({
      type: 'GoodsReceived',
      data: { purchaseOrderId: 'po-ok', lines: [{ sku: 'DLQ-OK', qty: 3 }] },
    });
    const other = node.next({
      type: 'GoodsReceived',
      data: { purchaseOrderId: 'po-2', lines: [{ sku: 'DLQ-OK', qty: 1 }] },
    });
    const unknownLocation = eventFactory({ location: 'store-9', node: 'store-9-t1' }).next({
      type: 'GoodsReceived',
      data: { purchaseOrderId: 'po-x', lines: [{ sku: 'DLQ-X', qty: 1 }] },
    });
    const subj = storeEventSubject('north', 'store-1', 'store-1-dlq');
    const bad: [string, string, string][] = [
      ['invalid-json', subj, '{"not json'],
      [
        'unknown-type',
        subj,
        JSON.stringify({ ...good, id: '019b76da-0000-7000-8000-000000000001', type: 'TeleportStock' }),
      ],
      [
        'invalid-data',
        subj,
        JSON.stringify({ ...good, id: '019b76da-0000-7000-8000-000000000002', data: { lines: [] } }),
      ],
      ['subject-mismatch', storeEventSubject('north', 'store-2', 'store-1-dlq'), JSON.stringify(good)],
      ['unknown-location', storeEventSubject('north', 'store-9', 'store-9-t1'), JSON.stringify(unknownLocation)],
      [
        'subject-mismatch',
        subj,
        JSON.stringify({
          ...good,
          id: '019b76da-0000-7000-8000-000000000003',
          type: 'SafetyStockSet',
          data: { sku: 'DLQ-OK', location: 'store-1', qty: 1 },
        }),
      ],
      // An HLC made by another node would break the tie-breaking of the merge order.
      [
        'invalid-envelope',
        subj,
        JSON.stringify({
          ...good,
          id: '019b76da-0000-7000-8000-000000000004',
          hlc: good.hlc.replace('store-1-dlq', 'store-1-other'),
        }),
      ],
      // `hub` is the hub's own node id: a store may not use it.
      [
        'subject-mismatch',
        storeEventSubject('north', 'store-1', 'hub'),
        JSON.stringify({
          ...good,
          id: '019b76da-0000-7000-8000-000000000005',
          node: 'hub',
          hlc: good.hlc.replace('store-1-dlq', 'hub'),
        }),
      ],
    ];
    for (const [i, [, subject, body]] of bad.entries()) await js.publish(subject, body, { msgID: `bad-${i}` });
    await js.publish(subj, JSON.stringify(good), { msgID: good.id });
    // Another event claiming the same node seq as `good`: a node that reused a number.
    const conflict = { ...other, seq: good.seq };
    const last = await js.publish(subj, JSON.stringify(conflict), { msgID: conflict.id });
    await appliedThrough(last.seq);

    expect(stockFiguresByCell(hub.ctx.store).get('store-1/DLQ-OK')?.onHand).toBe(3);
    const jsm = await jetstreamManager(nc);
    const dlq = await jsm.streams.info(NAMES.deadLetterStream);
    expect(dlq.state.messages).toBe(bad.length + 1);
    const reasons: string[] = [];
    for (let seq = 1; seq <= dlq.state.last_seq; seq++) {
      const m = await jsm.streams.getMessage(NAMES.deadLetterStream, { seq });
      reasons.push(m?.header.get('Stocknerve-Reason') ?? '');
      expect(m?.header.get('Stocknerve-Original-Subject')).toMatch(/^inv\.v1\.evt\./);
    }
    expect(reasons.sort()).toEqual([...bad.map(([r]) => r), 'seq-conflict'].sort());
    const counted = hub.ctx.store.all<{ reason: string; count: number }>('SELECT reason, count FROM dead_letters');
    expect(counted.reduce((s, r) => s + r.count, 0)).toBe(bad.length + 1);
  });

  it('tracks each node’s applied watermark and the gaps above it', async () => {
    const node = eventFactory({ location: 'store-1', node: 'store-1-gappy', startMs: Date.UTC(2026, 7, 1) });
    const events: InventoryEvent[] = Array.from({ length: 6 }, (_, i) =>
      node.next({ type: 'GoodsReceived', data: { purchaseOrderId: `po-g${i}`, lines: [{ sku: 'GAP-1', qty: 1 }] } }),
    );
    // seq 3 and 5 are still on their way (a broker that lost them, or a node still offline)
    const seqs = await publishStoreEvents(js, 'north', [
      events[0],
      events[1],
      events[3],
      events[5],
    ] as InventoryEvent[]);
    await appliedThrough(Math.max(...seqs));
    const status = await import('../views/node-status.js');
    expect(status.nodeWatermark(hub.ctx.store, 'store-1-gappy')).toMatchObject({
      watermark: 2,
      maxSeq: 6,
      gaps: [
        [3, 3],
        [5, 5],
      ],
    });
    const more = await publishStoreEvents(js, 'north', [events[2], events[4]] as InventoryEvent[]);
    await appliedThrough(Math.max(...more));
    expect(status.nodeWatermark(hub.ctx.store, 'store-1-gappy')).toMatchObject({ watermark: 6, maxSeq: 6, gaps: [] });
  });

  it('rebuilds views identical to the ones built live', async () => {
    await hub.ctx.bus.idle();
    const live = dumpViews(hub.ctx.store);
    const result = await hub.ctx.rebuild();
    expect(result.messages).toBeGreaterThan(0);
    expect(dumpViews(hub.ctx.store)).toEqual(live);
  });

  it("reads a real delivery's seq, stored time and pending count from its reply subject, as nats.js's info says", async () => {
    const consumer = await js.consumers.get(NAMES.eventStream);
    const m = await consumer.next({ expires: 5_000 });
    if (!m) throw new Error('no message delivered');
    expect(deliveryOf((m as unknown as { reply: string }).reply)).toEqual({
      streamSeq: m.info.streamSequence,
      storedMs: Number(m.timestampNanos / 1_000_000n),
      pending: m.info.pending,
    });
  });
});
