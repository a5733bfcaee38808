import type { InventoryEvent } from '@stocknerve/domain';
import type { HubHandle } from '@stocknerve/hub';
import { recordHubFacts, startTestHub } from '@stocknerve/hub/testing';
import type { NodeIdentity } from '@stocknerve/protocol';
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
  saleOf,
} from './testing/int-kit.js';
import { openTestDb, startTestNode } from './testing/sync-fixture.js';

// A terminal whose storage was wiped gets its log back from the hub's stream before it records
// anything, so it never reuses a seq.

const IDENTITY: NodeIdentity = { node: 'store-1-t1', location: 'store-1', region: 'north' };

let server: NatsServerProcess;
let hub: HubHandle;
const nodes: SyncClient[] = [];

beforeAll(async () => {
  server = await startNatsServer();
  hub = await startTestHub(server);
  await recordHubFacts(hub, [defineStore('store-1'), defineStore('store-2')]);
});

afterAll(async () => {
  for (const n of nodes) await n.stop();
  for (const n of nodes) if (!n.log.db.closed) await n.log.db.close();
  await hub?.close();
  await server?.dispose();
});

describe('restore from the hub', () => {
  it('rebuilds a wiped log from the stream, then continues at the next seq', async () => {
    // Another node's events share the stream: the restore must pick this node's only.
    const other = await startTestNode({ node: 'store-2-t1', location: 'store-2', region: 'north' }, server);
    nodes.push(other);
    await other.record([goodsReceived('po-o', 'SKU-1', 3)], { correlationId: 'o-1' });

    const original = await startTestNode(IDENTITY, server);
    nodes.push(original);
    await original.record([goodsReceived('po-1', 'SKU-1', 20)], { correlationId: 'c-1' });
    for (let i = 2; i <= 5; i++) await original.record([saleOf(`r-${i}`, 'SKU-1', 2)], { correlationId: `c-${i}` });
    await waitFor(() => original.status.pending === 0 && hubNodeProgress(hub, IDENTITY.node).watermark === 5, {
      timeoutMs: 15_000,
      message: 'all five acked and applied',
    });
    const before = await original.log.all();
    await original.stop();
    await original.log.db.close();

    // The terminal is replaced while the network is down: same identity, empty database.
    await server.stop();
    const wiped = await startTestNode(IDENTITY, server, { db: await openTestDb() });
    nodes.push(wiped);
    expect(wiped.status).toMatchObject({ restoring: true, connected: false, lastSeq: 0 });

    let recorded: InventoryEvent[] | undefined;
    const recording = wiped.record([saleOf('r-6', 'SKU-1', 1)], { correlationId: 'c-6' }).then((e) => {
      recorded = e;
      return e;
    });
    // `record` waits for the restore: nothing is written, no seq is handed out.
    await new Promise((r) => setTimeout(r, 500));
    expect(recorded).toBeUndefined();
    expect(wiped.log.seq).toBe(0);
    expect(wiped.status.restoring).toBe(true);

    await server.restart();
    await waitFor(() => wiped.status.connected && !wiped.status.restoring, {
      timeoutMs: 30_000,
      message: 'restore finished',
    });
    const [sixth] = await recording;
    expect(sixth?.seq).toBe(6);

    const docs = (await wiped.log.db.events.find({ selector: {}, sort: [{ seq: 'asc' }] }).exec()).map((d) =>
      d.toMutableJSON(),
    );
    expect(docs.map((d) => d.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(docs.slice(0, 5).every((d) => d.origin === 'restored' && wiped.log.ackedAtOf(d.seq) !== null)).toBe(true);
    expect(docs[5]?.origin).toBe('local');
    expect((await wiped.log.all()).slice(0, 5)).toEqual(before);

    // The hub applies the new event: no seq-conflict, the watermark moves on.
    await waitFor(() => hubNodeProgress(hub, IDENTITY.node).watermark === 6, {
      timeoutMs: 30_000,
      message: 'hub applied seq 6',
    });
    expect(hubDeadLetters(hub)).toEqual({});
    expect(hubAppliedStoreEvents(hub)).toBe(7);
    expect(hubOnHand(hub, 'store-1', 'SKU-1')).toBe(20 - 4 * 2 - 1);
    // The node learns of the ack on its own schedule (the hub may apply first).
    await waitFor(() => wiped.status.pending === 0, { timeoutMs: 15_000, message: 'seq 6 acked' });
  });
});
