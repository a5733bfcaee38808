import type { JetStreamClient } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { hubEventSubject } from '@stocknerve/protocol';
import { type NatsServerProcess, startNatsServer, waitFor } from '@stocknerve/test-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HubHandle } from '../hub.js';
import { natsClient, recordHubFacts, startTestHub } from '../testing/hub-fixture.js';

let server: NatsServerProcess;
let hub: HubHandle;
let nc: NatsConnection;
let js: JetStreamClient;

beforeAll(async () => {
  server = await startNatsServer();
  hub = await startTestHub(server);
  ({ nc, js } = await natsClient(server));
});
afterAll(async () => {
  await nc?.close();
  await hub?.close();
  await server?.dispose();
});

const defineStore = (location: string) =>
  hub.ctx.bus.execute(
    { type: 'DefineLocation', data: { location, region: 'north', kind: 'store', name: location } },
    { correlationId: `define-${location}` },
  );

describe('the hub’s single writer', () => {
  it('refuses only the command a stray publisher on the hub subject interrupted, then carries on', async () => {
    await recordHubFacts(hub, [
      { type: 'LocationDefined', data: { location: 'store-1', region: 'north', kind: 'store', name: 'One' } },
    ]);
    const stray = await js.publish(hubEventSubject(), '{"not":"an event"}', { msgID: 'stray-1' });
    await expect(defineStore('store-2')).rejects.toThrow(/wrong last sequence/i);
    expect(hub.ctx.bus.stats.fenced).toBe(1);
    const next = await defineStore('store-3');
    expect(next.events).toHaveLength(1);
    await waitFor(() => hub.ctx.projector.checkpoint > stray.seq, { timeoutMs: 10_000 });
    expect(
      hub.ctx.store.get<{ count: number }>("SELECT count FROM dead_letters WHERE reason = 'invalid-envelope'")?.count,
    ).toBe(1);
    expect(
      hub.ctx.store
        .all<{ location: string }>('SELECT location FROM locations ORDER BY location')
        .map((r) => r.location),
    ).toEqual(['store-1', 'store-3']);
  });

  it('continues the hub’s seq and HLC after a restart on the same views and stream', async () => {
    const before = hub.ctx.store.get<{ max_seq: number; last_event_hlc: string }>(
      "SELECT max_seq, last_event_hlc FROM node_status WHERE node = 'hub'",
    );
    const restarted = await startTestHub(server, { dbPath: ':memory:' });
    try {
      const result = await restarted.ctx.bus.execute(
        { type: 'DefineLocation', data: { location: 'store-4', region: 'north', kind: 'store', name: 'Four' } },
        { correlationId: 'after-restart' },
      );
      const [event] = result.events;
      expect(event?.seq).toBe((before?.max_seq ?? 0) + 1);
      expect(event && before && event.hlc > before.last_event_hlc).toBe(true);
    } finally {
      await restarted.close();
    }
  });
});
