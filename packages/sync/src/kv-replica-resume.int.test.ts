import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { HubHandle } from '@stocknerve/hub';
import { recordHubFacts, startTestHub } from '@stocknerve/hub/testing';
import { NAMES, type NodeIdentity } from '@stocknerve/protocol';
import { type NatsServerProcess, startNatsServer, waitFor } from '@stocknerve/test-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalDb } from './local-db/local-db.js';
import { localStock } from './local-projection.js';
import type { SyncClient } from './sync-client.js';
import { catalogItem, defineStore, goodsReceived } from './testing/int-kit.js';
import { openTestDb, startTestNode } from './testing/sync-fixture.js';

// Pulled projections: the KV watches come back after a nats-server crash, and what was pulled is
// there after the terminal restarts offline.

const IDENTITY: NodeIdentity = { node: 'store-1-t1', location: 'store-1', region: 'north' };
// One name for the node's database: fake-indexeddb keeps it, by name, for the whole process.
const DB_NAME = `kv-resume-${process.pid}`;

let server: NatsServerProcess;
let hub: HubHandle;
const nodes: SyncClient[] = [];

beforeAll(async () => {
  server = await startNatsServer();
  hub = await startTestHub(server);
  await recordHubFacts(hub, [defineStore('store-1'), defineStore('store-2'), catalogItem('SKU-A', 'Apple', 120)]);
});

afterAll(async () => {
  for (const n of nodes) await n.stop();
  for (const n of nodes) if (!n.log.db.closed) await n.log.db.close();
  await hub?.close();
  await server?.dispose();
});

const projection = async (db: LocalDb, bucket: string, key: string) =>
  (await db.projections.findOne(`${bucket}:${key}`).exec())?.toMutableJSON();

/** Hub facts right after a server restart: retried until the hub's own connection is back. */
const recordWhenHubIsBack = (facts: Parameters<typeof recordHubFacts>[1]) =>
  waitFor(
    async () => {
      await recordHubFacts(hub, facts);
      return true;
    },
    { timeoutMs: 30_000, intervalMs: 250, message: 'hub recording again after the restart' },
  );

