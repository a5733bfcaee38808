import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { AckPolicy } from '@nats-io/jetstream';
import { NAMES } from '@stocknerve/protocol';
import { freePort, type NatsCluster } from '@stocknerve/test-harness';
import {
  CLUSTER_REPLICAS,
  ClusterStreamLab,
  clusterHealth,
  clusterHubEnv,
  clusterPids,
  clusterRefusals,
  startBenchCluster,
} from '../lib/cluster.js';
import { type BenchOptions, check, fig, result, type ScenarioResult } from '../lib/context.js';
import { cpuTimeOf, HubChild } from '../lib/hub.js';
import { followProgress, nudgeProjector, progressRate, type Stall } from '../lib/progress.js';
import { nowMs } from '../lib/stats.js';

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const natsCpu = (cluster: NatsCluster) => clusterPids(cluster).reduce((n, pid) => n + (cpuTimeOf(pid) ?? 0), 0);

/**
 * Raw R3 pull consume of the event stream (as limit.ts measures it on one server): one durable pull
 * consumer as the admin, explicit acks, JSON.parse of every message, up to 4,000 buffered and
 * 8,000 unacked; rate from the first message to the last.
 */
const rawConsume = async (lab: ClusterStreamLab, count: number, tag: string): Promise<number> => {
  const name = `bench-raw-${tag}`;
  await lab.jsm.consumers.add(NAMES.eventStream, {
    durable_name: name,
    ack_policy: AckPolicy.Explicit,
    max_ack_pending: 8000,
  });
  try {
    const consumer = await lab.js.consumers.get(NAMES.eventStream, name);
    const iter = await consumer.consume({ max_messages: 4000 });
    let received = 0;
    let t0 = 0;
    for await (const m of iter) {
      if (received === 0) t0 = nowMs();
      JSON.parse(m.string());
      m.ack();
      if (++received >= count) break;
    }
    const ms = nowMs() - t0;
    await iter.close();
    return ((count - 1) / ms) * 1000;
  } finally {
    await lab.jsm.consumers.delete(NAMES.eventStream, name).catch(() => undefined);
  }
};

interface HubRun {
  readonly rate: number;
  readonly firstProgressMs: number;
  readonly doneMs: number;
  readonly stalls: Stall[];
  readonly cpuPerEventUs: { hub: number; nats: number };
  readonly peakRssBytes: number;
  /** When (ms after spawn) a GET /health went unanswered for HEALTH_TIMEOUT_MS. */
  readonly healthTimeouts: number[];
}

const HEALTH_TIMEOUT_MS = 2000;

