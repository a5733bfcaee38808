import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import type { HubHandle } from '@stocknerve/hub';
import { recordHubFacts, startTestHub } from '@stocknerve/hub/testing';
import { NAMES, type NodeIdentity, nodeEventSubject } from '@stocknerve/protocol';
import { type NatsServerProcess, startNatsServer, waitFor } from '@stocknerve/test-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncClient } from './sync-client.js';
import {
  defineStore,
  goodsReceived,
  hubAppliedStoreEvents,
  hubDeadLetters,
  hubNodeProgress,
  hubOnHand,
  readEventStream,
  saleOf,
} from './testing/int-kit.js';
import { startTestNode } from './testing/sync-fixture.js';

// At-least-once beyond JetStream's dedupe window: a re-send after the window is stored again but
// applied once; and anti-entropy re-sends what the hub lacks even though JetStream acked it.

const DUPLICATE_WINDOW_MS = 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let server: NatsServerProcess;
const hubs: HubHandle[] = [];
const nodes: SyncClient[] = [];
let nc: NatsConnection;

const closed = new Set<HubHandle>();
const closeHub = async (hub: HubHandle) => {
  if (closed.has(hub)) return;
  closed.add(hub);
  // A hub whose projector never caught up does not close (its command bus waits for the catch-up,
  // see the known bug below): bound the wait, then stop its parts and cut its connection.
  const done = await Promise.race([hub.close().then(() => true), sleep(3000).then(() => false)]);
  if (!done) {
    await hub.ctx.projector.stop().catch(() => undefined);
    await hub.ctx.kv.stop().catch(() => undefined);
    await hub.ctx.nc.close().catch(() => undefined);
  }
};

const startHub = async () => {
  const hub = await startTestHub(server, { duplicateWindowMs: DUPLICATE_WINDOW_MS });
  hubs.push(hub);
  return hub;
};

beforeAll(async () => {
  server = await startNatsServer();
  nc = await connect({ ...server.clientOptions(), name: 'test-inspector' });
});

afterAll(async () => {
  for (const n of nodes) await n.stop();
  for (const n of nodes) await n.log.db.close();
  for (const h of hubs) await closeHub(h);
  await nc?.close();
  await server?.dispose();
});

/** The copies of an event the stream holds, in stream order. */
const copiesOf = async (nc: NatsConnection, identity: NodeIdentity, eventId: string) =>
  (await readEventStream(nc, nodeEventSubject(identity))).filter((m) => m.event?.id === eventId);

const docOf = async (client: SyncClient, seq: number) => {
  const doc = await client.log.db.events.findOne({ selector: { seq } }).exec();
  if (!doc) throw new Error(`no event ${seq} in the log`);
  return doc.toMutableJSON();
};

describe('re-send after the dedupe window', () => {
  it('stores an event re-sent after the window again, and the hub applies it once', async () => {
    const hub = await startHub();
    await recordHubFacts(hub, [defineStore('store-1')]);
    const identity: NodeIdentity = { node: 'store-1-t1', location: 'store-1', region: 'north' };
    const node = await startTestNode(identity, server);
    nodes.push(node);

    await node.record([goodsReceived('po-1', 'SKU-R', 5)], { correlationId: 'c-1' });
    await waitFor(() => node.status.pending === 0 && hubNodeProgress(hub, identity.node).watermark === 1, {
      timeoutMs: 15_000,
      message: 'event applied',
    });
    const first = await docOf(node, 1);
    const [firstCopy] = await copiesOf(nc, identity, first.id);
    expect(firstCopy?.streamSeq).toBeGreaterThan(0);
    expect(node.log.outbox.lastStreamSeq).toBe(firstCopy?.streamSeq);
    const absorbedBefore = hub.ctx.metrics.duplicatesAbsorbed;

    // Past the window, then put the acked event back in the outbox (as anti-entropy would).
    await sleep(DUPLICATE_WINDOW_MS + 300);
    expect(await node.log.markPending([1])).toBe(1);
    await waitFor(() => node.log.ackedAtOf(1) !== null && node.status.pending === 0, {
      timeoutMs: 15_000,
      message: 're-send acked',
    });
    const copies = await copiesOf(nc, identity, first.id);
    expect(copies).toHaveLength(2);
    const again = copies[1]?.streamSeq ?? 0;
    expect(again).toBeGreaterThan(firstCopy?.streamSeq ?? 0);
    expect(node.log.outbox.lastStreamSeq).toBe(again);

    await waitFor(() => hub.ctx.projector.checkpoint >= again, { timeoutMs: 15_000 });
    expect(hub.ctx.metrics.duplicatesAbsorbed).toBe(absorbedBefore + 1);
    expect(hubOnHand(hub, 'store-1', 'SKU-R')).toBe(5);
    expect(hubAppliedStoreEvents(hub)).toBe(1);
    expect(hubNodeProgress(hub, identity.node)).toEqual({
      watermark: 1,
      maxSeq: 1,
      eventsApplied: 1,
      seqsAboveWatermark: 0,
    });
  });
});

