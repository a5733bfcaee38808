import type { HubHandle } from '@stocknerve/hub';
import { recordHubFacts, startTestHub } from '@stocknerve/hub/testing';
import { type NatsServerProcess, startNatsServer, waitFor } from '@stocknerve/test-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemEntropy } from './local-db/event-log.js';
import type { SyncClient } from './sync-client.js';
import { startTestNode } from './testing/sync-fixture.js';

// A terminal asks the hub for its time on every connect (and every `clockCheckMs`), so a till whose
// clock is wrong knows it before its counts reach the hub.

const HOUR = 3_600_000;
const SKEW = 3 * HOUR + 12 * 60_000;

let server: NatsServerProcess;
let hub: HubHandle;
const nodes: SyncClient[] = [];

beforeAll(async () => {
  server = await startNatsServer();
  hub = await startTestHub(server);
  await recordHubFacts(hub, [
    { type: 'LocationDefined', data: { location: 'store-1', region: 'north', kind: 'store', name: 'One' } },
  ]);
});
afterAll(async () => {
  for (const n of nodes) await n.stop();
  await hub?.close();
  await server?.dispose();
});

/** A terminal of store-1 whose clock is `offset()` ms off. */
const terminal = async (node: string, offset: () => number, clockCheckMs = 200) => {
  const client = await startTestNode({ node, location: 'store-1', region: 'north' }, server, {
    entropy: { now: () => Date.now() + offset(), random: systemEntropy.random },
    clockCheckMs,
  });
  nodes.push(client);
  return client;
};

const checked = (client: SyncClient, after = 0) =>
  waitFor(() => ((client.status.clock?.checkedAt ?? 0) > after ? client.status.clock : null), {
    timeoutMs: 10_000,
    message: 'a clock check',
  });

const onHandAtHub = () =>
  hub.ctx.store.get<{ on_hand: number }>("SELECT on_hand FROM stock WHERE location = 'store-1' AND sku = 'SKU-1'")
    ?.on_hand;

describe('the terminal’s clock check', () => {
  it('finds a right clock right', async () => {
    const clock = await checked(await terminal('store-1-t1', () => 0));
    expect(clock.ok).toBe(true);
    expect(Math.abs(clock.skewMs)).toBeLessThan(1000);
    expect(clock.maxSkewMs).toBe(hub.ctx.config.maxClockSkewMs);
  });

  it('finds a clock 3 h 12 min ahead wrong; once it is fixed, says so and stamps from the right time again', async () => {
    let offset = SKEW;
    const till = await terminal('store-1-t2', () => offset);
    const wrong = await checked(till);
    expect(wrong.ok).toBe(false);
    expect(Math.abs(wrong.skewMs - SKEW)).toBeLessThan(1000);
    await till.record(
      [{ type: 'GoodsReceived', data: { purchaseOrderId: 'po-1', lines: [{ sku: 'SKU-1', qty: 10 }] } }],
      {
        correlationId: 'c-1',
      },
    );
    expect(till.log.clockWallMs).toBeGreaterThan(Date.now() + SKEW - 60_000);

    offset = 0;
    const fixed = await waitFor(() => (till.status.clock?.ok ? till.status.clock : null), {
      message: 'clock right again',
    });
    expect(Math.abs(fixed.skewMs)).toBeLessThan(1000);
    expect(till.log.clockWallMs).toBeLessThan(Date.now() + 60_000);
    // A count now carries the right time: the hub applies it instead of holding it.
    await till.record(
      [{ type: 'CycleCounted', data: { countId: 'cnt-1', lines: [{ sku: 'SKU-1', countedQty: 7 }] } }],
      {
        correlationId: 'c-2',
      },
    );
    await waitFor(() => onHandAtHub() === 7, { timeoutMs: 15_000, message: 'count applied at the hub' });
    expect(hub.ctx.store.get("SELECT count FROM dead_letters WHERE reason = 'clock-skew'")).toBeUndefined();
  });

  it('asks again on every connect', async () => {
    const till = await terminal('store-1-t3', () => 0, 600_000);
    const first = await checked(till);
    await server.restart();
    const again = await checked(till, first.checkedAt);
    expect(again.ok).toBe(true);
  });
});