describe('KV replicas', () => {
  it('keep pulling after nats-server is killed and restarted', async () => {
    const node = await startTestNode(IDENTITY, server, { db: await openTestDb(DB_NAME) });
    nodes.push(node);
    const db = node.log.db;
    await waitFor(async () => (await projection(db, NAMES.catalogBucket, 'SKU-A'))?.value.name === 'Apple', {
      timeoutMs: 15_000,
      message: 'catalog pulled',
    });

    await server.kill('SIGKILL');
    await waitFor(() => !node.status.connected, { timeoutMs: 15_000, message: 'node offline' });
    await server.restart();
    await waitFor(() => node.status.connected, { timeoutMs: 30_000, message: 'node back online' });

    // Published after the restart: a new catalog item (every node) and a pickup order for this
    // store (a location-filtered watch).
    await recordWhenHubIsBack([
      catalogItem('SKU-B', 'Banana', 80),
      {
        type: 'PickupOrderPlaced',
        data: {
          pickupId: 'pk-1',
          channel: 'web',
          location: 'store-1',
          orderRef: 'order-1',
          lines: [{ sku: 'SKU-A', qty: 1 }],
        },
      },
    ]);
    await waitFor(async () => (await projection(db, NAMES.catalogBucket, 'SKU-B'))?.value.name === 'Banana', {
      timeoutMs: 15_000,
      message: 'catalog item published after the restart pulled',
    });
    await waitFor(async () => (await projection(db, NAMES.pickupsBucket, 'store-1.pk-1')) !== undefined, {
      timeoutMs: 15_000,
      message: 'pickup order published after the restart pulled',
    });
    expect(node.status.lastPull[NAMES.catalogBucket]).toBeGreaterThan(0);
  });

  it('restarts the watches when a direct read finds the watermark watch stalled', async () => {
    // Another store, so that the stock the next test checks stays untouched.
    const identity: NodeIdentity = { node: 'store-2-t1', location: 'store-2', region: 'north' };
    // Grace 2 s: the check runs every second.
    const node = await startTestNode(identity, server, {
      db: await openTestDb(`${DB_NAME}-stall`),
      antiEntropyGraceMs: 2000,
    });
    nodes.push(node);
    await node.record([goodsReceived('po-s1', 'SKU-A', 1)], { correlationId: 's-1' });
    await waitFor(() => node.status.hubWatermark?.watermark === 1, { timeoutMs: 15_000, message: 'watermark 1' });

    // A watch that stops delivering without an error, as one can after a server restart.
    const watch = node.replica(NAMES.watermarksBucket, identity.node);
    watch?.stop();
    const stalledAt = Date.now();
    for (let i = 2; i <= 4; i++)
      await node.record([goodsReceived(`po-s${i}`, 'SKU-A', 1)], { correlationId: `s-${i}` });

    await waitFor(() => node.status.hubWatermark?.watermark === 4, { timeoutMs: 15_000, message: 'watermark 4' });
    await waitFor(() => node.status.watchesRestarted >= 1 && (watch?.lastPullAt ?? 0) > stalledAt, {
      timeoutMs: 15_000,
      message: 'the watch restarted and pulling again',
    });
    expect(node.status.resent).toBe(0);
  });

  it('ignores a watermark value that is not JSON and keeps syncing', async () => {
    const identity: NodeIdentity = { node: 'store-2-t2', location: 'store-2', region: 'north' };
    // Grace 2 s: the direct read of the watermark runs every second.
    const node = await startTestNode(identity, server, {
      db: await openTestDb(`${DB_NAME}-garbage`),
      antiEntropyGraceMs: 2000,
    });
    nodes.push(node);
    await node.record([goodsReceived('po-g1', 'SKU-A', 1)], { correlationId: 'g-1' });
    await waitFor(() => node.status.hubWatermark?.watermark === 1, { timeoutMs: 15_000, message: 'watermark 1' });

    // Not written by the hub: the watch drops it, the direct read must not throw on it.
    const nc = await connect(server.clientOptions());
    await jetstream(nc).publish(`$KV.${NAMES.watermarksBucket}.${identity.node}`, 'not json {');
    await nc.close();
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(node.status.hubWatermark?.watermark).toBe(1);
    expect(node.status.connected).toBe(true);
    expect(node.status.invalidValues).toBeGreaterThan(0);

    await node.record([goodsReceived('po-g2', 'SKU-A', 1)], { correlationId: 'g-2' });
    await waitFor(() => node.status.hubWatermark?.watermark === 2, { timeoutMs: 15_000, message: 'watermark 2' });
    expect(node.status.resent).toBe(0);
  });

  it('ignores a value that breaks its bucket schema and keeps the last good one', async () => {
    const identity: NodeIdentity = { node: 'store-2-t3', location: 'store-2', region: 'north' };
    const node = await startTestNode(identity, server, { db: await openTestDb(`${DB_NAME}-schema`) });
    nodes.push(node);
    const db = node.log.db;
    await waitFor(async () => (await projection(db, NAMES.catalogBucket, 'SKU-A'))?.value.name === 'Apple', {
      timeoutMs: 15_000,
      message: 'catalog pulled',
    });
    const before = node.status.invalidValues;

    // JSON, but not a catalog item: no price, and a watermark far beyond anything the node sent.
    const nc = await connect(server.clientOptions());
    const js = jetstream(nc);
    await js.publish(`$KV.${NAMES.catalogBucket}.SKU-A`, JSON.stringify({ sku: 'SKU-A', name: 'Fake' }));
    await js.publish(`$KV.${NAMES.watermarksBucket}.${identity.node}`, JSON.stringify({ watermark: 'lots' }));
    await nc.close();

    await waitFor(() => node.status.invalidValues >= before + 2, { timeoutMs: 15_000, message: 'both reported' });
    expect(node.status.lastError).toMatch(/ignored a malformed value of inv_(catalog|watermarks)/);
    expect((await projection(db, NAMES.catalogBucket, 'SKU-A'))?.value).toMatchObject({
      name: 'Apple',
      priceCents: 120,
    });
    expect(node.status.hubWatermark?.watermark ?? 0).toBe(0);
  });

  it('keeps what it pulled, with its asOf, when the terminal restarts while offline', async () => {
    const node = nodes[0];
    if (!node) throw new Error('the first test starts the node');
    await node.record([goodsReceived('po-1', 'SKU-A', 10)], { correlationId: 'c-1' });
    const db = node.log.db;
    await waitFor(async () => (await projection(db, NAMES.stockBucket, 'store-1.SKU-A'))?.value.onHand === 10, {
      timeoutMs: 15_000,
      message: 'stock pulled',
    });
    await waitFor(() => node.status.hubWatermark?.watermark === 1, { timeoutMs: 15_000 });
    const before = {
      apple: await projection(db, NAMES.catalogBucket, 'SKU-A'),
      banana: await projection(db, NAMES.catalogBucket, 'SKU-B'),
      stock: await projection(db, NAMES.stockBucket, 'store-1.SKU-A'),
    };

    await node.stop();
    await db.close();
    await server.stop();

    const reopened = await openTestDb(DB_NAME);
    const again = await startTestNode(IDENTITY, server, { db: reopened });
    nodes.push(again);
    expect(again.status.connected).toBe(false);
    expect(again.status.restoring).toBe(false);
    expect(again.log.seq).toBe(1);

    const after = {
      apple: await projection(reopened, NAMES.catalogBucket, 'SKU-A'),
      banana: await projection(reopened, NAMES.catalogBucket, 'SKU-B'),
      stock: await projection(reopened, NAMES.stockBucket, 'store-1.SKU-A'),
    };
    expect(after).toEqual(before);
    expect(after.stock?.asOf).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(after.banana?.value).toMatchObject({ sku: 'SKU-B', name: 'Banana', priceCents: 80 });

    const stock = (await localStock(reopened, IDENTITY)).get('SKU-A');
    expect(stock).toMatchObject({ onHand: 10, reserved: 1, hubAsOf: before.stock?.asOf, unappliedEvents: 0 });
  });
});
