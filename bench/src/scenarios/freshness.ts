import { type BenchOptions, check, fig, result, type ScenarioResult } from '../lib/context.js';
import { FleetLab } from '../lib/fleet-lab.js';
import { cpuTimeOf, health, TOKENS } from '../lib/hub.js';
import type { AuthMode } from '../lib/nats.js';
import { type Distribution, distribution, nowMs, sleep } from '../lib/stats.js';
import type { ProbeRecord } from '../simulator/fleet.js';
import { type WorldLayout, worldLayout } from '../simulator/world.js';

/** Nodes that run the real SyncClient (and carry the probes); the rest publish at the wire level. */
const SYNC_NODES = 8;

/**
 * The measured windows, in order: each mode twice, balanced (A B B A), so that a slow phase of the
 * host hits both modes and a steady drift over the run (windows get faster as the processes warm
 * up) cancels out. Each window is half of the size's seconds: each mode is measured for `seconds`.
 */
const WINDOWS: readonly AuthMode[] = ['none', 'operator', 'operator', 'none'];

export interface FreshnessSize {
  readonly nodes: number;
  readonly rate: number;
  readonly seconds: number;
}

interface ModeRun {
  readonly lab: FleetLab;
  /** cell -> when the k-th probe sale was first seen applied (visibleAt[k-1]). */
  readonly seen: Map<string, number[]>;
  readonly windows: { start: number; end: number; applied: number; offline: number; pending: number }[];
  applied: number;
  batches: number;
  ms: number;
  cpu: { hub: number; all: number; nats: number };
}

interface ModeFigures {
  readonly probes: number;
  readonly invisible: number;
  readonly store: Distribution;
  readonly http: Distribution;
  readonly localCommit: Distribution;
  readonly nodeSide: Distribution;
  readonly hubSide: Distribution;
  readonly achievedRate: number;
  readonly applied: number;
  readonly batches: number;
  readonly cpuCores: { readonly hubThread: number; readonly simulator: number; readonly natsServer: number };
  /** Each window of the mode: when (ms after the first window's start), the rate applied, its probes. */
  readonly windows: {
    readonly startMs: number;
    readonly rate: number;
    readonly probes: number;
    readonly invisible: number;
    readonly p50: number;
    readonly p99: number;
    /** Nodes not connected, and events their outboxes held, at the window's end. */
    readonly offline: number;
    readonly pending: number;
  }[];
}

/** The probe cells as the lab's hub's views show them, read in the hub's own process. */
const sample = (run: ModeRun): void => {
  const t = nowMs();
  const rows = run.lab.hub.ctx.store.all<{ location: string; sku: string; on_hand: number }>(
    "SELECT location, sku, on_hand FROM stock WHERE sku >= 'PROBE-' AND sku < 'PROBE.'",
  );
  for (const row of rows) {
    const key = `${row.location}/${row.sku}`;
    const times = run.seen.get(key) ?? [];
    while (times.length < -row.on_hand) times.push(t);
    run.seen.set(key, times);
  }
};

const cpuNow = (lab: FleetLab) => ({
  hub: cpuTimeOf(process.pid, process.pid) ?? 0,
  all: cpuTimeOf(process.pid) ?? 0,
  nats: cpuTimeOf(lab.server.pid) ?? 0,
});

