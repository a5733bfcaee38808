import type { HubHandle } from '@stocknerve/hub';
import { recordHubFacts, startTestHub } from '@stocknerve/hub/testing';
import type { NodeIdentity } from '@stocknerve/protocol';
import { type NatsServerProcess, startNatsServer, waitFor } from '@stocknerve/test-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncClient } from './sync-client.js';
import { defineStore, distinctRuns, goodsReceived, isSubsequence, linkState, recordValues } from './testing/int-kit.js';
import { openTestDb, terminalTransport } from './testing/sync-fixture.js';

// What the UI's sync badge follows: `status$` emits every change of connection and backlog.

const IDENTITY: NodeIdentity = { node: 'store-1-t1', location: 'store-1', region: 'north' };

let server: NatsServerProcess;
let hub: HubHandle;
let client: SyncClient | undefined;

beforeAll(async () => {
  server = await startNatsServer();
  hub = await startTestHub(server);
  await recordHubFacts(hub, [defineStore('store-1')]);
});

afterAll(async () => {
  await client?.stop();
  await client?.log.db.close();
  await hub?.close();
  await server?.dispose();
});

describe('status$', () => {
  it('emits connection and pending changes in order', async () => {
    const node = new SyncClient({
      identity: IDENTITY,
      db: await openTestDb(),
      connect: await terminalTransport(server, IDENTITY),
      heartbeatMs: 1000,
    });
    client = node;
    const trail = recordValues(node.status$);
    await node.start();
    await waitFor(() => node.status.connected && !node.status.restoring, { timeoutMs: 15_000 });

    await server.stop();
    await waitFor(() => !node.status.connected, { timeoutMs: 15_000, message: 'offline' });
    await node.record(
      [goodsReceived('po-1', 'SKU-1', 1), goodsReceived('po-2', 'SKU-1', 2), goodsReceived('po-3', 'SKU-1', 3)],
      { correlationId: 'c-1' },
    );
    await waitFor(() => node.status.pending === 3, { timeoutMs: 10_000, message: 'pending 3' });

    await server.restart();
    await waitFor(() => node.status.connected && node.status.pending === 0, { timeoutMs: 30_000 });
    trail.stop();

    const links = distinctRuns(trail.values.map(linkState));
    expect(links[0]).toBe('offline/0');
    expect(
      isSubsequence(['offline/0', 'online/0', 'offline/0', 'offline/3', 'online/3', 'online/0'], links),
      links.join(' → '),
    ).toBe(true);
    // A new (empty) node first asks the hub for a restore, and says so.
    expect(distinctRuns(trail.values.map((s) => s.restoring))).toEqual([false, true, false]);
    // While events wait, their age is known; once acked, the age is gone and the ack time is set.
    const waiting = trail.values.filter((s) => s.pending > 0);
    expect(waiting.length).toBeGreaterThan(0);
    expect(waiting.every((s) => s.oldestPendingAgeMs !== null && s.lastSeq === 3)).toBe(true);
    const last = trail.values.at(-1);
    expect(last).toMatchObject({ connected: true, pending: 0, oldestPendingAgeMs: null, lastSeq: 3 });
    expect(last?.lastAckAt).toBeGreaterThan(0);
  });
});
