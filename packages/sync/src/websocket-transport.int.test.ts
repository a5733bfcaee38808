import { ADMIN_TOKEN, type HubProcess, hubNatsEnv, spawnHubProcess } from '@stocknerve/hub/testing';
import { NAMES, type NodeIdentity } from '@stocknerve/protocol';
import { freePort, type NatsServerProcess, startNatsServer, waitFor } from '@stocknerve/test-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localStock } from './local-projection.js';
import type { SyncClient } from './sync-client.js';
import { goodsReceived, hubApi, saleOf } from './testing/int-kit.js';
import { openTestDb, startTestNode, wsTransport } from './testing/sync-fixture.js';

// The browser's transport: NATS over WebSocket (`wsconnect`), with the `ws` package as the socket.
//
// The hub runs in its own process here. @nats-io/nats-core 3.4 keeps ONE transport factory per
// process (`setTransportFactory`, set by every `connect`/`wsconnect`), and every later dial uses
// it, reconnects of other connections included: once a WebSocket client connected, the in-process
// hub's TCP connection never comes back after a server restart (its dial speaks WebSocket to the
// TCP port). A browser node and the hub never share a process, so this is a test-only limitation.

const IDENTITY: NodeIdentity = { node: 'store-1-web', location: 'store-1', region: 'north' };

let server: NatsServerProcess;
let hubProcess: HubProcess | undefined;
let api: ReturnType<typeof hubApi>;
let node: SyncClient | undefined;

beforeAll(async () => {
  server = await startNatsServer();
  hubProcess = await spawnHubProcess(
    { ...hubNatsEnv(server), HUB_DB: ':memory:', HUB_TOKENS: `${ADMIN_TOKEN}:admin`, HUB_KV_FLUSH_MS: '50' },
    await freePort(),
  );
  api = hubApi(hubProcess.url, ADMIN_TOKEN);
  await api.defineStore('store-1');
  await api.upsertCatalogItem('SKU-W', 'Widget');
});

afterAll(async () => {
  await node?.stop();
  await node?.log.db.close();
  await hubProcess?.kill('SIGTERM');
  await server?.dispose();
});

describe('over WebSocket', () => {
  it('records, the hub applies, and the node pulls the results', async () => {
    node = await startTestNode(IDENTITY, server, {
      db: await openTestDb(),
      connect: wsTransport(server.wsUrl, await server.auth?.terminal(IDENTITY)),
    });
    const client = node;
    await client.record([goodsReceived('po-1', 'SKU-W', 12)], { correlationId: 'c-1' });
    await client.record([saleOf('r-2', 'SKU-W', 2)], { correlationId: 'c-2' });
    await waitFor(async () => client.status.pending === 0 && (await api.watermarkOf(IDENTITY.node)) === 2, {
      timeoutMs: 15_000,
      message: 'acked and applied over WebSocket',
    });
    expect(await api.onHandOf('store-1', 'SKU-W')).toBe(10);
    // The stock and watermark watches deliver independently: wait until both are the latest.
    // (12 from the hub plus the unapplied sale is 10 too: wait for the hub to cover both.)
    await waitFor(
      async () => {
        const s = (await localStock(client.log.db, IDENTITY)).get('SKU-W');
        return s?.onHand === 10 && s.unappliedEvents === 0;
      },
      { timeoutMs: 15_000, message: 'stock and watermark pulled over WebSocket' },
    );
    expect(client.status.lastPull[NAMES.catalogBucket]).toBeGreaterThan(0);
    const catalog = await client.log.db.projections.findOne(`${NAMES.catalogBucket}:SKU-W`).exec();
    expect(catalog?.value.name).toBe('Widget');
  });

  it('keeps an offline backlog across a server restart and sends it on reconnect', async () => {
    const client = node;
    if (!client) throw new Error('the first test starts the node');
    await server.kill('SIGKILL');
    await waitFor(() => !client.status.connected, { timeoutMs: 15_000, message: 'node offline' });
    for (let i = 3; i <= 12; i++) await client.record([saleOf(`r-${i}`, 'SKU-W', 1)], { correlationId: `c-${i}` });
    await waitFor(() => client.status.pending === 10, { timeoutMs: 10_000, message: 'backlog of 10' });
    expect(client.status.connected).toBe(false);

    await server.restart();
    await waitFor(() => client.status.connected && client.status.pending === 0, {
      timeoutMs: 30_000,
      message: 'backlog acked after the restart',
    });
    await waitFor(async () => (await api.watermarkOf(IDENTITY.node)) === 12, {
      timeoutMs: 30_000,
      message: 'hub applied the backlog',
    });
    expect(await api.onHandOf('store-1', 'SKU-W')).toBe(0);
    await waitFor(
      async () => {
        const s = (await localStock(client.log.db, IDENTITY)).get('SKU-W');
        return s?.unappliedEvents === 0 && s.onHand === 0;
      },
      { timeoutMs: 15_000, message: 'watermark and stock pulled again over WebSocket' },
    );
  });
});
