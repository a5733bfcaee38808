import { join } from 'node:path';
import { type JetStreamClient, type JetStreamManager, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import type { DecidedEvent } from '@stocknerve/domain';
import { eventFactory } from '@stocknerve/domain/testing';
import { NAMES } from '@stocknerve/protocol';
import { makeTempDir, type NatsServerProcess, removeTempDir, startNatsServer, waitFor } from '@stocknerve/test-harness';
import { afterEach, describe, expect, it } from 'vitest';
import type { HubHandle } from '../hub.js';
import { natsClient, publishStoreEvents, recordHubFacts, startTestHub } from '../testing/hub-fixture.js';
import { stockFiguresByCell } from '../views/dump-views.js';

// The stream is the system of record and the views follow it from a checkpoint. When the stream or
// the projector's consumer changes under the hub, /health must say so, and never say "ok" over a
// stream that lost events, until an operator acts.

interface Health {
  status: 'ok' | 'degraded';
  checkpoint: number;
  reasons: { code: string; message: string }[];
}

const CHECK_MS = 200;

let server: NatsServerProcess | undefined;
let hub: HubHandle | undefined;
let nc: NatsConnection | undefined;
let dir: string | undefined;

afterEach(async () => {
  await nc?.close();
  await hub?.close();
  await server?.dispose();
  if (dir) await removeTempDir(dir);
  server = hub = nc = dir = undefined;
});

const startHubOn = async (s: NatsServerProcess, dbPath: string) =>
  startTestHub(s, { dbPath, integrityCheckMs: CHECK_MS, duplicateWindowMs: 1000 });

/** A NATS server, a hub with its views in a file, an operator's client, and store-1 defined. */
const setUp = async (): Promise<{
  s: NatsServerProcess;
  h: HubHandle;
  js: JetStreamClient;
  jsm: JetStreamManager;
  dbPath: string;
}> => {
  server = await startNatsServer();
  dir = await makeTempDir('stocknerve-integrity');
  const dbPath = join(dir, 'views.sqlite');
  hub = await startHubOn(server, dbPath);
  const client = await natsClient(server);
  nc = client.nc;
  await recordHubFacts(hub, [
    { type: 'LocationDefined', data: { location: 'store-1', region: 'north', kind: 'store', name: 'Store 1' } },
  ]);
  return { s: server, h: hub, js: client.js, jsm: await jetstreamManager(client.nc), dbPath };
};

const till = () => eventFactory({ location: 'store-1', node: 'store-1-t1', startMs: Date.now() - 60_000, stepMs: 1 });
const received = (qty: number, po: string): DecidedEvent => ({
  type: 'GoodsReceived',
  data: { purchaseOrderId: po, lines: [{ sku: 'SKU-1', qty }] },
});

const health = async (h: HubHandle): Promise<{ http: number; body: Health }> => {
  const res = await fetch(`${h.url}/health`);
  return { http: res.status, body: (await res.json()) as Health };
};

/** Waits until /health answers `http` with a reason of `code` (or, for 200, none at all). */
const untilHealth = (h: HubHandle, http: number, code?: string) =>
  waitFor(
    async () => {
      const got = await health(h);
      if (got.http !== http) return null;
      if (code === undefined) return got.body.reasons.length === 0 ? got : null;
      return got.body.reasons.some((r) => r.code === code) ? got : null;
    },
    { timeoutMs: 15_000, message: `/health ${http} ${code ?? 'ok'}` },
  );

const onHand = (h: HubHandle) => stockFiguresByCell(h.ctx.store).get('store-1/SKU-1')?.onHand ?? 0;
const appliedThrough = (h: HubHandle, seq: number) =>
  waitFor(() => h.ctx.projector.checkpoint >= seq, { timeoutMs: 15_000, message: `checkpoint ${seq}` });

describe('stream integrity', () => {
  it('reports a durable consumer deleted under the hub, recreates it and goes on projecting', async () => {
    const { h, js, jsm } = await setUp();
    const t1 = till();
    await appliedThrough(h, Math.max(...(await publishStoreEvents(js, 'north', [t1.next(received(5, 'po-1'))]))));
    expect((await health(h)).http).toBe(200);

    await jsm.consumers.delete(NAMES.eventStream, h.ctx.projector.consumerName);
    const degraded = await untilHealth(h, 503, 'consumer-missing');
    expect(degraded.body.status).toBe('degraded');
    expect(degraded.body.reasons.find((r) => r.code === 'consumer-missing')?.message).toMatch(
      /recreated from checkpoint/,
    );
    await untilHealth(h, 200);
    expect(await jsm.consumers.info(NAMES.eventStream, h.ctx.projector.consumerName)).toBeTruthy();

    await appliedThrough(h, Math.max(...(await publishStoreEvents(js, 'north', [t1.next(received(3, 'po-2'))]))));
    expect(onHand(h)).toBe(8);
    const metrics = await (await fetch(`${h.url}/metrics`)).text();
    expect(metrics).toContain('stocknerve_stream_integrity_problems{reason="consumer-missing"} 0');
  });

  it('stays degraded after the stream is purged, though it goes on projecting, until a rebuild acknowledges it', async () => {
    const { h, js, jsm } = await setUp();
    const t1 = till();
    await appliedThrough(h, Math.max(...(await publishStoreEvents(js, 'north', [t1.next(received(5, 'po-1'))]))));
    await jsm.streams.purge(NAMES.eventStream);
    const degraded = await untilHealth(h, 503, 'stream-purged');
    expect(degraded.body.reasons.find((r) => r.code === 'stream-purged')?.message).toMatch(
      /purged from the system of record/,
    );
    const metrics = await (await fetch(`${h.url}/metrics`)).text();
    expect(metrics).toContain('stocknerve_stream_integrity_problems{reason="stream-purged"} 1');

    await appliedThrough(h, Math.max(...(await publishStoreEvents(js, 'north', [t1.next(received(3, 'po-2'))]))));
    expect(onHand(h)).toBe(8);
    await new Promise((r) => setTimeout(r, 3 * CHECK_MS));
    expect((await health(h)).http).toBe(503);

    // The operator's acknowledgement: the views become what the stream holds, which lost the store's
    // definition with the rest (its later receipt is dead-lettered, unknown location).
    await h.ctx.rebuild();
    await untilHealth(h, 200);
    expect(onHand(h)).toBe(0);
    expect(h.ctx.store.get('SELECT count FROM dead_letters WHERE reason = ?', 'unknown-location')).toEqual({
      count: 1,
    });
  });

  it('reports the stream deleted, then created anew, and does not project the new one until a rebuild', async () => {
    const { h, js, jsm } = await setUp();
    const t1 = till();
    await appliedThrough(h, Math.max(...(await publishStoreEvents(js, 'north', [t1.next(received(5, 'po-1'))]))));
    const { config } = await jsm.streams.info(NAMES.eventStream);
    await jsm.streams.delete(NAMES.eventStream);
    await untilHealth(h, 503, 'stream-missing');

    await jsm.streams.add({ ...config });
    await untilHealth(h, 503, 'stream-recreated');
    const checkpoint = h.ctx.projector.checkpoint;
    const [seq] = await publishStoreEvents(js, 'north', [t1.next(received(3, 'po-2'))]);
    expect(seq).toBe(1);
    await new Promise((r) => setTimeout(r, 5 * CHECK_MS));
    expect(h.ctx.projector.checkpoint).toBe(checkpoint);
    expect(onHand(h)).toBe(5);
    expect((await health(h)).http).toBe(503);

    await h.ctx.rebuild();
    await untilHealth(h, 200);
    expect(h.ctx.projector.checkpoint).toBe(1);
  });

  it('is degraded from its first answer when restarted after a purge, and after the stream was deleted', async () => {
    const { s, js, jsm, dbPath } = await setUp();
    const t1 = till();
    await appliedThrough(
      hub as HubHandle,
      Math.max(
        ...(await publishStoreEvents(js, 'north', [t1.next(received(5, 'po-1')), t1.next(received(2, 'po-2'))])),
      ),
    );
    await hub?.close();
    hub = undefined;
    await jsm.streams.purge(NAMES.eventStream);
    hub = await startHubOn(s, dbPath);
    for (let i = 0; i < 5; i++) {
      const got = await health(hub);
      expect(got.http).toBe(503);
      expect(got.body.reasons.map((r) => r.code)).toContain('stream-purged');
      await new Promise((r) => setTimeout(r, CHECK_MS));
    }
    expect(onHand(hub)).toBe(7);

    // Deleted while the hub is down: the hub creates an empty stream at start, which it must not
    // take for the one whose newest messages were lost (the views are kept, not rebuilt from it).
    await hub.close();
    hub = undefined;
    await jsm.streams.delete(NAMES.eventStream);
    hub = await startHubOn(s, dbPath);
    const got = await health(hub);
    expect(got.http).toBe(503);
    expect(got.body.reasons.map((r) => r.code)).toEqual(['stream-recreated']);
    expect(onHand(hub)).toBe(7);
  });
});
