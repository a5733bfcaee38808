import type { HubHandle } from '@stocknerve/hub';
import { recordHubFacts, startTestHub } from '@stocknerve/hub/testing';
import type { NodeIdentity } from '@stocknerve/protocol';
import { type NatsServerProcess, startNatsServer, waitFor } from '@stocknerve/test-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localStock } from './local-projection.js';
import type { SyncClient } from './sync-client.js';
import { defineStore, goodsReceived, hubNodeProgress, hubOnHand, saleOf } from './testing/int-kit.js';
import { startTestNode } from './testing/sync-fixture.js';

// The till's own figures: the hub's last confirmed stock plus this node's events the hub has not
// applied yet, so a sale shows at once, online or not.

const TILL_1: NodeIdentity = { node: 'store-1-t1', location: 'store-1', region: 'north' };
const TILL_2: NodeIdentity = { node: 'store-1-t2', location: 'store-1', region: 'north' };

let server: NatsServerProcess;
let hub: HubHandle;
const nodes: SyncClient[] = [];

beforeAll(async () => {
  server = await startNatsServer();
  hub = await startTestHub(server);
  await recordHubFacts(hub, [defineStore('store-1')]);
});

afterAll(async () => {
  for (const n of nodes) await n.stop();
  for (const n of nodes) await n.log.db.close();
  await hub?.close();
  await server?.dispose();
});

describe('local projection', () => {
  it('is the hub figures plus the node’s own unapplied events, offline included', async () => {
    const till = await startTestNode(TILL_1, server);
    const other = await startTestNode(TILL_2, server);
    nodes.push(till, other);
    const stockOf = async (sku: string) => (await localStock(till.log.db, TILL_1)).get(sku);

    await till.record([goodsReceived('po-1', 'SKU-L', 10)], { correlationId: 'c-1' });
    // Another till of the store sells one: it reaches this till through the hub's figures.
    await other.record([saleOf('r-other', 'SKU-L', 1)], { correlationId: 'c-other' });
    await waitFor(async () => (await stockOf('SKU-L'))?.onHand === 9 && till.status.hubWatermark?.watermark === 1, {
      timeoutMs: 15_000,
      message: 'hub figures pulled',
    });
    const online = await stockOf('SKU-L');
    expect(online).toMatchObject({ onHand: 9, unappliedEvents: 0, available: 9 });
    const hubAsOf = online?.hubAsOf;
    expect(hubAsOf).toMatch(/^\d{4}-/);

    await server.stop();
    await waitFor(() => !till.status.connected, { timeoutMs: 15_000, message: 'offline' });

    // A sale offline shows at once, on top of the hub's (older) figures.
    await till.record([saleOf('r-1', 'SKU-L', 3)], { correlationId: 'c-2' });
    expect(await stockOf('SKU-L')).toMatchObject({ onHand: 6, unappliedEvents: 1, hubAsOf });

    // An unapplied local count sets on hand; this node's later deltas move it.
    await till.record(
      [{ type: 'CycleCounted', data: { countId: 'cc-1', lines: [{ sku: 'SKU-L', countedQty: 20 }] } }],
      {
        correlationId: 'c-3',
      },
    );
    expect(await stockOf('SKU-L')).toMatchObject({ onHand: 20, unappliedEvents: 2 });
    await till.record([saleOf('r-2', 'SKU-L', 2)], { correlationId: 'c-4' });
    expect(await stockOf('SKU-L')).toMatchObject({ onHand: 18, unappliedEvents: 3, hubAsOf });

    // A SKU the hub has no figures for yet.
    await till.record([goodsReceived('po-2', 'SKU-N', 5)], { correlationId: 'c-5' });
    expect(await stockOf('SKU-N')).toMatchObject({ onHand: 5, unappliedEvents: 1, hubAsOf: null });

    // Back online: the hub applies them and the local figures become the hub's own.
    await server.restart();
    await waitFor(() => hubNodeProgress(hub, TILL_1.node).watermark === 5, { timeoutMs: 30_000 });
    expect(hubOnHand(hub, 'store-1', 'SKU-L')).toBe(18);
    expect(hubOnHand(hub, 'store-1', 'SKU-N')).toBe(5);
    await waitFor(
      async () => {
        const [l, n] = [await stockOf('SKU-L'), await stockOf('SKU-N')];
        return l?.unappliedEvents === 0 && l.onHand === 18 && n?.unappliedEvents === 0 && n.hubAsOf !== null;
      },
      { timeoutMs: 15_000, message: 'local figures from the hub again' },
    );
    expect((await stockOf('SKU-L'))?.hubAsOf).not.toBe(hubAsOf);
    expect((await stockOf('SKU-N'))?.onHand).toBe(5);
  });
});
