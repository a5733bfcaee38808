// `pnpm bench`: starts its own nats-server(s) and hubs, runs every scenario, writes
// bench/results/runs/<timestamp>.json (+ .md) and prints the summary; a full run of every scenario
// also updates docs/performance.md and bench/results/latest-full.json. Each figure is measured in the same
// run as its reference (the raw JetStream limit), so ratios hold on a noisy machine.
//
// Every nats-server runs in operator mode, as deployed: each simulated node signs in as its own
// terminal user, the hubs with the hub's credentials, the bench's own clients as the admin. A
// scenario fails when a server logged a refused client (a permission or authorization violation).
// Ingest and freshness also measure a server without authentication in the same run, in turns,
// to show the cost of authentication.
//
//   pnpm bench                         full run (~10-15 min on 2 cores)
//   pnpm bench -- --quick              smaller sizes, for iterating
//   pnpm bench -- --only ingest,rebuild
//   pnpm bench -- --profile            hub child processes run with --cpu-prof; hot spots printed, profiles kept
//
// Scenarios: limit, ingest, freshness, catchup, rebuild, flash, read, memory (= ingest + rebuild),
// local-commit, commands (command throughput), cluster-ingest, failover, read-scale (the last three
// on a 3-server nats-server cluster / several hub instances).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { BenchOptions, ScenarioResult } from './lib/context.js';
import { check, fig, result } from './lib/context.js';
import { describeMachine, machineLine } from './lib/machine.js';
import { markViolations, violationsSince } from './lib/nats.js';
import { nowMs } from './lib/stats.js';
import { StreamLab } from './lib/stream-lab.js';
import {
  type BenchReport,
  markdownTable,
  missedTargets,
  notesText,
  publishFullRun,
  textTable,
  writeResults,
} from './report.js';
import type { LimitFigures } from './scenarios/limit.js';

const ALL = [
  'limit',
  'ingest',
  'freshness',
  'catchup',
  'rebuild',
  'flash',
  'read',
  'memory',
  'local-commit',
  'commands',
  'cluster-ingest',
  'failover',
  'read-scale',
] as const;
type ScenarioId = (typeof ALL)[number];
const ALIASES: Record<string, ScenarioId> = {
  'flash-sale': 'flash',
  'read-path': 'read',
  local: 'local-commit',
  'catch-up': 'catchup',
  command: 'commands',
  'command-throughput': 'commands',
  'fail-over': 'failover',
  'read-scaling': 'read-scale',
};

const SIZES = {
  full: {
    limit: 200_000,
    ingest: 200_000,
    rebuild: 1_000_000,
    freshness: { nodes: 50, rate: 1000, seconds: 30 },
    catchup: { nodes: 20, perNode: 5000 },
    flash: { requests: 1000, units: 100 },
    read: { seconds: 10, connections: 32 },
    localCommit: { samples: 500 },
    commands: { requests: 10_000, units: 5000, connections: 1000 },
    clusterIngest: 100_000,
    failover: { kills: 5, rate: 20 },
    readScale: { seconds: 10, connections: 32 },
  },
  quick: {
    limit: 20_000,
    ingest: 20_000,
    rebuild: 100_000,
    freshness: { nodes: 12, rate: 300, seconds: 8 },
    catchup: { nodes: 8, perNode: 1000 },
    flash: { requests: 300, units: 30 },
    read: { seconds: 3, connections: 32 },
    localCommit: { samples: 100 },
    commands: { requests: 2000, units: 1000, connections: 200 },
    clusterIngest: 20_000,
    failover: { kills: 5, rate: 20 },
    readScale: { seconds: 3, connections: 32 },
  },
};
export type Sizes = (typeof SIZES)['full'];

const gitCommit = (): string => {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'apps', 'packages'], { encoding: 'utf8' }).trim();
    return dirty ? `${commit} (with local changes)` : commit;
  } catch {
    return 'unknown';
  }
};