/** The figures of one mode from its probes (those recorded inside its windows) and its counters. */
const figuresOf = async (run: ModeRun, origin: number): Promise<ModeFigures> => {
  const { lab, seen } = run;
  const inWindow = (p: ProbeRecord) => run.windows.some((w) => p.t0 >= w.start && p.t0 < w.end);
  const probes = (await lab.fleet.probes()).filter(inWindow);
  const latencies: number[] = [];
  const httpLatencies: number[] = [];
  const localCommit: number[] = [];
  const perWindow = run.windows.map(() => ({ latencies: [] as number[], probes: 0, invisible: 0 }));
  let invisible = 0;
  for (const p of probes) {
    const w = perWindow[run.windows.findIndex((x) => p.t0 >= x.start && p.t0 < x.end)];
    if (w) w.probes++;
    localCommit.push(p.localMs - p.t0);
    const at = seen.get(`${p.location}/${p.sku}`)?.[p.k - 1];
    if (at === undefined) {
      invisible++;
      if (w) w.invisible++;
    } else {
      latencies.push(Math.max(0, at - p.t0));
      w?.latencies.push(Math.max(0, at - p.t0));
    }
    if (p.httpMs !== undefined) httpLatencies.push(p.httpMs - p.t0);
  }
  // Where the time goes: node (record → stored in JetStream) and hub (stored → applied).
  const nodeSide: number[] = [];
  const hubSide: number[] = [];
  const sampled = probes.filter((_, i) => i % Math.max(1, Math.floor(probes.length / 300)) === 0);
  for (const p of sampled) {
    const at = seen.get(`${p.location}/${p.sku}`)?.[p.k - 1];
    const row = lab.hub.ctx.store.get<{ stream_seq: number }>(
      'SELECT stream_seq FROM applied_events WHERE event_id = ?',
      p.eventId,
    );
    const stored = row
      ? await lab.jsm.streams.getMessage('INV_EVENTS', { seq: row.stream_seq }).catch(() => null)
      : null;
    if (!stored || at === undefined) continue;
    const storedMs = stored.time.getTime();
    nodeSide.push(storedMs - p.t0);
    hubSide.push(at - storedMs);
  }
  const cores = (ms: number) => ms / run.ms;
  return {
    probes: probes.length,
    invisible,
    store: distribution(latencies),
    http: distribution(httpLatencies),
    localCommit: distribution(localCommit),
    nodeSide: distribution(nodeSide),
    hubSide: distribution(hubSide),
    achievedRate: (run.applied / run.ms) * 1000,
    applied: run.applied,
    batches: run.batches,
    cpuCores: {
      hubThread: cores(run.cpu.hub),
      simulator: cores(run.cpu.all - run.cpu.hub),
      natsServer: cores(run.cpu.nats),
    },
    windows: run.windows.map((x, i) => {
      const w = perWindow[i];
      const d = distribution(w?.latencies ?? []);
      return {
        startMs: Math.round(x.start - origin),
        rate: (x.applied / (x.end - x.start)) * 1000,
        probes: w?.probes ?? 0,
        invisible: w?.invisible ?? 0,
        p50: d.p50,
        p99: d.p99,
        offline: x.offline,
        pending: x.pending,
      };
    }),
  };
};

/** Waits (at most `timeoutMs`) until the lab's nodes have nothing pending and its hub has applied the stream. */
const drained = async (lab: FleetLab, timeoutMs: number): Promise<void> => {
  const deadline = nowMs() + timeoutMs;
  while (nowMs() < deadline) {
    const pending = (await lab.fleet.status()).reduce((sum, n) => sum + n.pending, 0);
    const lag = await health(lab.hub.url).then(
      (h) => h.lagMessages,
      () => 1,
    );
    if (pending === 0 && lag === 0) return;
    await sleep(100);
  }
};

const startLab = (layout: WorldLayout, options: BenchOptions, auth: AuthMode) =>
  FleetLab.start(layout, {
    seed: `${options.seed}/freshness`,
    probeShare: 0.1,
    syncNodes: SYNC_NODES,
    httpProbeEvery: 5,
    httpProbeToken: TOKENS.ecommerce,
    heartbeatMs: 5000,
    nearby: 'own',
    auth,
  });

const percentChange = (ratio: number) => {
  const p = (ratio - 1) * 100;
  return `${p >= 0 ? '+' : '−'}${Math.abs(p).toFixed(0)} %`;
};

/**
 * (3) Freshness: `nodes` store nodes record a sales-heavy mix at `rate` events/s in total. 8 of them
 * (whole stores spread over the regions) are real SyncClients (worker threads, TCP, in-memory RxDB)
 * and 10% of their events are probe sales (each node's own probe SKU, so the k-th probe is visible
 * once the hub's on hand of that SKU is -k); the others publish at the wire level exactly as an
 * outbox does (WireFleet), because a real SyncClient costs ~2 ms CPU per event in Node and 50 of
 * them at 1,000 events/s would need more than this machine's 2 cores. Latency = from the node's record() call to
 * the sale being committed in the hub's views, read in the hub's process every 3 ms (no HTTP in
 * the way). Every 5th probe is also polled on GET /v1/availability/:sku from the node's thread.
 *
 * The same network runs twice side by side: on a nats-server in operator mode (every node its own
 * terminal user, the hub with its credentials: the product) and, as the reference that shows the
 * cost of authentication, on one without authentication. Both are warmed up under load first, then
 * they take turns (none, operator, operator, none): one carries the load while the other stays
 * connected and idle.
 */
