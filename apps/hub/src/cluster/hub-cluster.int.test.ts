import { type JetStreamClient, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import {
  acceptedEvents,
  foldEvents,
  type InventoryEvent,
  initialInventoryState,
  stockFiguresOf,
} from '@stocknerve/domain';
import { NAMES } from '@stocknerve/protocol';
import { makeTempDir, type NatsCluster, removeTempDir, startNatsCluster, waitFor } from '@stocknerve/test-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { received, storeNode } from '../http/api-test-kit.js';
import { type ClusterHub, leaderOf, startClusterHubs } from '../testing/cluster-fixture.js';
import { ADMIN_TOKEN, ECOMMERCE_TOKEN, readEventStream } from '../testing/hub-fixture.js';

// Three hub processes on a real three-server NATS cluster (R3 stream and buckets): one leads and
// decides, every one serves reads from its own views, and the leader's death, pause or a NATS
// server's death loses nothing.

let cluster: NatsCluster;
let dir: string;
let hubs: ClusterHub[];
let nc: NatsConnection;
let js: JetStreamClient;

interface Answer {
  readonly status: number;
  readonly seq: number;
  readonly body: Record<string, unknown>;
}

const call = async (
  hub: ClusterHub,
  method: 'GET' | 'POST',
  path: string,
  options: { body?: unknown; token?: string; headers?: Record<string, string> } = {},
): Promise<Answer> => {
  const response = await fetch(`${hub.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${options.token ?? ECOMMERCE_TOKEN}`,
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...options.headers,
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    seq: Number(response.headers.get('stocknerve-seq') ?? -1),
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
};

const reserve = (hub: ClusterHub, key: string, sku: string, qty = 1) =>
  call(hub, 'POST', '/v1/reservations', {
    body: { channel: 'web', location: 'store-1', lines: [{ sku, qty }], ttlSeconds: 3600 },
    headers: { 'idempotency-key': key },
  });

/** What the views hold by the stream's rules (a fenced hub message counts for nothing), and who wrote each hub message. */
const streamEvents = async (): Promise<{ events: InventoryEvent[]; hubWriters: Map<number, string> }> => {
  const read = await readEventStream(nc);
  const hubWriters = new Map(read.filter((m) => m.subject.startsWith('inv.v1.hub.')).map((m) => [m.seq, m.writer]));
  return { events: acceptedEvents(read.flatMap((m) => (m.parsed ? [m.parsed] : []))), hubWriters };
};

const running = () => hubs.filter((h) => h.running);

/** The cell's figures at an instance once its views hold `minSeq` (under load that may take a while). */
const availabilityAt = async (hub: ClusterHub, sku: string, minSeq: number) => {
  const answer = await waitFor(
    async () => {
      const a = await call(hub, 'GET', `/v1/availability/${sku}`, {
        headers: { 'stocknerve-min-seq': String(minSeq) },
      });
      return a.status === 200 ? a : undefined;
    },
    { timeoutMs: 30_000, message: `${hub.id} at stream position ${minSeq}` },
  );
  const cell = (answer.body.locations as { location: string; onHand: number; reserved: number }[]).find(
    (l) => l.location === 'store-1',
  );
  return { onHand: cell?.onHand ?? 0, reserved: cell?.reserved ?? 0 };
};

/** Every running instance's figures for the cell equal the pure fold of the whole stream. */
const expectViewsEqualFold = async (sku: string) => {
  const jsm = await jetstreamManager(nc);
  const last = (await jsm.streams.info(NAMES.eventStream)).state.last_seq;
  const state = foldEvents((await streamEvents()).events, initialInventoryState());
  const fold = stockFiguresOf(state, sku, 'store-1');
  for (const hub of running())
    expect(await availabilityAt(hub, sku, last), hub.id).toEqual({ onHand: fold.onHand, reserved: fold.reserved });
  return fold;
};

beforeAll(async () => {
  cluster = await startNatsCluster();
  await cluster.ready();
  dir = await makeTempDir('stocknerve-hub-cluster');
  hubs = await startClusterHubs(cluster, ['hub-a', 'hub-b', 'hub-c'], dir);
  nc = await connect({ ...cluster.clientOptions('admin'), name: 'cluster-test' });
  js = jetstream(nc);
  const leader = await leaderOf(hubs);
  const defined = await call(leader, 'POST', '/v1/admin/locations', {
    token: ADMIN_TOKEN,
    body: { location: 'store-1', region: 'north', kind: 'store', name: 'One' },
  });
  expect(defined.status).toBe(201);
}, 120_000);

afterAll(async () => {
  await nc?.drain().catch(() => undefined);
  for (const hub of hubs ?? []) await hub.kill();
  await cluster?.dispose();
  if (dir) await removeTempDir(dir);
});

describe('hub instances on a NATS cluster', () => {
  it('serve the fold from each; a write through one is read there at once and elsewhere by its position', async () => {
    const till = storeNode(js, { location: 'store-1', region: 'north', node: 'store-1-t1' });
    const seq = await till.publish(received('po-1', [{ sku: 'SKU-1', qty: 40 }]));
    const leader = await leaderOf(hubs);
    const [b, c] = hubs.filter((h) => h !== leader) as [ClusterHub, ClusterHub];

    const placed = await reserve(b, 'order-1', 'SKU-1', 3);
    expect(placed.status).toBe(201);
    expect(placed.seq).toBeGreaterThan(seq);
    const id = placed.body.reservationId as string;
    // The instance that answered has applied the write before answering: no position needed.
    expect((await call(b, 'GET', `/v1/reservations/${id}`)).status).toBe(200);
    // Another instance, asked with the position the answer carried, answers only once it holds it.
    const atC = await call(c, 'GET', `/v1/reservations/${id}`, {
      headers: { 'stocknerve-min-seq': String(placed.seq) },
    });
    expect(atC.status).toBe(200);
    expect(atC.seq).toBeGreaterThanOrEqual(placed.seq);
    expect(atC.body).toMatchObject({ reservationId: id, status: 'placed' });

    // The same key through a third instance is the same reservation.
    const again = await reserve(leader, 'order-1', 'SKU-1', 3);
    expect(again.status).toBe(200);
    expect(again.body.reservationId).toBe(id);

    const fold = await expectViewsEqualFold('SKU-1');
    expect(fold).toMatchObject({ onHand: 40, reserved: 3 });
    // Each instance re-reads the others' status every second.
    const health = await waitFor(
      async () => {
        const h = await c.health();
        return h.cluster.instances.length === 3 ? h : undefined;
      },
      { message: 'three instances listed' },
    );
    expect(health.cluster).toMatchObject({ instance: c.id, role: 'follower', leader: leader.id });
    expect(health.cluster.instances.map((i) => i.instance).sort()).toEqual(['hub-a', 'hub-b', 'hub-c']);
  });

  it('SIGKILL of the leader under load: a new leader within 5 s, every 201 exactly once, none oversold', async () => {
    const units = 120;
    const till = storeNode(js, { location: 'store-1', region: 'north', node: 'store-1-t2' });
    await till.publish(received('po-2', [{ sku: 'SKU-2', qty: units }]));
    const placed = new Map<string, string>();
    const refused = new Set<string>();
    let keys = 0;
    let killedAt = 0;
    let firstAfterKill = 0;
    const deadline = Date.now() + 12_000;
    /** Sends one order until it is decided (201/200/409), moving to another instance on 503 or a dead one. */
    const order = async (key: string, start: number) => {
      for (let attempt = start; Date.now() < deadline + 15_000; attempt++) {
        const targets = running();
        const hub = targets[attempt % targets.length] as ClusterHub;
        const answer = await reserve(hub, key, 'SKU-2').catch(() => undefined);
        if (answer?.status === 201 || answer?.status === 200) {
          if (killedAt > 0 && firstAfterKill === 0) firstAfterKill = Date.now();
          const id = answer.body.reservationId as string;
          const earlier = placed.get(key);
          if (earlier !== undefined) expect(id).toBe(earlier);
          placed.set(key, id);
          return;
        }
        if (answer?.status === 409) {
          refused.add(key);
          return;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`order ${key} was never decided`);
    };
    const client = async (n: number) => {
      while (Date.now() < deadline) {
        keys++;
        await order(`load-${n}-${keys}`, keys);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    const killer = (async () => {
      await new Promise((r) => setTimeout(r, 3000));
      const leader = await leaderOf(hubs);
      killedAt = Date.now();
      await leader.kill('SIGKILL');
    })();
    await Promise.all([client(1), client(2), client(3), killer]);
    expect(killedAt).toBeGreaterThan(0);
    expect(firstAfterKill - killedAt).toBeLessThan(5000);
    const survivor = await leaderOf(hubs);

    // Retries of every order with its key, on another instance, answer the original reservation.
    const follower = running().find((h) => h !== survivor) as ClusterHub;
    for (const [key, id] of placed) {
      const retry = await reserve(follower, key, 'SKU-2');
      expect(retry.status, key).toBe(200);
      expect(retry.body.reservationId).toBe(id);
    }
    // Exactly once in the stream, and none beyond what the 201s and 200s said.
    const { events } = await streamEvents();
    const placedEvents = events.filter(
      (e) => e.type === 'ReservationPlaced' && e.data.lines.some((l) => l.sku === 'SKU-2'),
    );
    const ids = placedEvents.map((e) => (e.type === 'ReservationPlaced' ? e.data.reservationId : ''));
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(ids)).toEqual(new Set(placed.values()));
    expect(placed.size).toBeLessThanOrEqual(units);
    if (refused.size > 0) expect(placed.size).toBe(units);
    const fold = await expectViewsEqualFold('SKU-2');
    expect(fold.reserved).toBe(placed.size);
    expect(fold.reserved).toBeLessThanOrEqual(fold.onHand);

    // The killed instance comes back as a follower and catches up.
    const killed = hubs.find((h) => !h.running) as ClusterHub;
    await killed.start();
    await leaderOf(hubs);
    await expectViewsEqualFold('SKU-2');
  }, 90_000);

  it('a leader paused past its lease does not write when it wakes, and steps down', async () => {
    const leader = await leaderOf(hubs);
    const jsm = await jetstreamManager(nc);
    leader.proc.signal('SIGSTOP');
    const pausedAt = (await jsm.streams.info(NAMES.eventStream)).state.last_seq;
    try {
      const others = hubs.filter((h) => h !== leader);
      let next: ClusterHub | undefined;
      await waitFor(
        async () => {
          const healths = await Promise.all(others.map((h) => h.health().catch(() => undefined)));
          next = others.find((_, i) => healths[i]?.cluster.role === 'leader');
          return next !== undefined;
        },
        { timeoutMs: 10_000, intervalMs: 100, message: 'another instance leads' },
      );
      const placedByNext = await reserve(next as ClusterHub, 'while-paused', 'SKU-1');
      expect(placedByNext.status).toBe(201);
      // A storefront's request reaches the paused instance; it is read when the instance wakes.
      const toPaused = reserve(leader, 'sent-to-paused', 'SKU-1');
      await new Promise((r) => setTimeout(r, 300));
      leader.proc.signal('SIGCONT');
      const answer = await toPaused;
      // Refused (503, retry elsewhere) or decided by the new leader: never written by the paused one.
      expect([201, 503]).toContain(answer.status);
      if (answer.status === 503) {
        expect(answer.body.error).toBe('unavailable');
        expect((await reserve(next as ClusterHub, 'sent-to-paused', 'SKU-1')).status).toBe(201);
      }
      await waitFor(async () => (await leader.health()).cluster.role === 'follower', {
        timeoutMs: 10_000,
        message: 'the paused leader steps down',
      });
      const { hubWriters } = await streamEvents();
      const writtenAfterPause = [...hubWriters].filter(([seq]) => seq > pausedAt).map(([, writer]) => writer);
      expect(writtenAfterPause.length).toBeGreaterThan(0);
      expect(writtenAfterPause).not.toContain(leader.id);
      const metrics = await (await fetch(`${leader.url}/metrics`)).text();
      expect(metrics).toMatch(new RegExp(`stocknerve_hub_step_downs_total\\{instance="${leader.id}"\\} [1-9]`));
      await expectViewsEqualFold('SKU-1');
    } finally {
      leader.proc.signal('SIGCONT');
    }
  }, 60_000);

  it('SIGKILL of one NATS server during ingest and commands loses no acknowledged event', async () => {
    const till = storeNode(js, { location: 'store-1', region: 'north', node: 'store-1-t3' });
    const acked: string[] = [];
    const placed = new Set<string>();
    let stop = false;
    const ingest = (async () => {
      for (let i = 0; !stop; i++) {
        const events = till.stamp(received(`po-nk-${i}`, [{ sku: 'SKU-3', qty: 2 }]));
        // A publish that is not acknowledged is the node's to send again, as the outbox does.
        for (;;) {
          const seq = await till.send(events).catch(() => 0);
          if (seq > 0) break;
          await new Promise((r) => setTimeout(r, 100));
        }
        acked.push(...events.map((e) => e.id));
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    const commands = (async () => {
      for (let i = 0; !stop; i++) {
        const key = `nk-${i}`;
        for (let attempt = 0; attempt < 100; attempt++) {
          const targets = running();
          const answer = await reserve(targets[attempt % targets.length] as ClusterHub, key, 'SKU-3').catch(
            () => undefined,
          );
          if (answer && answer.status < 300) {
            placed.add(answer.body.reservationId as string);
            break;
          }
          if (answer?.status === 409) break;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    })();
    await new Promise((r) => setTimeout(r, 2000));
    const victim = cluster.servers[1];
    await victim?.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 4000));
    await victim?.restart();
    await new Promise((r) => setTimeout(r, 2000));
    stop = true;
    await Promise.all([ingest, commands]);
    expect(acked.length).toBeGreaterThan(10);

    const { events } = await streamEvents();
    const inStream = new Set(events.map((e) => e.id));
    expect(acked.filter((id) => !inStream.has(id))).toEqual([]);
    const reservationIds = new Set(
      events
        .filter((e) => e.type === 'ReservationPlaced')
        .map((e) => (e.type === 'ReservationPlaced' ? e.data.reservationId : '')),
    );
    expect([...placed].filter((id) => !reservationIds.has(id))).toEqual([]);
    const fold = await expectViewsEqualFold('SKU-3');
    expect(fold.onHand).toBe(2 * acked.length);
    expect(fold.reserved).toBe(placed.size);
  }, 90_000);
});
