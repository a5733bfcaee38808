import { join } from 'node:path';
import { freePort, makeTempDir, removeTempDir, waitFor } from '@stocknerve/test-harness';
import autocannon from 'autocannon';
import { clusterHealth } from '../lib/cluster.js';
import { type BenchOptions, fig, result, type ScenarioResult } from '../lib/context.js';
import { cpuTimeOf, HubChild, hubEnv, waitIdle } from '../lib/hub.js';
import { startBenchNats } from '../lib/nats.js';
import { Prng } from '../simulator/prng.js';
import { availabilityRequests, READ_HEADERS, stockEveryCell } from './read-path.js';

export interface ReadScaleSize {
  readonly seconds: number;
  readonly connections: number;
}

/** Seconds of unmeasured load on every instance before each measured run. */
const WARMUP_SECONDS = 2;

interface Setup {
  readonly instances: number;
  readonly requestsPerSecond: number;
  readonly requests: number;
  readonly p50: number;
  readonly p99: number;
  /** Per instance: requests/s and p99 (ms). */
  readonly perInstance: { requestsPerSecond: number; p50: number; p99: number; requests: number }[];
  /** Hub processes' utime+stime per request, µs; the bench process's (autocannon) likewise. */
  readonly hubCpuPerRequestUs: number;
  readonly benchCpuPerRequestUs: number;
  readonly non2xx: number;
  readonly errors: number;
}

/**
 * (13) Read scaling: GET /v1/availability/:sku (random SKUs, ecommerce token) against one hub
 * instance, then against two (the second started on the same stream, caught up), with the same
 * total client concurrency (split evenly) and the same duration; one nats-server. CPU per request
 * from /proc (utime+stime of the hub processes) so that scaling on more cores can be projected.
 */