const parse = () => {
  // `pnpm bench -- --only x` passes the `--` through: drop it.
  const args = process.argv.slice(2).filter((a) => a !== '--');
  const { values } = parseArgs({
    args,
    options: {
      only: { type: 'string' },
      quick: { type: 'boolean', default: false },
      seed: { type: 'string', default: 'stocknerve-bench' },
      profile: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(
      'usage: pnpm bench [-- --quick] [--only limit,ingest,freshness,catchup,rebuild,flash,read,memory,local-commit,commands,cluster-ingest,failover,read-scale] [--profile] [--seed s]',
    );
    process.exit(0);
  }
  let only: Set<ScenarioId> | null = null;
  if (values.only) {
    only = new Set();
    for (const raw of values.only.split(',').map((s) => s.trim())) {
      const id = (ALIASES[raw] ?? raw) as ScenarioId;
      if (!ALL.includes(id)) throw new Error(`unknown scenario "${raw}"; known: ${ALL.join(', ')}`);
      only.add(id);
    }
    // Memory is measured on the hubs of ingest and rebuild.
    if (only.has('memory')) {
      only.add('ingest');
      only.add('rebuild');
    }
  }
  return { only, quick: values.quick, seed: values.seed, profile: values.profile };
};

const main = async () => {
  const args = parse();
  const sizes = args.quick ? SIZES.quick : SIZES.full;
  const workDir = join(tmpdir(), `stocknerve-bench-${process.pid}`);
  mkdirSync(workDir, { recursive: true });
  const options: BenchOptions = {
    quick: args.quick,
    seed: args.seed,
    profile: args.profile,
    workDir,
    log: (line) => console.log(line),
  };
  const wants = (id: ScenarioId) => args.only === null || args.only.has(id);
  const machine = describeMachine();
  const startedAt = new Date().toISOString();
  console.log(
    `stocknerve bench (${args.quick ? 'quick' : 'full'}) on ${machineLine(machine)}; nats-server in operator mode (+ a reference without authentication for ingest and freshness)`,
  );
  const results: ScenarioResult[] = [];
  const run = async (id: ScenarioId, title: string, fn: () => Promise<ScenarioResult>) => {
    console.log(`\n==> ${title}`);
    const t0 = nowMs();
    const mark = markViolations();
    let r: ScenarioResult;
    try {
      r = await fn();
      // Every client acts under its own identity: a refusal is a bug of the scenario or of the product.
      const refused = violationsSince(mark);
      if (refused.length > 0) {
        r.error = `nats-server refused a client ${refused.length} time(s): ${refused[0]?.trim()}`;
        r.data.refusals = refused.slice(0, 20);
        console.error(`  failed: ${r.error}`);
      }
    } catch (error) {
      r = result(id, title);
      r.error = String((error as Error)?.message ?? error);
      r.data.stack = String((error as Error)?.stack ?? error);
      r.data.refusals = violationsSince(mark).slice(0, 20);
      console.error(`  failed: ${r.data.stack}`);
    }
    r.durationMs = Math.round(nowMs() - t0);
    for (const f of r.figures) console.log(`  ${f.label}: ${f.value}${f.unit ? ` ${f.unit}` : ''}`);
    for (const t of r.targets)
      if (!t.met) console.log(`  target missed: ${t.label} ${t.value} (want ${t.op} ${t.threshold})`);
    console.log(`  (${(r.durationMs / 1000).toFixed(1)} s)`);
    results.push(r);
    return r;
  };

  // 1, 2, 5 and 8 share one nats-server and one stream.
  let limit: LimitFigures | undefined;
  const peaks: { scenario: string; bytes: number }[] = [];
  if (wants('limit') || wants('ingest') || wants('rebuild')) {
    const lab = await StreamLab.start(args.seed);
    try {
      if (wants('limit'))
        await run('limit', '1. The limit: raw JetStream on this machine', async () => {
          const { limitScenario } = await import('./scenarios/limit.js');
          const out = await limitScenario(lab, sizes.limit, options);
          limit = out.figures;
          return out.result;
        });
      if (wants('ingest'))
        await run('ingest', '2. Hub ingest', async () => {
          const { ingestScenario } = await import('./scenarios/ingest.js');
          const out = await ingestScenario(lab, sizes.ingest, limit, options);
          peaks.push({ scenario: 'ingest', bytes: out.peakRss });
          return out.result;
        });
      if (wants('rebuild'))
        await run('rebuild', '5. Rebuild', async () => {
          const { rebuildScenario } = await import('./scenarios/rebuild.js');
          const out = await rebuildScenario(lab, sizes.rebuild, limit, options);
          peaks.push({ scenario: 'rebuild', bytes: out.peakRss });
          return out.result;
        });
    } finally {
      await lab.dispose();
    }
  }
  if (wants('memory'))
    await run('memory', '8. Memory (hub peak RSS over 2 and 5)', async () => {
      const r = result('memory', '8. Memory (hub peak RSS over 2 and 5)');
      if (peaks.length === 0) throw new Error('neither ingest nor rebuild produced a measurement');
      const peak = Math.max(...peaks.map((p) => p.bytes)) / 2 ** 20;
      for (const p of peaks) r.figures.push(fig(`peak RSS during ${p.scenario}`, p.bytes / 2 ** 20, 'MB'));
      r.figures.push(fig('hub peak RSS', peak, 'MB'));
      r.targets.push(check('hub peak RSS', peak, '<', 512, 'MB'));
      r.notes.push(
        'VmHWM of the hub child processes (`node apps/hub/dist/cli.js`; /proc/<pid>/status, sampled every 100 ms).',
      );
      r.data.peaks = peaks;
      return r;
    });
  if (wants('freshness'))
    await run('freshness', '3. Freshness', async () =>
      (await import('./scenarios/freshness.js')).freshnessScenario(sizes.freshness, options),
    );
  if (wants('catchup'))
    await run('catchup', '4. Catch-up', async () =>
      (await import('./scenarios/catchup.js')).catchupScenario(sizes.catchup, options),
    );
  if (wants('flash'))
    await run('flash', '6. Flash sale', async () =>
      (await import('./scenarios/flash-sale.js')).flashSaleScenario(sizes.flash, options),
    );
  if (wants('read'))
    await run('read', '7. Read path', async () =>
      (await import('./scenarios/read-path.js')).readPathScenario(sizes.read, options),
    );
  if (wants('local-commit'))
    await run('local-commit', '9. Local commit', async () =>
      (await import('./scenarios/local-commit.js')).localCommitScenario(sizes.localCommit, options),
    );
  if (wants('commands'))
    await run('commands', '10. Command throughput', async () =>
      (await import('./scenarios/commands.js')).commandsScenario(sizes.commands, options),
    );
  if (wants('cluster-ingest'))
    await run('cluster-ingest', '11. Cluster ingest (R3)', async () =>
      (await import('./scenarios/cluster-ingest.js')).clusterIngestScenario(sizes.clusterIngest, options),
    );
  if (wants('failover'))
    await run('failover', '12. Fail-over', async () =>
      (await import('./scenarios/failover.js')).failoverScenario(sizes.failover, options),
    );
  if (wants('read-scale'))
    await run('read-scale', '13. Read scaling', async () =>
      (await import('./scenarios/read-scale.js')).readScaleScenario(sizes.readScale, options),
    );

  const order = (s: ScenarioResult) => Number.parseInt(s.title, 10) || 99;
  results.sort((a, b) => order(a) - order(b));
  const report: BenchReport = {
    startedAt,
    finishedAt: new Date().toISOString(),
    mode: args.quick ? 'quick' : 'full',
    only: args.only ? [...args.only] : null,
    seed: args.seed,
    machine,
    code: { commit: gitCommit(), hubCli: process.env.BENCH_HUB_CLI ?? 'apps/hub/dist/cli.js' },
    scenarios: results,
  };
  const file = writeResults(report);
  console.log(`\n${textTable(report)}\n`);
  const missed = missedTargets(report);
  console.log(
    missed.length === 0 ? 'Every target was met.' : `Targets missed:\n${missed.map((m) => `  - ${m}`).join('\n')}`,
  );
  console.log(`\nNotes:\n${notesText(report)}`);
  console.log(`\nresults: ${file}`);
  if (args.quick || args.only)
    console.log('docs/performance.md not updated (only a full run of every scenario is published there)');
  else {
    const published = publishFullRun(report);
    console.log(
      published.updated
        ? 'published: docs/performance.md (between the bench markers) and bench/results/latest-full.json'
        : `not published: ${published.reason}`,
    );
  }
  if (process.env.BENCH_MARKDOWN) console.log(`\n${markdownTable(report)}`);
  if (args.profile) keepProfiles(workDir);
  rmSync(workDir, { recursive: true, force: true });
};

/** Moves the runs' .cpuprofile directories out of the work dir (which holds GBs of stream data) before it goes. */
const keepProfiles = (workDir: string): void => {
  const kept = join(tmpdir(), `stocknerve-profiles-${process.pid}`);
  mkdirSync(kept, { recursive: true });
  for (const d of readdirSync(workDir).filter((f) => f.startsWith('profile-')))
    renameSync(join(workDir, d), join(kept, d));
  console.log(`CPU profiles kept in ${kept} (open them in Chrome's DevTools, Performance panel)`);
};

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
