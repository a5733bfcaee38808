import { join } from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import { eventFactory } from '@stocknerve/domain/testing';
import { storeEventSubject } from '@stocknerve/protocol';
import { freePort, makeTempDir, type NatsServerProcess, removeTempDir } from '@stocknerve/test-harness';
import autocannon from 'autocannon';
import { type BenchOptions, check, fig, result, type ScenarioResult } from '../lib/context.js';
import { defineLocations, HubChild, health, hubEnv, TOKENS, waitIdle } from '../lib/hub.js';
import { adminConnect, NodeConnections, startBenchNats } from '../lib/nats.js';
import { collectProfile, profileArgs } from '../lib/profile.js';
import { followProgress, nudgeProjector } from '../lib/progress.js';
import { publishAll } from '../lib/stream-lab.js';
import { Prng } from '../simulator/prng.js';
import { type WorldLayout, worldLayout } from '../simulator/world.js';

export interface ReadSize {
  readonly seconds: number;
  readonly connections: number;
}

const BATCH_SKUS = 20;
/** Seconds of load before each measured run. */
const WARMUP_SECONDS = 2;

/** autocannon's options with its `warmup` (not in @types/autocannon 7). */
type WarmedUpOptions = autocannon.Options & { warmup: { connections: number; duration: number } };

/** A storefront's headers: its bearer token, and JSON bodies. */
export const READ_HEADERS = { authorization: `Bearer ${TOKENS.ecommerce}`, 'content-type': 'application/json' };

/**
 * The read path's views: 20 stores with stock of every one of 1,000 SKUs (one delivery of 20 lines
 * per 20 SKUs, published by each store's terminal signed in as itself), applied by `hub`, which is
 * then left to go quiet (it pushes the new cells to KV for a while). Returns the world's layout.
 */
export const stockEveryCell = async (hub: HubChild, server: NatsServerProcess): Promise<WorldLayout> => {
  const layout = worldLayout({ regions: 4, locationsPerRegion: 5, nodesPerLocation: 1, skus: 1000 });
  await defineLocations(hub.url, layout.locations);
  const { checkpoint: from } = await health(hub.url);
  const events = layout.nodes.flatMap((n) => {
    const f = eventFactory({ location: n.location, node: n.node, startMs: Date.now() - 3_600_000 });
    return Array.from({ length: layout.skus.length / 20 }, (_, i) =>
      f.next({
        type: 'GoodsReceived',
        data: {
          purchaseOrderId: `po-${n.node}-${i}`,
          lines: layout.skus.slice(i * 20, i * 20 + 20).map((sku, j) => ({ sku, qty: 5 + ((i + j) % 40) })),
        },
      }),
    );
  });
  const regionOf = new Map(layout.nodes.map((n) => [n.node, n.region]));
  const subjectOf = (node: string, location: string) => storeEventSubject(regionOf.get(node) ?? '', location, node);
  const nodes = await NodeConnections.open(server, layout.nodes);
  const admin = await adminConnect(server, { name: 'bench-read-setup' });
  try {
    const published = await publishAll(
      (m) => nodes.forSubject(m.subject),
      events.length,
      (i) => {
        const e = events[i] as (typeof events)[number];
        return { subject: subjectOf(e.node, e.location), data: JSON.stringify(e), msgID: e.id };
      },
    );
    const firstNode = layout.nodes[0];
    const firstSubject = subjectOf(firstNode?.node ?? '', firstNode?.location ?? '');
    const jsm = await jetstream(admin).jetstreamManager();
    await followProgress({
      progress: async () => (await health(hub.url)).checkpoint,
      from,
      target: published.lastSeq,
      timeoutMs: 120_000,
      nudge: () => nudgeProjector(nodes.forSubject(firstSubject), jsm, firstSubject),
    });
  } finally {
    await nodes.close();
    await admin.close().catch(() => undefined);
  }
  await waitIdle(hub.pid);
  return layout;
};

