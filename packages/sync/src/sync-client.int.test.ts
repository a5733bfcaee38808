import type { HubHandle } from '@stocknerve/hub';
import { recordHubFacts, startTestHub } from '@stocknerve/hub/testing';
import { type NatsServerProcess, startNatsServer, waitFor } from '@stocknerve/test-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localStock } from './local-projection.js';
import { startTestNode } from './testing/sync-fixture.js';

let server: NatsServerProcess;
let hub: HubHandle;

beforeAll(async () => {
  server = await startNatsServer();
  hub = await startTestHub(server);
  await recordHubFacts(hub, [
    { type: 'LocationDefined', data: { location: 'store-1', region: 'north', kind: 'store', name: 'One' } },
  ]);
});
afterAll(async () => {
  await hub?.close();
  await server?.dispose();
});

describe('sync client (smoke)', () => {
  it('records a sale offline-first and the hub applies it', async () => {
    const node = await startTestNode({ node: 'store-1-t1', location: 'store-1', region: 'north' }, server);
    await node.record(
      [{ type: 'GoodsReceived', data: { purchaseOrderId: 'po-1', lines: [{ sku: 'SKU-1', qty: 10 }] } }],
      { correlationId: 'c-1' },
    );
    await node.record(
      [
        {
          type: 'SaleRecorded',
          data: {
            receiptId: 'r-1',
            currency: 'EUR',
            totalCents: 100,
            lines: [{ sku: 'SKU-1', qty: 2, unitPriceCents: 50 }],
          },
        },
      ],
      { correlationId: 'c-2' },
    );
    await waitFor(() => node.status.pending === 0 && node.status.hubWatermark?.watermark === 2, { timeoutMs: 15_000 });
    const row = hub.ctx.store.get<{ on_hand: number }>(
      "SELECT on_hand FROM stock WHERE location = 'store-1' AND sku = 'SKU-1'",
    );
    expect(row?.on_hand).toBe(8);
    // The stock and watermark watches deliver independently: wait until the stock covers both events.
    await waitFor(async () => (await localStock(node.log.db, node.log.identity)).get('SKU-1')?.onHand === 8, {
      timeoutMs: 10_000,
    });
    expect((await localStock(node.log.db, node.log.identity)).get('SKU-1')).toMatchObject({
      onHand: 8,
      unappliedEvents: 0,
    });
    await node.stop();
  });
});