/** A hub (child process, fresh views, HUB_REPLICAS=3) applying the R3 stream from its start. */
const hubRun = async (lab: ClusterStreamLab, from: number, options: BenchOptions, tag: string): Promise<HubRun> => {
  const target = (await lab.jsm.streams.info(NAMES.eventStream)).state.last_seq;
  const db = join(options.workDir, `cluster-ingest-${tag}.sqlite`);
  const started = nowMs();
  const hub = new HubChild(
    'serve',
    { ...clusterHubEnv(lab.cluster), HUB_DB: db, HUB_INSTANCE_ID: `bench-ingest-${tag}` },
    await freePort(),
  );
  const cpuAt = new Map<number, { hub: number; nats: number }>();
  // GET /health answers that took longer than HEALTH_TIMEOUT_MS (abandoned, polled again).
  const healthTimeouts: number[] = [];
  try {
    const run = await followProgress({
      progress: async () => {
        const t0 = nowMs();
        const h = await clusterHealth(hub.url, HEALTH_TIMEOUT_MS);
        if (!h) {
          if (hub.running && nowMs() - t0 >= HEALTH_TIMEOUT_MS - 50) healthTimeouts.push(t0 - started);
          return undefined;
        }
        const value = h.checkpoint;
        if (value !== undefined && !cpuAt.has(value))
          cpuAt.set(value, { hub: cpuTimeOf(hub.pid) ?? 0, nats: natsCpu(lab.cluster) });
        return value;
      },
      from,
      target,
      alive: () => {
        if (!hub.running) throw new Error(`hub exited: ${hub.output().slice(-3000)}`);
      },
      nudge: () => nudgeProjector(lab.nodes.forSubject(lab.firstSubject), lab.jsm, lab.firstSubject),
    });
    const { rate } = progressRate(run);
    const [a, b] = [cpuAt.get(run.first.value), cpuAt.get(run.done.value)];
    const per = (key: 'hub' | 'nats') =>
      a && b ? ((b[key] - a[key]) * 1000) / (run.done.value - run.first.value) : Number.NaN;
    options.log(`  hub: ${Math.round(rate)} events/s`);
    return {
      rate,
      firstProgressMs: run.first.t - started,
      doneMs: run.done.t - started,
      stalls: run.stalls,
      cpuPerEventUs: { hub: per('hub'), nats: per('nats') },
      peakRssBytes: hub.peakRss,
      healthTimeouts,
    };
  } catch (error) {
    throw new Error(`${String((error as Error)?.message ?? error)}\nhub output:\n${hub.output().slice(-3000)}`);
  } finally {
    await hub.kill('SIGKILL');
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${db}${suffix}`, { force: true });
  }
};

/**
 * (11) Cluster ingest: a 3-server nats-server cluster, the event stream with 3 replicas (R3);
 * `count` store events published through their terminals (the R3 publish rate), then in the same
 * run: a raw R3 pull consume, a hub (child process, HUB_REPLICAS=3, fresh views) catching up from
 * zero, and the raw consume again. Ratio = hub ÷ mean of the raw runs.
 */
export const clusterIngestScenario = async (count: number, options: BenchOptions): Promise<ScenarioResult> => {
  const r = result('cluster-ingest', '11. Cluster ingest (R3 stream, 3 nats-servers)');
  const cluster = await startBenchCluster();
  let lab: ClusterStreamLab | undefined;
  try {
    lab = await ClusterStreamLab.start(cluster, options.seed);
    const from = lab.lastSeq;
    options.log(`  publishing ${count.toLocaleString('en')} store events to the R3 stream`);
    const filled = await lab.fill(count);
    options.log(`  R3 publish: ${Math.round(filled.rate)} msg/s`);
    const info = await lab.jsm.streams.info(NAMES.eventStream);
    if (info.config.num_replicas !== CLUSTER_REPLICAS)
      throw new Error(`the event stream has ${info.config.num_replicas} replicas, not ${CLUSTER_REPLICAS}`);
    const total = info.state.messages;
    const raw1 = await rawConsume(lab, total, '1');
    options.log(`  raw R3 pull consume: ${Math.round(raw1)} msg/s`);
    const hub = await hubRun(lab, from, options, '1');
    const raw2 = await rawConsume(lab, total, '2');
    options.log(`  raw R3 pull consume: ${Math.round(raw2)} msg/s`);
    const raw = mean([raw1, raw2]);
    const ratio = hub.rate / raw;
    r.figures.push(
      fig('hub ingest from R3', hub.rate, 'events/s'),
      fig('raw R3 pull consume (reference)', raw, 'msg/s'),
      fig('ratio to raw R3 pull consume', ratio * 100, '%'),
      fig('R3 publish (terminals, ~1,000 in flight)', filled.rate, 'msg/s'),
      fig('hub CPU per event', hub.cpuPerEventUs.hub, 'µs'),
      fig('nats-servers CPU per event (3)', hub.cpuPerEventUs.nats, 'µs'),
      fig('hub peak RSS', hub.peakRssBytes / 2 ** 20, 'MB'),
    );
    r.targets.push(check('ratio to raw R3 pull consume', ratio * 100, '>=', 50, '%'));
    r.notes.push(
      `3 nats-servers on loopback (routes, operator mode, one trust chain), event stream R3 (created by ensureBackbone with 3 replicas, as the hub does with HUB_REPLICAS=3); ${count.toLocaleString('en')} store events of the benchmark day published through their 60 terminals' own connections (all to server 1; ~1,000 PubAcks in flight).`,
      `Same run, in order: raw pull consume of the whole stream (${total.toLocaleString('en')} messages; admin, durable consumer, explicit ack + JSON.parse, 4,000 buffered / 8,000 unacked) ${Math.round(raw1)} msg/s; the hub catching up from zero (child process, fresh views, first progress ${Math.round(hub.firstProgressMs)} ms after spawn) ${Math.round(hub.rate)} events/s; raw again ${Math.round(raw2)} msg/s. Ratio = hub ÷ mean raw. The 50 % target is the single-server ingest's.`,
    );
    if (hub.healthTimeouts.length > 0)
      r.notes.push(
        `HUB BUG: GET /health did not answer within ${HEALTH_TIMEOUT_MS / 1000} s ${hub.healthTimeouts.length} time(s) while the hub caught up (first at ${Math.round(hub.healthTimeouts[0] ?? 0)} ms after spawn, last at ${Math.round(hub.healthTimeouts.at(-1) ?? 0)} ms); each was abandoned and /health polled again. Without a timeout one such request hung 300 s (undici's headers timeout) although the hub had applied everything in seconds.`,
      );
    for (const stall of hub.stalls)
      r.notes.push(
        `HUB BUG: the projector stopped ${stall.short} events short of the stream's end and resumed only when another message arrived (a nudge); the rate is measured up to the stall.`,
      );
    Object.assign(r.data, {
      events: count,
      replicas: CLUSTER_REPLICAS,
      publish: filled,
      raw: { runs: [raw1, raw2], mean: raw },
      hub,
      ratio,
    });
    const refused = clusterRefusals(cluster);
    if (refused.length > 0) {
      r.error = `a nats-server of the cluster refused a client ${refused.length} time(s): ${refused[0]?.trim()}`;
      r.data.refusals = refused.slice(0, 20);
    }
    return r;
  } finally {
    await lab?.dispose();
    await cluster.dispose();
  }
};