describe('anti-entropy', () => {
  it('re-sends acked events the hub never applied until the hub has them', async () => {
    const hub = hubs[0];
    if (!hub) throw new Error('the first test starts the hub');
    // store-2 is not defined yet: JetStream acks the node's events, the hub dead-letters them
    // (unknown-location), so the node holds acks for events the hub does not have.
    const identity: NodeIdentity = { node: 'store-2-t1', location: 'store-2', region: 'north' };
    const node = await startTestNode(identity, server, { antiEntropyGraceMs: 500 });
    nodes.push(node);
    await node.record([goodsReceived('po-2-1', 'SKU-2', 10)], { correlationId: 'ae-1' });
    await node.record([saleOf('r-2-2', 'SKU-2', 4), saleOf('r-2-3', 'SKU-2', 1)], { correlationId: 'ae-2' });
    await waitFor(() => hubDeadLetters(hub)['unknown-location'] === 3, { timeoutMs: 15_000 });
    expect(hubNodeProgress(hub, identity.node).maxSeq).toBe(0);

    await recordHubFacts(hub, [defineStore('store-2')]);
    // Re-sends inside the 1 s window are dropped by JetStream; anti-entropy keeps at it until one
    // lands after the window and the hub applies it.
    await waitFor(() => hubNodeProgress(hub, identity.node).watermark === 3, {
      timeoutMs: 30_000,
      message: 'hub watermark at the node’s last seq',
    });
    expect(node.status.resent).toBeGreaterThanOrEqual(3);
    expect(hubOnHand(hub, 'store-2', 'SKU-2')).toBe(5);
    expect(hubNodeProgress(hub, identity.node)).toEqual({
      watermark: 3,
      maxSeq: 3,
      eventsApplied: 3,
      seqsAboveWatermark: 0,
    });
    await waitFor(() => node.status.hubWatermark?.watermark === 3 && node.status.pending === 0, {
      timeoutMs: 15_000,
      message: 'node pulled the watermark',
    });
    // Caught up: nothing more is re-sent.
    const resent = node.status.resent;
    await sleep(1500);
    expect(node.status.resent).toBe(resent);
  });

  // A broker that lost acknowledged writes leaves a hole in INV_EVENTS: the hub must get past it
  // (its consumer starts at the first message that exists) and anti-entropy must fill it.
  it('re-sends events the broker lost after acking them, and the hub gets past the hole', async () => {
    const hub = hubs[0];
    if (!hub) throw new Error('the first test starts the hub');
    const identity: NodeIdentity = { node: 'store-1-t2', location: 'store-1', region: 'north' };
    const node = await startTestNode(identity, server, { antiEntropyGraceMs: 500 });
    nodes.push(node);
    await node.record([goodsReceived('po-ae-1', 'SKU-AE', 10)], { correlationId: 'lost-1' });
    await waitFor(() => hubNodeProgress(hub, identity.node).watermark === 1, { timeoutMs: 15_000 });

    // The hub is down while the node records three more; JetStream acks them...
    await closeHub(hub);
    for (let i = 2; i <= 4; i++) await node.record([saleOf(`ae-r-${i}`, 'SKU-AE', 1)], { correlationId: `lost-${i}` });
    await waitFor(() => node.status.pending === 0, { timeoutMs: 15_000, message: 'acked by JetStream' });
    // ...and then loses two of them.
    const jsm = await jetstreamManager(nc);
    const stored = await readEventStream(nc, nodeEventSubject(identity));
    for (const seq of [2, 3]) {
      const copy = stored.find((m) => m.event?.seq === seq);
      expect(await jsm.streams.deleteMessage(NAMES.eventStream, copy?.streamSeq ?? 0)).toBe(true);
    }

    // A new hub on a fresh database replays the stream, hole included.
    const hub2 = await startHub();
    await waitFor(() => hubNodeProgress(hub2, identity.node).watermark === 4, {
      timeoutMs: 8_000,
      message: 'hub watermark at the node’s last seq through anti-entropy',
    });
    expect(node.status.resent).toBeGreaterThanOrEqual(2);
    expect(hubOnHand(hub2, 'store-1', 'SKU-AE')).toBe(10 - 3);
  });
});
