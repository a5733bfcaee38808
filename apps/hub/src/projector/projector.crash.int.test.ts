import { join } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import {
  type DecidedEvent,
  foldEvents,
  HUB_LOCATION,
  HUB_NODE,
  type InventoryEvent,
  initialInventoryState,
  stockFiguresOf,
} from '@stocknerve/domain';
import { eventFactory } from '@stocknerve/domain/testing';
import { hubEventSubject } from '@stocknerve/protocol';
import {
  freePort,
  makeTempDir,
  type NatsServerProcess,
  removeTempDir,
  startNatsServer,
  waitFor,
} from '@stocknerve/test-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../logger.js';
import { ensureViewSchema } from '../store/schema.js';
import { openSqliteStore } from '../store/sql-store.js';
import { ADMIN_TOKEN, hubNatsEnv, publishStoreEvents, spawnHubProcess } from '../testing/hub-fixture.js';
import { dumpViews, stockFiguresByCell } from '../views/dump-views.js';
import { rebuildViews } from './rebuild.js';
import { ViewWriter } from './view-writer.js';

const NODES = 4;
const EVENTS_PER_NODE = 4000;

/** A busy day at two stores: receipts, then sales and the odd adjustment, from four terminals. */
const busyDay = (): InventoryEvent[][] =>
  Array.from({ length: NODES }, (_, n) => {
    const location = n % 2 === 0 ? 'store-a' : 'store-b';
    const f = eventFactory({ location, node: `${location}-t${n}`, startMs: Date.UTC(2026, 10, 2, 8) + n, stepMs: 7 });
    return Array.from({ length: EVENTS_PER_NODE }, (_, i) => {
      const sku = `SKU-${i % 25}`;
      const decided: DecidedEvent =
        i % 10 === 0
          ? { type: 'GoodsReceived', data: { purchaseOrderId: `po-${n}-${i}`, lines: [{ sku, qty: 20 }] } }
          : i % 97 === 0
            ? {
                type: 'StockAdjusted',
                data: { adjustmentId: `adj-${n}-${i}`, reason: 'theft', lines: [{ sku, delta: -1 }] },
              }
            : {
                type: 'SaleRecorded',
                data: {
                  receiptId: `r-${n}-${i}`,
                  currency: 'EUR',
                  totalCents: 500,
                  lines: [{ sku, qty: 1, unitPriceCents: 500 }],
                },
              };
      return f.next(decided);
    });
  });

let server: NatsServerProcess;
let dir: string;

beforeAll(async () => {
  server = await startNatsServer();
  dir = await makeTempDir('hub-crash-');
});

afterAll(async () => {
  await server?.dispose();
  if (dir) await removeTempDir(dir);
});

const health = async (url: string) =>
  (await fetch(`${url}/health`).then((r) => r.json())) as { checkpoint: number; lagMessages: number };

describe('a hub killed between batches', () => {
  it('resumes from its checkpoint with views identical to a clean replay', async () => {
    const dbPath = join(dir, 'views.sqlite');
    const env = { ...hubNatsEnv(server), HUB_DB: dbPath, HUB_TOKENS: `${ADMIN_TOKEN}:admin`, HUB_BATCH_SIZE: '500' };
    const port = await freePort();
    let hub = await spawnHubProcess(env, port);

    const nc = await connect(server.clientOptions());
    const js = jetstream(nc);
    // The locations, as an earlier hub would have recorded them.
    const hubFacts = eventFactory({ location: HUB_LOCATION, node: HUB_NODE, startMs: Date.UTC(2026, 10, 1) });
    let lastHubSeq = 0;
    for (const location of ['store-a', 'store-b']) {
      const e = hubFacts.next({
        type: 'LocationDefined',
        data: { location, region: 'west', kind: 'store', name: location },
      });
      lastHubSeq = (await js.publish(hubEventSubject(), JSON.stringify(e), { msgID: e.id })).seq;
    }
    await waitFor(async () => (await health(hub.url)).checkpoint >= lastHubSeq, { timeoutMs: 15_000 });

    const streams = busyDay();
    const events = streams.flat();
    const publishing = (async () => {
      let last = 0;
      for (let i = 0; i < events.length; i += 1000) {
        const seqs = await publishStoreEvents(js, 'west', events.slice(i, i + 1000));
        last = Math.max(last, ...seqs);
      }
      return last;
    })();
    await waitFor(async () => (await health(hub.url)).checkpoint > lastHubSeq + 3000, {
      timeoutMs: 90_000,
      intervalMs: 10,
    });
    await hub.kill('SIGKILL');
    const lastSeq = await publishing;

    hub = await spawnHubProcess(env, port);
    try {
      await waitFor(async () => (await health(hub.url)).checkpoint >= lastSeq, { timeoutMs: 150_000 });
    } catch (error) {
      console.error('hub did not catch up', {
        lastSeq,
        health: await health(hub.url),
        output: hub.output().slice(-5000),
      });
      throw error;
    }
    await hub.kill('SIGTERM');

    const live = openSqliteStore(dbPath);
    const pure = foldEvents(events, initialInventoryState());
    const sql = stockFiguresByCell(live);
    for (const key of pure.cells.keys()) {
      const [location, sku] = key.split('/') as [string, string];
      expect(sql.get(key), key).toEqual(stockFiguresOf(pure, sku, location));
    }
    const applied = live.get<{ n: number }>('SELECT COUNT(*) AS n FROM applied_events');
    expect(applied?.n).toBe(events.length + 2);

    const replay = openSqliteStore(join(dir, 'replay.sqlite'));
    ensureViewSchema(replay);
    await rebuildViews({
      js,
      jsm: await jetstreamManager(nc),
      store: replay,
      writer: new ViewWriter(replay),
      log: createLogger('silent'),
      batchSize: 1000,
    });
    expect(dumpViews(replay)).toEqual(dumpViews(live));
    live.close();
    replay.close();
    await nc.close();
  }, 300_000);
});