export const readScaleScenario = async (size: ReadScaleSize, options: BenchOptions): Promise<ScenarioResult> => {
  const r = result('read-scale', '13. Read scaling (1 vs 2 hub instances)');
  const dir = await makeTempDir('stocknerve-bench-read-scale');
  const server = await startBenchNats({ storeDir: join(dir, 'jetstream') });
  const hubs: HubChild[] = [];
  const spawn = async (id: string) => {
    const hub = new HubChild(
      'serve',
      { ...hubEnv(server), HUB_DB: join(dir, `${id}.sqlite`), HUB_INSTANCE_ID: id },
      await freePort(),
    );
    hubs.push(hub);
    await hub.ready();
    return hub;
  };
  try {
    const a = await spawn('read-a');
    const layout = await stockEveryCell(a, server);
    const requests = availabilityRequests(layout.skus, new Prng(`${options.seed}/read-scale`));
    const measure = async (targets: HubChild[]): Promise<Setup> => {
      const per = Math.max(1, Math.floor(size.connections / targets.length));
      const runOn = (hub: HubChild, duration: number) =>
        autocannon({
          url: hub.url,
          connections: per,
          duration,
          headers: READ_HEADERS,
          requests: [requests.single],
        });
      await Promise.all(targets.map((h) => runOn(h, WARMUP_SECONDS)));
      const cpu0 = hubs.map((h) => cpuTimeOf(h.pid) ?? 0);
      const bench0 = process.cpuUsage();
      const results = await Promise.all(targets.map((h) => runOn(h, size.seconds)));
      const bench = process.cpuUsage(bench0);
      const hubCpuMs = hubs.reduce((n, h, k) => n + (cpuTimeOf(h.pid) ?? 0) - (cpu0[k] ?? 0), 0);
      const total = results.reduce((n, x) => n + x.requests.total, 0);
      const weighted = (pick: (x: autocannon.Result) => number) =>
        results.reduce((n, x) => n + pick(x) * x.requests.total, 0) / Math.max(1, total);
      return {
        instances: targets.length,
        requestsPerSecond: results.reduce((n, x) => n + x.requests.average, 0),
        requests: total,
        p50: weighted((x) => x.latency.p50),
        // The larger of the instances' p99s (autocannon gives percentiles, not the histograms).
        p99: Math.max(...results.map((x) => x.latency.p99)),
        perInstance: results.map((x) => ({
          requestsPerSecond: x.requests.average,
          p50: x.latency.p50,
          p99: x.latency.p99,
          requests: x.requests.total,
        })),
        hubCpuPerRequestUs: (hubCpuMs * 1000) / Math.max(1, total),
        benchCpuPerRequestUs: (bench.user + bench.system) / Math.max(1, total),
        non2xx: results.reduce((n, x) => n + x.non2xx, 0),
        errors: results.reduce((n, x) => n + x.errors, 0),
      };
    };
    options.log(`  one instance: ${size.connections} connections, ${size.seconds} s`);
    const one = await measure([a]);
    const b = await spawn('read-b');
    const target = (await clusterHealth(a.url))?.checkpoint ?? 0;
    await waitFor(async () => ((await clusterHealth(b.url))?.checkpoint ?? 0) >= target, {
      timeoutMs: 60_000,
      message: 'the second instance caught up',
    });
    await waitIdle(b.pid);
    await waitIdle(a.pid);
    const roles = await Promise.all([a, b].map(async (h) => (await clusterHealth(h.url))?.cluster?.role ?? '?'));
    options.log(`  two instances (${roles.join(' + ')}): ${size.connections / 2} connections each, ${size.seconds} s`);
    const two = await measure([a, b]);
    for (const s of [one, two]) {
      const label = s.instances === 1 ? 'one instance' : 'two instances';
      r.figures.push(
        fig(`${label}: requests/s`, s.requestsPerSecond, 'req/s'),
        fig(`${label}: p99`, s.p99, 'ms'),
        fig(`${label}: hub CPU per request`, s.hubCpuPerRequestUs, 'µs'),
      );
      if (s.non2xx > 0 || s.errors > 0)
        r.notes.push(`${label}: ${s.non2xx} non-2xx answers, ${s.errors} connection errors`);
    }
    r.figures.push(fig('two ÷ one (requests/s)', (two.requestsPerSecond / one.requestsPerSecond) * 100, '%'));
    r.notes.push(
      `One nats-server (operator mode); instances read-a (${roles[0]}) and read-b (${roles[1]}) are hub child processes on the same stream, each with its own SQLite views (20 stores × 1,000 SKUs). GET /v1/availability/:sku with random SKUs and the ecommerce token, ${size.connections} connections in total (split evenly over the instances), ${size.seconds} s measured after ${WARMUP_SECONDS} s of warm-up on each; the one-instance run is before read-b exists. p99 of two instances = the larger of the two instances' p99.`,
      `CPU per request = utime+stime of the hub processes (/proc/<pid>/stat) over the measured run ÷ requests answered: ${one.hubCpuPerRequestUs.toFixed(1)} µs with one instance, ${two.hubCpuPerRequestUs.toFixed(1)} µs with two; autocannon in the bench process used ${one.benchCpuPerRequestUs.toFixed(1)} / ${two.benchCpuPerRequestUs.toFixed(1)} µs per request on the same cores. On this 2-core machine the load generator, nats-server and the hubs share the cores, so a second instance shows its overhead, not a speed-up: the projection for a host with a core per instance is about 1,000,000 ÷ hub CPU per request per instance.`,
    );
    Object.assign(r.data, { one, two, roles, nats: 'single server' });
    return r;
  } catch (error) {
    throw new Error(
      `${String((error as Error)?.message ?? error)}\n${hubs.map((h, k) => `=== hub ${k} ===\n${h.output().slice(-2000)}`).join('\n')}`,
    );
  } finally {
    for (const h of hubs) await h.kill('SIGKILL');
    await server.dispose();
    await removeTempDir(dir);
  }
};
