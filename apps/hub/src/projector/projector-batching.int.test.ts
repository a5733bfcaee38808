import { eventFactory } from '@stocknerve/domain/testing';
import { type NatsServerProcess, startNatsServer, waitFor } from '@stocknerve/test-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HubHandle } from '../hub.js';
import { natsClient, publishStoreEvents, recordHubFacts, startTestHub } from '../testing/hub-fixture.js';

let server: NatsServerProcess;
let hub: HubHandle | undefined;

beforeAll(async () => {
  server = await startNatsServer();
});

afterAll(async () => {
  await hub?.close();
  await server?.dispose();
});

describe('projector batches', () => {
  // A commit writes every page its batch dirtied, so under a backlog the projector must fill its
  // batches instead of committing whatever arrived before a pause in delivery.
  it('commits full batches when it starts behind a backlog', async () => {
    const setup = await startTestHub(server);
    await recordHubFacts(setup, [
      { type: 'LocationDefined', data: { location: 'store-1', region: 'north', kind: 'store', name: 'S1' } },
    ]);
    await setup.close();

    const till = eventFactory({ location: 'store-1', node: 'store-1-t1', startMs: Date.UTC(2026, 5, 1, 9) });
    const events = Array.from({ length: 3_000 }, (_, i) =>
      till.next({
        type: 'GoodsReceived',
        data: { purchaseOrderId: `po-${i}`, lines: [{ sku: `SKU-${i % 50}`, qty: 2 }] },
      }),
    );
    const { nc, js } = await natsClient(server);
    const seqs = await publishStoreEvents(js, 'north', events);
    await nc.close();
    const last = Math.max(...seqs);

    // The views are in memory: this hub replays the whole stream (location definition included).
    hub = await startTestHub(server, { batchSize: 500 });
    const started = hub;
    await waitFor(() => started.ctx.projector.checkpoint >= last, { timeoutMs: 30_000 });
    expect(started.ctx.metrics.eventsApplied).toBe(last);
    // 3,001 messages in batches of 500: six full ones and the rest. Committing after a 2 ms pause in
    // delivery (as the projector used to) made 7-10 here.
    expect(started.ctx.metrics.batches).toBe(7);
  });
});
