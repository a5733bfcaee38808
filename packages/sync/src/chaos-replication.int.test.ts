import type { HubHandle } from '@stocknerve/hub';
import { stockFiguresByCell } from '@stocknerve/hub';
import { recordHubFacts, startTestHub } from '@stocknerve/hub/testing';
import { type NodeIdentity, nodeEventSubject } from '@stocknerve/protocol';
import { type NatsServerProcess, startNatsServer, waitFor } from '@stocknerve/test-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncClient } from './sync-client.js';
import {
  catalogItem,
  defineStore,
  hubAppliedStoreEvents,
  hubDeadLetters,
  hubNodeProgress,
  pureStockFigures,
  randomStoreEvent,
  readEventStream,
  seededRandom,
} from './testing/int-kit.js';
import { openMemoryTestDb, startTestNode } from './testing/sync-fixture.js';

// 10,000 events from 3 nodes while nats-server is SIGKILLed and restarted twice. The hub runs in
// this process and loses its connection too. At the end nothing is lost, nothing is applied twice,
// and each node's order survives in the stream.

const TOTAL_EVENTS = 10_000;
const NODES: NodeIdentity[] = [
  { node: 'a-till-1', location: 'store-a', region: 'north' },
  { node: 'a-till-2', location: 'store-a', region: 'north' },
  { node: 'b-till-1', location: 'store-b', region: 'north' },
];
const SKUS = Array.from({ length: 20 }, (_, i) => `SKU-${String(i + 1).padStart(2, '0')}`);

let server: NatsServerProcess;
let hub: HubHandle;
const clients: SyncClient[] = [];
let hubReconnects = 0;

beforeAll(async () => {
  server = await startNatsServer();
  hub = await startTestHub(server);
  await recordHubFacts(hub, [defineStore('store-a'), defineStore('store-b'), ...SKUS.map((s) => catalogItem(s, s))]);
  void (async () => {
    for await (const s of hub.ctx.nc.status()) if (s.type === 'reconnect') hubReconnects++;
  })();
  for (const identity of NODES)
    clients.push(
      // Memory storage: the log's code path is the same, and 10,000 documents on fake-indexeddb
      // would cost about a minute of CPU on their own.
      await startTestNode(identity, server, { db: await openMemoryTestDb(), antiEntropyGraceMs: 20_000 }),
    );
});

afterAll(async () => {
  for (const c of clients) await c.stop();
  for (const c of clients) await c.log.db.close();
  await hub?.close();
  await server?.dispose();
});

describe('chaos replication', () => {
  it('delivers 10,000 events from 3 nodes exactly once in effect and in order across two server crashes', async () => {
    let recorded = 0;
    const quota = (i: number) => Math.floor(TOTAL_EVENTS / NODES.length) + (i < TOTAL_EVENTS % NODES.length ? 1 : 0);
    const recording = clients.map(async (client, i) => {
      const random = seededRandom(1000 + i);
      const node = client.log.identity.node;
      for (let n = 1; n <= quota(i); n++) {
        await client.record([randomStoreEvent(random, SKUS, `${node}-${n}`)], { correlationId: `${node}-${n}` });
        recorded++;
        // Memory storage never leaves the microtask queue: pause now and then so that sockets,
        // timers and the other nodes run, as they would between sales at a real till.
        if (n % 5 === 0) await new Promise((r) => setTimeout(r, 1));
      }
    });

    // Two crashes while the nodes keep recording; each outage lasts while another 600 events are
    // recorded offline.
    for (const at of [2500, 6000]) {
      await waitFor(() => recorded >= at, { timeoutMs: 60_000, message: `${at} events recorded` });
      await server.kill('SIGKILL');
      await waitFor(() => clients.every((c) => !c.status.connected), { timeoutMs: 15_000, message: 'nodes offline' });
      await waitFor(() => recorded >= at + 600, { timeoutMs: 60_000, message: 'events recorded offline' });
      const before = hubReconnects;
      await server.restart();
      // The next crash comes after the hub is back (recording is fast enough here for two kills
      // to fall within one reconnect wait otherwise).
      await waitFor(() => hubReconnects > before, { timeoutMs: 30_000, message: 'hub reconnected' });
    }
    await Promise.all(recording);
    expect(recorded).toBe(TOTAL_EVENTS);

    await waitFor(
      () =>
        clients.every((c) => c.status.connected && c.status.pending === 0) &&
        hubAppliedStoreEvents(hub) === TOTAL_EVENTS,
      { timeoutMs: 60_000, message: 'every event acked and applied' },
    );
    // The hub reconnected by itself after each crash.
    expect(hubReconnects).toBeGreaterThanOrEqual(2);
    expect(hub.ctx.nc.isClosed()).toBe(false);

    const logs = await Promise.all(clients.map((c) => c.log.all()));
    expect(logs.flat()).toHaveLength(TOTAL_EVENTS);

    // The stream holds every event at least once, and each node's first copies are in seq order.
    const stream = await readEventStream(hub.ctx.nc);
    for (const [i, client] of clients.entries()) {
      const subject = nodeEventSubject(client.log.identity);
      const firstSeqs: number[] = [];
      const seen = new Set<string>();
      for (const m of stream) {
        if (m.subject !== subject || !m.event || seen.has(m.event.id)) continue;
        seen.add(m.event.id);
        firstSeqs.push(m.event.seq);
      }
      const log = logs[i] ?? [];
      expect(seen.size, `${client.log.identity.node}: distinct events in the stream`).toBe(log.length);
      for (const e of log) expect(seen.has(e.id)).toBe(true);
      expect(firstSeqs, `${client.log.identity.node}: order of first copies`).toEqual(log.map((e) => e.seq));
    }

    // Applied exactly once in effect: one applied row per event, figures equal the pure fold.
    expect(hubAppliedStoreEvents(hub)).toBe(TOTAL_EVENTS);
    expect(hubDeadLetters(hub)).toEqual({});
    const expected = pureStockFigures(logs.flat());
    const actual = stockFiguresByCell(hub.ctx.store);
    expect(new Map([...actual].filter(([k]) => expected.has(k)))).toEqual(expected);
    expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());

    // Watermark per node = its last seq, no gaps; the node pulls it too.
    for (const client of clients) {
      const progress = hubNodeProgress(hub, client.log.identity.node);
      expect(progress).toEqual({
        watermark: client.log.seq,
        maxSeq: client.log.seq,
        eventsApplied: client.log.seq,
        seqsAboveWatermark: 0,
      });
    }
    try {
      await waitFor(() => clients.every((c) => c.status.hubWatermark?.watermark === c.log.seq), {
        timeoutMs: 30_000,
        message: 'nodes pulled their watermarks',
      });
    } catch (error) {
      const { Kvm } = await import('@nats-io/kv');
      const kv = await new Kvm(hub.ctx.nc).open('inv_watermarks');
      for (const c of clients) {
        const entry = await kv.get(c.log.identity.node);
        console.error('watermark', c.log.identity.node, {
          seq: c.log.seq,
          pulled: c.status.hubWatermark,
          inKv: entry?.json(),
          connected: c.status.connected,
          lastPull: c.status.lastPull,
          lastError: c.status.lastError,
        });
      }
      throw error;
    }
    expect(clients.every((c) => c.status.hubWatermark?.gaps.length === 0)).toBe(true);
  }, 180_000);
});
