// What one availability read costs the hub, over HTTP: the read-path scenario's views (20 stores ×
// 1,000 SKUs), autocannon in this process against the hub as a child process, and the hub's CPU
// time per request split into user (JS, SQLite) and system (sockets) from /proc.
//
//   npx tsx bench/repro/read-cost.ts [batch|single] [seconds] [connections]
//
// Three rounds (the first warms the JIT). READ_COST_NODE_ARGS=--trace-gc adds the hub's GC pauses
// per round (READ_COST_GC_LINES=1 prints a few), READ_COST_PROFILE=<dir> writes its CPU profile, and
// BENCH_HUB_CLI runs another checkout's hub (A/B).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { storeEventSubject } from '../../apps/hub/src/backbone/subjects.js';
import { eventFactory } from '../../packages/domain/src/testing/index.js';
import { freePort, makeTempDir, removeTempDir, startNatsServer } from '../../packages/test-harness/src/index.js';
import { connect, jetstream } from '../lib/deps.js';
import { defineLocations, HubChild, health, TOKENS, waitIdle } from '../lib/hub.js';
import { followProgress } from '../lib/progress.js';
import { publishAll } from '../lib/stream-lab.js';
import { Prng } from '../simulator/prng.js';
import { worldLayout } from '../simulator/world.js';

const [kind = 'batch', secondsArg = '10', connectionsArg = '32'] = process.argv.slice(2);
const TICK_MS = 1000 / 100; // USER_HZ

/** User and system CPU time of a process so far, ms. */
const cpuOf = (pid: number) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return { user: Number(f[11]) * TICK_MS, sys: Number(f[12]) * TICK_MS };
};

const dir = await makeTempDir('stocknerve-read-cost');
const server = await startNatsServer({ storeDir: join(dir, 'jetstream') });
const profDir = process.env.READ_COST_PROFILE;
const hub = new HubChild('serve', { NATS_URL: server.url, HUB_DB: join(dir, 'views.sqlite') }, await freePort(), [
  ...(profDir ? ['--cpu-prof', '--cpu-prof-dir', profDir] : []),
  ...(process.env.READ_COST_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
]);
const nc = await connect({ servers: server.url });
try {
  await hub.ready();
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
  const js = jetstream(nc);
  const regionOf = new Map(layout.nodes.map((n) => [n.node, n.region]));
  const published = await publishAll(js, events.length, (i) => {
    const e = events[i] as (typeof events)[number];
    return {
      subject: storeEventSubject(regionOf.get(e.node) ?? '', e.location, e.node),
      data: JSON.stringify(e),
      msgID: e.id,
    };
  });
  await followProgress({
    progress: async () => (await health(hub.url)).checkpoint,
    from,
    target: published.lastSeq,
    timeoutMs: 120_000,
  });
  await waitIdle(hub.pid);
  const prng = new Prng('read-cost');
  const randomSku = () => layout.skus[prng.int(0, layout.skus.length - 1)] as string;
  const headers = { authorization: `Bearer ${TOKENS.ecommerce}`, 'content-type': 'application/json' };
  const request =
    kind === 'single'
      ? { method: 'GET' as const, setupRequest: (req: object) => ({ ...req, path: `/v1/availability/${randomSku()}` }) }
      : {
          method: 'POST' as const,
          path: '/v1/availability/batch',
          setupRequest: (req: object) => ({
            ...req,
            body: JSON.stringify({ skus: Array.from({ length: 20 }, randomSku), channel: 'web' }),
          }),
        };
  for (let round = 0; round < 3; round++) {
    const gcFrom = hub.output().length;
    const before = cpuOf(hub.pid);
    const self0 = process.cpuUsage();
    const res = await autocannon({
      url: hub.url,
      connections: Number(connectionsArg),
      duration: Number(secondsArg),
      headers,
      requests: [request],
    });
    const after = cpuOf(hub.pid);
    const self = process.cpuUsage(self0);
    const n = res.requests.total;
    const per = (ms: number) => ((ms * 1000) / n).toFixed(0);
    console.log(
      `${kind}: ${res.requests.average} req/s, p50 ${res.latency.p50} ms, p90 ${res.latency.p90} ms, p99 ${res.latency.p99} ms, max ${res.latency.max} ms, ${(res.throughput.average / 1e6).toFixed(1)} MB/s`,
    );
    console.log(
      `hub CPU per request: user ${per(after.user - before.user)} µs, sys ${per(after.sys - before.sys)} µs; autocannon (this process) user ${per(self.user / 1000)} µs, sys ${per(self.system / 1000)} µs`,
    );
    const gcs = hub
      .output()
      .slice(gcFrom)
      .split('\n')
      .filter((l) => /Mark-Compact|Scavenge/.test(l));
    if (gcs.length > 0) {
      const pauses = (kind: string) =>
        gcs.filter((l) => l.includes(kind)).map((l) => Number(/, ([\d.]+) \/ [\d.]+ ms/.exec(l)?.[1] ?? 0));
      for (const k of ['Scavenge', 'Mark-Compact']) {
        const p = pauses(k).sort((a, b) => a - b);
        if (process.env.READ_COST_GC_LINES)
          for (const l of gcs.filter((g) => g.includes(k)).slice(0, 4)) console.log(`    ${l.trim()}`);
        console.log(
          `  ${k}: ${p.length} pauses, total ${p.reduce((a, b) => a + b, 0).toFixed(0)} ms, max ${p.at(-1) ?? 0} ms`,
        );
      }
    }
  }
} finally {
  await nc.close().catch(() => undefined);
  await hub.kill(profDir ? 'SIGTERM' : 'SIGKILL');
  await server.dispose();
  await removeTempDir(dir);
}
