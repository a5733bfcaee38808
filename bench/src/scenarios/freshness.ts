import { type BenchOptions, check, fig, result, type ScenarioResult } from '../lib/context.js';
import { FleetLab } from '../lib/fleet-lab.js';
import { cpuTimeOf, TOKENS } from '../lib/hub.js';
import { distribution, nowMs, sleep } from '../lib/stats.js';
import { worldLayout } from '../simulator/world.js';

/** Nodes that run the real SyncClient (and carry the probes); the rest publish at the wire level. */
const SYNC_NODES = 8;

export interface FreshnessSize {
  readonly nodes: number;
  readonly rate: number;
  readonly seconds: number;
}

/**
 * (3) Freshness: `nodes` store nodes record a sales-heavy mix at `rate` events/s in total. 8 of them
 * (whole stores spread over the regions) are real SyncClients (worker threads, TCP, in-memory RxDB)
 * and 10% of their events are probe sales (each node's own probe SKU, so the k-th probe is visible
 * once the hub's on hand of that SKU is -k); the others publish at the wire level exactly as an
 * outbox does (WireFleet), because a real SyncClient costs ~2 ms CPU per event in Node and 50 of
 * them at 1,000 events/s would need more than this machine's 2 cores. Latency = from the node's record() call to
 * the sale being committed in the hub's views, read in the hub's process every 3 ms (no HTTP in
 * the way). Every 5th probe is also polled on GET /v1/availability/:sku from the node's thread.
 */