export const freshnessScenario = async (size: FreshnessSize, options: BenchOptions): Promise<ScenarioResult> => {
  const r = result('freshness', '3. Freshness (node sale → hub availability)');
  const perLocation = 2;
  const regions = 5;
  const locationsPerRegion = Math.max(1, Math.round(size.nodes / perLocation / regions));
  const layout = worldLayout({ regions, locationsPerRegion, nodesPerLocation: perLocation, skus: 500 });
  const syncCount = Math.min(SYNC_NODES, layout.nodes.length);
  options.log(
    `  starting ${layout.nodes.length} nodes (${syncCount} SyncClients in worker threads, the rest wire-level), twice: with and without auth`,
  );
  const labs: Partial<Record<AuthMode, FleetLab>> = {};
  let sampler: ReturnType<typeof setInterval> | undefined;
  try {
    labs.none = await startLab(layout, options, 'none');
    labs.operator = await startLab(layout, options, 'operator');
    await Promise.all([labs.none.connected(), labs.operator.connected()]);
    const modeRun = (lab: FleetLab): ModeRun => ({
      lab,
      seen: new Map(),
      windows: [],
      applied: 0,
      batches: 0,
      ms: 0,
      cpu: { hub: 0, all: 0, nats: 0 },
    });
    const runs: Record<AuthMode, ModeRun> = { none: modeRun(labs.none), operator: modeRun(labs.operator) };
    // Both labs are sampled every 3 ms (in the hubs' thread), the idle one too: a probe applied
    // after its window ended is late, not lost.
    sampler = setInterval(() => {
      sample(runs.none);
      sample(runs.operator);
    }, 3);
    const warmupMs = options.quick ? 2000 : 5000;
    const rewarmMs = options.quick ? 1000 : 2000;
    const windowMs = (size.seconds * 1000) / (WINDOWS.length / 2);
    // Warm-up, not measured: the hubs' code (one thread for both), each lab's nodes, server and views.
    for (const mode of ['none', 'operator'] as const) {
      await runs[mode].lab.fleet.setRate(size.rate);
      await sleep(warmupMs);
      await runs[mode].lab.fleet.setRate(0);
      await sleep(1000);
    }
    for (const mode of WINDOWS) {
      const run = runs[mode];
      const { lab } = run;
      options.log(`  ${windowMs / 1000} s ${mode === 'operator' ? 'with' : 'without'} auth`);
      await lab.fleet.setRate(size.rate);
      await sleep(rewarmMs);
      const start = nowMs();
      const appliedBefore = lab.hub.ctx.metrics.eventsApplied;
      const batchesBefore = lab.hub.ctx.metrics.batches;
      const cpuBefore = cpuNow(lab);
      await sleep(windowMs);
      const end = nowMs();
      const cpuAfter = cpuNow(lab);
      const applied = lab.hub.ctx.metrics.eventsApplied - appliedBefore;
      const states = await lab.fleet.status();
      run.windows.push({
        start,
        end,
        applied,
        offline: states.filter((n) => !n.connected).length,
        pending: states.reduce((sum, n) => sum + n.pending, 0),
      });
      run.ms += end - start;
      run.applied += applied;
      run.batches += lab.hub.ctx.metrics.batches - batchesBefore;
      run.cpu.hub += cpuAfter.hub - cpuBefore.hub;
      run.cpu.all += cpuAfter.all - cpuBefore.all;
      run.cpu.nats += cpuAfter.nats - cpuBefore.nats;
      // Keep traffic flowing a little longer, so the last probes of the window are not left waiting.
      await sleep(2000);
      await lab.fleet.setRate(0);
      await sleep(1000);
      // The next window starts from a drained pipeline: a backlog must not carry over to it.
      await drained(lab, 10_000);
    }
    clearInterval(sampler);
    const origin = runs[WINDOWS[0] ?? 'none'].windows[0]?.start ?? 0;
    const withAuth = await figuresOf(runs.operator, origin);
    const without = await figuresOf(runs.none, origin);
    const byTime = [
      ...withAuth.windows.map((w) => ({ ...w, mode: 'with auth' })),
      ...without.windows.map((w) => ({ ...w, mode: 'without auth' })),
    ].sort((a, b) => a.startMs - b.startMs);
    const describe = (w: (typeof byTime)[number]) => {
      const atEnd = [w.offline ? `${w.offline} nodes offline` : '', w.pending ? `${w.pending} events pending` : '']
        .filter(Boolean)
        .join(', ');
      return `window at ${(w.startMs / 1000).toFixed(0)} s, ${w.mode}: p50 ${w.p50.toFixed(1)} / p99 ${w.p99.toFixed(1)} ms, ${w.probes} probes${w.invisible ? ` (${w.invisible} never visible)` : ''}, ${Math.round(w.rate)} events/s applied${atEnd ? `; at its end ${atEnd}` : ''}`;
    };
    for (const w of byTime) options.log(`  ${describe(w)}`);
    const d = withAuth.store;
    const h = withAuth.http;
    const ratio = { p50: d.p50 / without.store.p50, p99: d.p99 / without.store.p99 };
    r.figures.push(
      fig('p50', d.p50, 'ms'),
      fig('p95', d.p95, 'ms'),
      fig('p99', d.p99, 'ms'),
      fig('HTTP-polled p50 / p95 / p99', `${h.p50.toFixed(0)} / ${h.p95.toFixed(0)} / ${h.p99.toFixed(0)}`, 'ms'),
      fig('rate applied', withAuth.achievedRate, 'events/s'),
      fig(
        'p50 / p99 without auth (reference)',
        `${without.store.p50.toFixed(1)} / ${without.store.p99.toFixed(1)}`,
        'ms',
      ),
      fig('with auth / without: p50 / p99', `${(ratio.p50 * 100).toFixed(0)} / ${(ratio.p99 * 100).toFixed(0)}`, '%'),
    );
    r.targets.push(check('p99', d.p99, '<', 250, 'ms'));
    if (withAuth.invisible > 0) r.targets.push(check('probes never visible', withAuth.invisible, '==', 0));
    if (without.invisible > 0) r.targets.push(check('probes never visible without auth', without.invisible, '==', 0));
    const split = (f: ModeFigures) =>
      `node record → stored in the stream ${f.nodeSide.p50.toFixed(0)} / ${f.nodeSide.p99.toFixed(0)} ms; stored → applied by the hub ${f.hubSide.p50.toFixed(0)} / ${f.hubSide.p99.toFixed(0)} ms`;
    const cpu = (f: ModeFigures) =>
      `hub thread ${f.cpuCores.hubThread.toFixed(2)}, simulated nodes ${f.cpuCores.simulator.toFixed(2)}, nats-server ${f.cpuCores.natsServer.toFixed(2)}`;
    r.notes.push(
      `${layout.nodes.length} nodes at ${layout.locations.length} stores in ${regions} regions, ${size.rate} events/s offered for ${size.seconds} s per mode (2 windows of ${windowMs / 1000} s, after ${warmupMs / 1000} s of warm-up, then ${rewarmMs / 1000} s): ${syncCount} real SyncClient nodes (worker threads, in-memory RxDB, each pulling its own store's stock from KV) carrying ${withAuth.probes} probe sales with auth (10% of their events), the rest wire-level nodes publishing like an outbox, each on its own connection (a SyncClient costs ~2 ms CPU per event here: 50 of them at 1,000 events/s would saturate both cores by themselves).`,
      "Measured in the hub's process: the probe cell read from hub.ctx.store every 3 ms (HTTP polling of every probe would load the hub); every 5th probe (at most one at a time per worker) was also polled on GET /v1/availability/:sku from the node's thread, every 5 ms for 250 ms then backing off (the HTTP figure).",
      `Cost of authentication: p50 ${d.p50.toFixed(1)} ms with it (operator mode: each node signed in as its own terminal user, the hub with its credentials), ${without.store.p50.toFixed(1)} ms without (${percentChange(ratio.p50)}); p99 ${d.p99.toFixed(1)} / ${without.store.p99.toFixed(1)} ms (${percentChange(ratio.p99)}); ${withAuth.probes} / ${without.probes} probes. The same network on two nats-servers and two hubs, one carrying the load while the other stays connected and idle, windows in the order ${WINDOWS.join(', ')}; both hubs' views are sampled all along, so a probe applied after its window is late, not lost. The figures above are those with authentication.`,
      `Split (p50 / p99, ms resolution of JetStream's timestamp): with auth ${split(withAuth)}; without ${split(without)}.`,
      `CPU in the windows (cores of 2), with auth: ${cpu(withAuth)}; without: ${cpu(without)}.`,
      ...byTime
        .filter((w) => w.invisible > 0)
        .map(
          (w) =>
            `${describe(w)}: its hub stopped applying (or its nodes publishing) for longer than the window's 3 s tail; see the windows in the JSON.`,
        ),
      `Hub committed ${withAuth.batches} batches in the windows with auth (${(withAuth.applied / Math.max(1, withAuth.batches)).toFixed(1)} events each); node-local commit p50 ${withAuth.localCommit.p50.toFixed(2)} ms (in-memory RxDB).`,
    );
    Object.assign(r.data, {
      nodes: layout.nodes.length,
      offeredRate: size.rate,
      achievedRate: withAuth.achievedRate,
      seconds: size.seconds,
      probes: withAuth.probes,
      invisible: withAuth.invisible,
      store: d,
      http: h,
      localCommit: withAuth.localCommit,
      nodeSide: withAuth.nodeSide,
      hubSide: withAuth.hubSide,
      batches: withAuth.batches,
      cpuCores: withAuth.cpuCores,
      auth: { order: WINDOWS, windowSeconds: windowMs / 1000, withAuth, withoutAuth: without, ratio },
    });
    return r;
  } finally {
    clearInterval(sampler);
    for (const lab of [labs.operator, labs.none]) await lab?.dispose();
  }
};
