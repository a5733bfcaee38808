// What one availability read costs the hub, over HTTP: the read-path scenario's views (20 stores ×
// 1,000 SKUs), autocannon in this process against the hub as a child process, and the hub's CPU
// time per request split into user (JS, SQLite) and system (sockets) from /proc.
//
//   node bench/dist/micro/read-cost.js [batch|single] [seconds] [connections]
//
// Three rounds (the first warms the JIT). READ_COST_NODE_ARGS=--trace-gc adds the hub's GC pauses
// per round (READ_COST_GC_LINES=1 prints a few), READ_COST_PROFILE=<dir> writes its CPU profile, and
// BENCH_HUB_CLI runs another checkout's hub (A/B). READ_COST_HUB_LOG=<file> keeps what the hub printed.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, makeTempDir, removeTempDir } from '@stocknerve/test-harness';
import autocannon from 'autocannon';
import { cpuTimesOf, HubChild, hubEnv } from '../lib/hub.js';
import { assertNoViolations, startBenchNats } from '../lib/nats.js';
import { availabilityRequests, READ_HEADERS, stockEveryCell } from '../scenarios/read-path.js';
import { Prng } from '../simulator/prng.js';

const [kind = 'batch', secondsArg = '10', connectionsArg = '32'] = process.argv.slice(2);

/** User and system CPU time of a process so far, ms. */
const cpuOf = (pid: number) => {
  const times = cpuTimesOf(pid);
  if (!times) throw new Error(`process ${pid} is gone`);
  return times;
};

const dir = await makeTempDir('stocknerve-read-cost');
// Operator mode, as deployed: the hub with its credentials, the stores' terminals with their own.
const server = await startBenchNats({ storeDir: join(dir, 'jetstream') });
const profDir = process.env.READ_COST_PROFILE;
const hub = new HubChild('serve', { ...hubEnv(server), HUB_DB: join(dir, 'views.sqlite') }, await freePort(), [
  ...(profDir ? ['--cpu-prof', '--cpu-prof-dir', profDir] : []),
  ...(process.env.READ_COST_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
]);
try {
  await hub.ready();
  const layout = await stockEveryCell(hub, server);
  const requests = availabilityRequests(layout.skus, new Prng('read-cost'));
  const request = kind === 'single' ? requests.single : requests.batch;
  for (let round = 0; round < 3; round++) {
    const gcFrom = hub.output().length;
    const before = cpuOf(hub.pid);
    const self0 = process.cpuUsage();
    const res = await autocannon({
      url: hub.url,
      connections: Number(connectionsArg),
      duration: Number(secondsArg),
      headers: READ_HEADERS,
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
  // READ_COST_HUB_LOG=<file>: everything the hub printed (e.g. with --trace-gc-nvp).
  if (process.env.READ_COST_HUB_LOG) writeFileSync(process.env.READ_COST_HUB_LOG, hub.output());
  assertNoViolations(server, 'read-cost');
} finally {
  await hub.kill(profDir ? 'SIGTERM' : 'SIGKILL');
  await server.dispose();
  await removeTempDir(dir);
}