/** autocannon requests for random SKUs: one SKU (GET), or a storefront page of BATCH_SKUS (POST). */
export const availabilityRequests = (skus: readonly string[], prng: Prng) => {
  const randomSku = () => skus[prng.int(0, skus.length - 1)] as string;
  return {
    single: {
      method: 'GET',
      setupRequest: (req) => ({ ...req, path: `/v1/availability/${randomSku()}` }),
    },
    batch: {
      method: 'POST',
      path: '/v1/availability/batch',
      setupRequest: (req) => ({
        ...req,
        body: JSON.stringify({ skus: Array.from({ length: BATCH_SKUS }, randomSku), channel: 'web' }),
      }),
    },
  } satisfies Record<string, autocannon.Request>;
};

/**
 * (7) Read path: 20 stores with 1,000 SKUs each in the views (20,000 cells); autocannon (in the
 * bench process) against the hub (child process): GET /v1/availability/:sku for random SKUs, then
 * POST /v1/availability/batch with 20 random SKUs (a storefront page).
 */
export const readPathScenario = async (size: ReadSize, options: BenchOptions): Promise<ScenarioResult> => {
  const r = result('read', '7. Read path (availability API under load)');
  const dir = await makeTempDir('stocknerve-bench-read');
  const server = await startBenchNats({ storeDir: join(dir, 'jetstream') });
  const prof = profileArgs(options, 'read');
  const hub = new HubChild(
    'serve',
    { ...hubEnv(server), HUB_DB: join(dir, 'views.sqlite') },
    await freePort(),
    prof.args,
  );
  try {
    await hub.ready();
    const layout = await stockEveryCell(hub, server);
    const requests = availabilityRequests(layout.skus, new Prng(`${options.seed}/read`));
    options.log(`  GET /v1/availability/:sku, ${size.connections} connections, ${size.seconds} s`);
    // Sampling starts after a warm-up at full load (the JIT compiles each route's path, the memo
    // fills), as a storefront's traffic is a steady state, not a cold start.
    const warmup = { connections: size.connections, duration: WARMUP_SECONDS };
    const singleRun: WarmedUpOptions = {
      url: hub.url,
      connections: size.connections,
      duration: size.seconds,
      warmup,
      headers: READ_HEADERS,
      requests: [requests.single],
    };
    const single = await autocannon(singleRun);
    options.log(
      `  POST /v1/availability/batch (${BATCH_SKUS} SKUs), ${size.connections} connections, ${size.seconds} s`,
    );
    const batchRun: WarmedUpOptions = {
      url: hub.url,
      connections: size.connections,
      duration: size.seconds,
      warmup,
      headers: READ_HEADERS,
      requests: [requests.batch],
    };
    const batch = await autocannon(batchRun);
    for (const [name, res] of [
      ['single', single],
      ['batch', batch],
    ] as const) {
      const rate = res.requests.average;
      r.figures.push(
        fig(`${name}: requests/s`, rate, 'req/s'),
        fig(`${name}: p50`, res.latency.p50, 'ms'),
        fig(`${name}: p99`, res.latency.p99, 'ms'),
      );
      r.targets.push(check(`${name}: p99`, res.latency.p99, '<', 20, 'ms'));
      if (res.non2xx > 0 || res.errors > 0)
        r.notes.push(`${name}: ${res.non2xx} non-2xx answers, ${res.errors} connection errors`);
      r.data[name] = {
        requestsPerSecond: rate,
        latency: { p50: res.latency.p50, p90: res.latency.p90, p99: res.latency.p99, max: res.latency.max },
        total: res.requests.total,
        non2xx: res.non2xx,
        errors: res.errors,
      };
    }
    r.targets.unshift(check('single: requests/s', single.requests.average, '>=', 5000, 'req/s'));
    r.notes.push(
      `20 stores × 1,000 SKUs in the views; ${size.connections} connections, ${size.seconds} s each after ${WARMUP_SECONDS} s of warm-up, random SKUs; autocannon runs in the bench process on the same 2 cores as the hub and nats-server.`,
      `batch = ${BATCH_SKUS} SKUs per request (${Math.round(batch.requests.average * BATCH_SKUS).toLocaleString('en')} SKU answers/s); the 5,000 req/s target is checked on single-SKU requests, p99 < 20 ms on both.`,
    );
    return r;
  } finally {
    await hub.kill(options.profile ? 'SIGTERM' : 'SIGKILL');
    await collectProfile(options, prof.dir, r.data);
    await server.dispose();
    await removeTempDir(dir);
  }
};
