import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import type { HubHandle } from '@stocknerve/hub';
import { natsClient, recordHubFacts, startTestHub } from '@stocknerve/hub/testing';
import { HUB_INBOX_PREFIX, inboxPrefixOf, NAMES, type NodeIdentity } from '@stocknerve/protocol';
import { type NatsServerProcess, startNatsServer, waitFor } from '@stocknerve/test-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncClient } from '../sync-client.js';
import { catalogItem, defineStore, goodsReceived, hubNodeProgress, hubOnHand } from '../testing/int-kit.js';
import { openTestDb, startTestNode } from '../testing/sync-fixture.js';

// What a terminal's NATS identity can and cannot do, against a real server in operator mode: the
// server refuses, with a permission error, everything but the node's own subjects and reads.

const TILL: NodeIdentity = { node: 'store-1-t1', location: 'store-1', region: 'north' };
const OTHER: NodeIdentity = { node: 'store-2-t1', location: 'store-2', region: 'north' };

let server: NatsServerProcess;
let hub: HubHandle;
let till: NatsConnection;
const nodes: SyncClient[] = [];

const violation = (subject: string) =>
  new RegExp(`Permissions Violation for Publish to "${subject.replace(/[$.*>]/g, '\\$&')}"`);

/** A request the server must refuse: the reply is a permission error naming the subject. */
const refused = async (subject: string, payload = '{}') =>
  till.request(subject, payload, { timeout: 3000 }).then(
    () => 'answered',
    (error: Error) => error.message,
  );

beforeAll(async () => {
  server = await startNatsServer();
  hub = await startTestHub(server);
  await recordHubFacts(hub, [defineStore('store-1'), defineStore('store-2'), catalogItem('SKU-1', 'Thing')]);
  const other = await startTestNode(OTHER, server);
  nodes.push(other);
  await other.record([goodsReceived('po-o', 'SKU-1', 7)], { correlationId: 'o-1' });
  await waitFor(() => hubNodeProgress(hub, OTHER.node).watermark === 1, { timeoutMs: 15_000 });
  till = await connect({ servers: server.url, ...(await server.auth?.terminal(TILL)) });
}, 60_000);

afterAll(async () => {
  await till?.close();
  for (const n of nodes) await n.stop();
  for (const n of nodes) if (!n.log.db.closed) await n.log.db.close();
  await hub?.close();
  await server?.dispose();
});

describe("a terminal's own work", () => {
  it('records, pulls its store and restores after a wipe, with no permission error anywhere', async () => {
    const node = await startTestNode(TILL, server);
    nodes.push(node);
    await node.record([goodsReceived('po-1', 'SKU-1', 5)], { correlationId: 'c-1' });
    await waitFor(() => node.status.pending === 0 && hubNodeProgress(hub, TILL.node).watermark === 1, {
      timeoutMs: 15_000,
      message: 'event acked and applied',
    });
    await waitFor(() => node.status.lastPull.inv_watermarks !== undefined, {
      timeoutMs: 10_000,
      message: 'watermark pulled',
    });
    await node.stop();
    await node.log.db.close();

    const wiped = await startTestNode(TILL, server, { db: await openTestDb() });
    nodes.push(wiped);
    await waitFor(() => wiped.status.connected && !wiped.status.restoring, { timeoutMs: 15_000, message: 'restored' });
    expect((await wiped.log.all()).map((e) => e.seq)).toEqual([1]);
    expect(server.log()).not.toMatch(/Violation/);
  });
});

