import type { HubHandle } from '@stocknerve/hub';
import { stockFiguresByCell } from '@stocknerve/hub';
import { recordHubFacts, startTestHub } from '@stocknerve/hub/testing';
import type { NodeIdentity } from '@stocknerve/protocol';
import { type NatsServerProcess, startNatsServer, waitFor } from '@stocknerve/test-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncClient } from './sync-client.js';
import { defineStore, goodsReceived, hubNodeProgress, pureStockFigures, saleOf } from './testing/int-kit.js';
import { startTestNode } from './testing/sync-fixture.js';

// A till keeps recording while NATS is down (a graceful stop this time), shows the backlog in its
// status, and sends all of it once the server is back.

const IDENTITY: NodeIdentity = { node: 'store-1-t1', location: 'store-1', region: 'north' };
const N = 40;

let server: NatsServerProcess;
let hub: HubHandle;
let node: SyncClient | undefined;

beforeAll(async () => {
  server = await startNatsServer();
  hub = await startTestHub(server);
  await recordHubFacts(hub, [defineStore('store-1')]);
});

afterAll(async () => {
  await node?.stop();
  await node?.log.db.close();
  await hub?.close();
  await server?.dispose();
});

describe('offline backlog', () => {
  it('records while NATS is stopped, reports the backlog, and delivers all of it after the restart', async () => {
    node = await startTestNode(IDENTITY, server);
    const client = node;
    await waitFor(() => client.status.connected, { timeoutMs: 15_000, message: 'node connected' });

    await server.stop();
    await waitFor(() => !client.status.connected, { timeoutMs: 15_000, message: 'node offline' });

    for (let i = 1; i <= N; i++) {
      const decided = i % 2 === 1 ? goodsReceived(`po-${i}`, 'SKU-1', 10) : saleOf(`r-${i}`, 'SKU-1', 3);
      await client.record([decided], { correlationId: `c-${i}` });
    }
    await waitFor(() => client.status.pending === N, { timeoutMs: 10_000, message: `pending ${N}` });
    expect(client.status.connected).toBe(false);
    expect(client.status.lastSeq).toBe(N);
    const firstAge = client.status.oldestPendingAgeMs ?? -1;
    expect(firstAge).toBeGreaterThanOrEqual(0);
    // The age is refreshed every second while the backlog waits.
    await waitFor(() => (client.status.oldestPendingAgeMs ?? 0) >= firstAge + 1000, {
      timeoutMs: 10_000,
      message: 'oldest pending age growing',
    });
    expect(client.status.pending).toBe(N);
    expect(hubNodeProgress(hub, IDENTITY.node).maxSeq).toBe(0);

    await server.restart();
    await waitFor(() => client.status.connected && client.status.pending === 0, {
      timeoutMs: 30_000,
      message: 'backlog acked',
    });
    expect(client.status.oldestPendingAgeMs).toBeNull();
    // The hub reconnects by itself and applies all of them.
    await waitFor(() => hubNodeProgress(hub, IDENTITY.node).watermark === N, {
      timeoutMs: 30_000,
      message: 'hub applied the backlog',
    });
    expect(hubNodeProgress(hub, IDENTITY.node)).toEqual({
      watermark: N,
      maxSeq: N,
      eventsApplied: N,
      seqsAboveWatermark: 0,
    });
    expect(stockFiguresByCell(hub.ctx.store).get('store-1/SKU-1')).toEqual(
      pureStockFigures(await client.log.all()).get('store-1/SKU-1'),
    );
    expect(stockFiguresByCell(hub.ctx.store).get('store-1/SKU-1')?.onHand).toBe((N / 2) * 10 - (N / 2) * 3);
  });
});