export const freshnessScenario = async (size: FreshnessSize, options: BenchOptions): Promise<ScenarioResult> => {
  const r = result('freshness', '3. Freshness (node sale → hub availability)');
  const perLocation = 2;
  const regions = 5;
  const locationsPerRegion = Math.max(1, Math.round(size.nodes / perLocation / regions));
  const layout = worldLayout({ regions, locationsPerRegion, nodesPerLocation: perLocation, skus: 500 });
  options.log(
    `  starting ${layout.nodes.length} nodes (${Math.min(SYNC_NODES, layout.nodes.length)} SyncClients in worker threads, the rest wire-level)`,
  );
  const lab = await FleetLab.start(layout, {
    seed: `${options.seed}/freshness`,
    probeShare: 0.1,
    syncNodes: SYNC_NODES,
    httpProbeEvery: 5,
    httpProbeToken: TOKENS.ecommerce,
    heartbeatMs: 5000,
    nearby: 'own',
  });
  try {
    await lab.connected();
    // The probe cells as the hub's views show them, sampled every 3 ms in the hub's own process.
    const seen = new Map<string, number[]>(); // cell -> visibleAt[k-1]
    const sampler = setInterval(() => {
      const t = nowMs();
      const rows = lab.hub.ctx.store.all<{ location: string; sku: string; on_hand: number }>(
        "SELECT location, sku, on_hand FROM stock WHERE sku >= 'PROBE-' AND sku < 'PROBE.'",
      );
      for (const row of rows) {
        const key = `${row.location}/${row.sku}`;
        const times = seen.get(key) ?? [];
        while (times.length < -row.on_hand) times.push(t);
        seen.set(key, times);
      }
    }, 3);
    const warmupMs = options.quick ? 2000 : 5000;
    await lab.fleet.setRate(size.rate);
    await sleep(warmupMs);
    const windowStart = nowMs();
    const appliedBefore = lab.hub.ctx.metrics.eventsApplied;
    const cpu = () => ({
      hub: cpuTimeOf(process.pid, process.pid) ?? 0,
      all: cpuTimeOf(process.pid) ?? 0,
      nats: cpuTimeOf(lab.server.pid) ?? 0,
    });
    const cpuBefore = cpu();
    const batchesBefore = lab.hub.ctx.metrics.batches;
    await sleep(size.seconds * 1000);
    const windowEnd = nowMs();
    const cpuAfter = cpu();
    const cores = (ms: number) => ms / (windowEnd - windowStart);
    const cpuUse = {
      hubThread: cores(cpuAfter.hub - cpuBefore.hub),
      simulator: cores(cpuAfter.all - cpuBefore.all - (cpuAfter.hub - cpuBefore.hub)),
      natsServer: cores(cpuAfter.nats - cpuBefore.nats),
    };
    const appliedInWindow = lab.hub.ctx.metrics.eventsApplied - appliedBefore;
    const batchesInWindow = lab.hub.ctx.metrics.batches - batchesBefore;
    // Keep traffic flowing a little longer, so the last probes of the window are not left waiting.
    await sleep(2000);
    await lab.fleet.setRate(0);
    await sleep(1000);
    clearInterval(sampler);
    const probes = (await lab.fleet.probes()).filter((p) => p.t0 >= windowStart && p.t0 < windowEnd);
    const latencies: number[] = [];
    const httpLatencies: number[] = [];
    const localCommit: number[] = [];
    let invisible = 0;
    for (const p of probes) {
      localCommit.push(p.localMs - p.t0);
      const at = seen.get(`${p.location}/${p.sku}`)?.[p.k - 1];
      if (at === undefined) invisible++;
      else latencies.push(Math.max(0, at - p.t0));
      if (p.httpMs !== undefined) httpLatencies.push(p.httpMs - p.t0);
    }
    // Where the time goes: node (record → stored in JetStream) and hub (stored → applied).
    const nodeSide: number[] = [];
    const hubSide: number[] = [];
    const sample = probes.filter((_, i) => i % Math.max(1, Math.floor(probes.length / 300)) === 0);
    for (const p of sample) {
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
    const d = distribution(latencies);
    const h = distribution(httpLatencies);
    const achieved = (appliedInWindow / (windowEnd - windowStart)) * 1000;
    r.figures.push(
      fig('p50', d.p50, 'ms'),
      fig('p95', d.p95, 'ms'),
      fig('p99', d.p99, 'ms'),
      fig('HTTP-polled p50 / p95 / p99', `${h.p50.toFixed(0)} / ${h.p95.toFixed(0)} / ${h.p99.toFixed(0)}`, 'ms'),
      fig('rate applied', achieved, 'events/s'),
    );
    r.targets.push(check('p99', d.p99, '<', 250, 'ms'));
    if (invisible > 0) r.targets.push(check('probes never visible', invisible, '==', 0));
    r.notes.push(
      `${layout.nodes.length} nodes at ${layout.locations.length} stores in ${regions} regions, ${size.rate} events/s offered for ${size.seconds} s after ${warmupMs / 1000} s warm-up: ${Math.min(SYNC_NODES, layout.nodes.length)} real SyncClient nodes (worker threads, in-memory RxDB, each pulling its own store's stock from KV) carrying ${probes.length} probe sales (10% of their events), the rest wire-level nodes publishing like an outbox (a SyncClient costs ~2 ms CPU per event here: 50 of them at 1,000 events/s would saturate both cores by themselves).`,
      "Measured in the hub's process: the probe cell read from hub.ctx.store every 3 ms (HTTP polling of every probe would load the hub); every 5th probe (at most one at a time per worker) was also polled on GET /v1/availability/:sku from the node's thread, every 5 ms for 250 ms then backing off (the HTTP figure).",
      `Split (p50 / p99, ms resolution of JetStream's timestamp): node record → stored in the stream ${distribution(nodeSide).p50.toFixed(0)} / ${distribution(nodeSide).p99.toFixed(0)} ms; stored → applied by the hub ${distribution(hubSide).p50.toFixed(0)} / ${distribution(hubSide).p99.toFixed(0)} ms.`,
      `CPU in the window (cores of 2): hub thread ${cpuUse.hubThread.toFixed(2)}, simulated nodes ${cpuUse.simulator.toFixed(2)}, nats-server ${cpuUse.natsServer.toFixed(2)}.`,
      `Hub committed ${batchesInWindow} batches in the window (${(appliedInWindow / Math.max(1, batchesInWindow)).toFixed(1)} events each); node-local commit p50 ${distribution(localCommit).p50.toFixed(2)} ms (in-memory RxDB).`,
    );
    Object.assign(r.data, {
      nodes: layout.nodes.length,
      offeredRate: size.rate,
      achievedRate: achieved,
      seconds: size.seconds,
      probes: probes.length,
      invisible,
      store: d,
      http: h,
      localCommit: distribution(localCommit),
      nodeSide: distribution(nodeSide),
      hubSide: distribution(hubSide),
      batches: batchesInWindow,
      cpuCores: cpuUse,
    });
    return r;
  } finally {
    await lab.dispose();
  }
};
