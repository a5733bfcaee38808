import { join } from 'node:path';
import { freePort } from '@stocknerve/test-harness';
import { type BenchOptions, check, fig, result, type ScenarioResult } from '../lib/context.js';
import { cpuTimeOf, HubChild, health } from '../lib/hub.js';
import { collectProfile, profileArgs } from '../lib/profile.js';
import { followProgress, nudgeProjector, type ProgressRun, progressRate } from '../lib/progress.js';
import { nowMs } from '../lib/stats.js';
import type { StreamLab } from '../lib/stream-lab.js';
import type { LimitFigures } from './limit.js';

/**
 * (2) Hub ingest: the stream is pre-filled with `count` store events, then the hub starts (a child
 * process, fresh views) and applies them. Rate = events applied between the first /health that
 * shows progress and the one that shows the last stream sequence (polled every 20 ms).
 */
export const ingestScenario = async (
  lab: StreamLab,
  count: number,
  limit: LimitFigures | undefined,
  options: BenchOptions,
): Promise<{ result: ScenarioResult; peakRss: number }> => {
  const r = result('ingest', '2. Hub ingest (views applied from the stream)');
  lab.firstEvents(count);
  const firstSeq = lab.lastSeq;
  const { lastSeq } = await lab.fillTo(count, options.log);
  options.log(`  stream ready (last seq ${lastSeq}); starting the hub`);
  const prof = profileArgs(options, 'ingest');
  const port = await freePort();
  const started = nowMs();
  const hub = new HubChild(
    'serve',
    { NATS_URL: lab.server.url, HUB_DB: join(options.workDir, 'ingest.sqlite') },
    port,
    prof.args,
  );
  let run: ProgressRun;
  let batches = 0;
  // CPU used (ms) when each progress value was first seen: with the hub's CPU per event, a run in a
  // slow phase of a shared host tells a slower host from a slower hub.
  const cpuAt = new Map<number, { hub: number; thread: number; nats: number }>();
  try {
    run = await followProgress({
      progress: async () => {
        const value = (await health(hub.url)).checkpoint;
        if (value !== undefined && !cpuAt.has(value))
          cpuAt.set(value, {
            hub: cpuTimeOf(hub.pid) ?? 0,
            thread: cpuTimeOf(hub.pid, hub.pid) ?? 0,
            nats: cpuTimeOf(lab.server.pid) ?? 0,
          });
        return value;
      },
      from: firstSeq,
      target: lastSeq,
      alive: () => {
        if (!hub.running) throw new Error(`hub exited: ${hub.output().slice(-3000)}`);
      },
      nudge: () => nudgeProjector(lab.js, lab.jsm, lab.firstEvents(1)[0]?.subject ?? ''),
    });
    const metrics = await fetch(`${hub.url}/metrics`).then((res) => res.text());
    batches = Number(/^stocknerve_projector_batches_total (\d+)/m.exec(metrics)?.[1] ?? 0);
  } finally {
    await hub.kill(options.profile ? 'SIGTERM' : 'SIGKILL');
  }
  const { rate } = progressRate(run);
  const overall = (count / (run.done.t - started)) * 1000;
  const [from, to] = [cpuAt.get(run.first.value), cpuAt.get(run.done.value)];
  const perEventUs = (key: 'hub' | 'thread' | 'nats') =>
    from && to ? ((to[key] - from[key]) * 1000) / (run.done.value - run.first.value) : Number.NaN;
  r.figures.push(
    fig('sustained ingest', rate, 'events/s'),
    fig('incl. hub start-up', overall, 'events/s'),
    fig(
      'hub CPU per event (main thread / process)',
      `${perEventUs('thread').toFixed(1)} / ${perEventUs('hub').toFixed(1)}`,
      'µs',
    ),
    fig('nats-server CPU per event', perEventUs('nats'), 'µs'),
    fig('hub peak RSS', hub.peakRss / 2 ** 20, 'MB'),
  );
  r.targets.push(check('sustained ingest', rate, '>=', 15_000, 'events/s'));
  if (limit) {
    const ratio = rate / limit.consumeRate;
    r.figures.push(fig('ratio to raw pull consume (1)', ratio * 100, '%'));
    r.targets.push(check('ratio to raw pull consume (1)', ratio * 100, '>=', 50, '%'));
    r.data.ratioToRawConsume = ratio;
  } else r.notes.push('ratio not computed: scenario 1 (limit) did not run');
  r.notes.push(
    `${count.toLocaleString('en')} store events from 60 terminals (20 stores, 1,000 SKUs, sales-heavy mix) pre-published;`,
    `hub as a child process (node apps/hub/dist/cli.js), default batch size (HUB_BATCH_SIZE, 10,000); it committed ${batches.toLocaleString('en')} transactions (${Math.round(count / Math.max(1, batches))} events each on average); first progress ${Math.round(run.first.t - started)} ms after spawn.`,
  );
  for (const stall of run.stalls)
    r.notes.push(
      `HUB BUG: the projector stopped ${stall.short} events short of the stream's end and resumed only when another message arrived (a nudge: a duplicate); the rate is measured up to the stall.`,
    );
  Object.assign(r.data, {
    events: count,
    rate,
    overall,
    firstProgressMs: run.first.t - started,
    doneMs: run.done.t - started,
    stalls: run.stalls,
    transactions: batches,
    cpuPerEventUs: { hubThread: perEventUs('thread'), hub: perEventUs('hub'), nats: perEventUs('nats') },
    peakRssBytes: hub.peakRss,
  });
  await collectProfile(options, prof.dir, r.data);
  return { result: r, peakRss: hub.peakRss };
};