describe('what a terminal may not do', () => {
  it('publishes no other location, node, hub fact, dead letter or KV value', async () => {
    const js = jetstream(till);
    const streamBefore = (await jetstreamManager(await (await natsClient(server)).nc)).streams;
    const lastSeq = (await streamBefore.info(NAMES.eventStream)).state.last_seq;
    const forged = JSON.stringify({ type: 'CycleCounted' });
    const attempts = [
      'inv.v1.evt.north.store-2.store-2-t1',
      'inv.v1.evt.north.store-1.store-1-t2',
      'inv.v1.evt.south.store-1.store-1-t1',
      'inv.v1.hub.hub',
      'inv.v1.dlq.seq-conflict',
      `$KV.${NAMES.catalogBucket}.SKU-1`,
      `$KV.${NAMES.watermarksBucket}.${TILL.node}`,
      `$KV.${NAMES.pickupsBucket}.store-1.p-1`,
    ];
    for (const subject of attempts)
      await expect(js.publish(subject, forged), subject).rejects.toThrow(violation(subject));
    expect((await streamBefore.info(NAMES.eventStream)).state.last_seq).toBe(lastSeq);
    expect(hubOnHand(hub, 'store-2', 'SKU-1')).toBe(7);
  });

  it("cannot purge or delete streams, nor find the hub's consumers (their names are secret)", async () => {
    const hubConsumer = hub.ctx.projector.consumerName;
    for (const subject of [
      `$JS.API.STREAM.PURGE.${NAMES.eventStream}`,
      `$JS.API.STREAM.DELETE.${NAMES.eventStream}`,
      `$JS.API.STREAM.UPDATE.${NAMES.eventStream}`,
      `$JS.API.STREAM.DELETE.KV_${NAMES.stockBucket}`,
      `$JS.API.STREAM.PURGE.${NAMES.deadLetterStream}`,
      `$JS.API.CONSUMER.DELETE.${NAMES.eventStream}.${NAMES.projectorConsumer}`,
      `$JS.API.CONSUMER.MSG.NEXT.${NAMES.eventStream}.${NAMES.projectorConsumer}`,
      `$JS.API.CONSUMER.CREATE.${NAMES.eventStream}.${NAMES.projectorConsumer}.inv.v1.evt.north.store-1.store-1-t1`,
      // Each hub process names its consumer with a random part: a terminal can neither list nor look it up.
      `$JS.API.CONSUMER.LIST.${NAMES.eventStream}`,
      `$JS.API.CONSUMER.NAMES.${NAMES.eventStream}`,
      `$JS.API.CONSUMER.INFO.${NAMES.eventStream}.${hubConsumer}`,
      `$JS.API.STREAM.MSG.DELETE.${NAMES.eventStream}`,
      `$JS.API.STREAM.MSG.GET.${NAMES.eventStream}`,
    ])
      expect(await refused(subject), subject).toMatch(violation(subject));
    expect(hubConsumer).toMatch(/^hub-projector-[\w-]+-[0-9a-f]{16}$/);
    const admin = await jetstreamManager((await natsClient(server)).nc);
    expect((await admin.consumers.info(NAMES.eventStream, hubConsumer)).name).toBe(hubConsumer);
  });

  it("cannot read another store's pickups or reservations, nor another node's events", async () => {
    for (const subject of [
      `$JS.API.CONSUMER.CREATE.KV_${NAMES.pickupsBucket}.x.$KV.${NAMES.pickupsBucket}.store-2.>`,
      `$JS.API.CONSUMER.CREATE.KV_${NAMES.pickupsBucket}.x.$KV.${NAMES.pickupsBucket}.>`,
      `$JS.API.CONSUMER.CREATE.KV_${NAMES.reservationsBucket}.x.$KV.${NAMES.reservationsBucket}.store-2.>`,
      `$JS.API.DIRECT.GET.KV_${NAMES.pickupsBucket}.$KV.${NAMES.pickupsBucket}.store-2.p-1`,
      `$JS.API.DIRECT.GET.${NAMES.eventStream}.inv.v1.evt.north.store-2.store-2-t1`,
      `$JS.API.CONSUMER.CREATE.${NAMES.eventStream}.x.inv.v1.evt.>`,
      `$JS.API.CONSUMER.CREATE.${NAMES.eventStream}`,
    ])
      expect(await refused(subject), subject).toMatch(violation(subject));
    const pickups = await new Kvm(till).open(NAMES.pickupsBucket);
    await expect(pickups.watch({ key: 'store-2.>' })).rejects.toThrow(/Permissions Violation/);
  });

  it("cannot listen to other clients' inboxes or to the event subjects", async () => {
    const errors: string[] = [];
    const watch = (async () => {
      for await (const s of till.status()) if (s.type === 'error') errors.push(String(s.error));
    })();
    for (const subject of ['_INBOX.>', `${HUB_INBOX_PREFIX}.>`, `${inboxPrefixOf(OTHER.node)}.>`, 'inv.v1.evt.>', '>'])
      till.subscribe(subject);
    await till.flush();
    await waitFor(() => errors.length >= 5, { timeoutMs: 5000, message: 'five subscription violations' });
    expect(errors.join('\n')).toMatch(/Subscription/);
    void watch;
  });

  it('connects only with credentials the account signed', async () => {
    await expect(connect({ servers: server.url, reconnect: false })).rejects.toThrow(/Authorization Violation/);
  });
});
