import type { HubHandle } from '@stocknerve/hub';
import { recordHubFacts, startTestHub } from '@stocknerve/hub/testing';
import type { NodeIdentity } from '@stocknerve/protocol';
import { type NatsServerProcess, startNatsServer, waitFor } from '@stocknerve/test-harness';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SyncClient } from '../sync-client.js';
import { defineStore, goodsReceived, hubNodeProgress, hubOnHand } from '../testing/int-kit.js';
import { openTestDb, wsTransport } from '../testing/sync-fixture.js';

// NATS over TLS with a private CA (as a retailer's own PKI issues): the hub connects with tls:// and
// its CA file (NATS_CA), a terminal with wss:// and the same CA.

const TILL: NodeIdentity = { node: 'store-1-t1', location: 'store-1', region: 'north' };

let server: NatsServerProcess;
let hub: HubHandle;
let node: SyncClient | undefined;

beforeAll(async () => {
  server = await startNatsServer({ tls: true });
  hub = await startTestHub(server);
  await recordHubFacts(hub, [defineStore('store-1')]);
}, 60_000);

afterAll(async () => {
  await node?.stop();
  await hub?.close();
  await server?.dispose();
});

it('replicates a terminal over wss:// to a hub on tls://, both trusting the private CA', async () => {
  expect(server.url).toMatch(/^tls:/);
  expect(hub.ctx.config.natsCa).toBe(server.tls?.caFile);
  const credentials = await server.auth?.terminal(TILL);
  node = new SyncClient({
    identity: TILL,
    db: await openTestDb(),
    connect: wsTransport(server.wsUrl, credentials, server.tls?.ca),
    heartbeatMs: 1000,
  });
  await node.start();
  await node.record([goodsReceived('po-1', 'SKU-1', 4)], { correlationId: 'c-1' });
  await waitFor(() => node?.status.pending === 0 && hubNodeProgress(hub, TILL.node).watermark === 1, {
    timeoutMs: 20_000,
    message: 'acked over wss and applied by the hub over tls',
  });
  expect(hubOnHand(hub, 'store-1', 'SKU-1')).toBe(4);
});

it('refuses a terminal that does not trust the CA', async () => {
  const credentials = await server.auth?.terminal({ ...TILL, node: 'store-1-t2' });
  const untrusting = wsTransport(server.wsUrl, credentials);
  await expect(untrusting()).rejects.toThrow();
});
