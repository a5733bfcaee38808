import { storeEventSubject } from '@stocknerve/protocol';
import { type BenchOptions, check, fig, result, type ScenarioResult } from '../lib/context.js';
import { FleetLab } from '../lib/fleet-lab.js';
import { followProgress, nudgeProjector, progressRate } from '../lib/progress.js';
import { nowMs } from '../lib/stats.js';
import { worldLayout } from '../simulator/world.js';

export interface CatchupSize {
  readonly nodes: number;
  readonly perNode: number;
}

/**
 * (4) Catch-up: `nodes` simulated nodes start cut off and each records `perNode` events offline
 * (in-memory RxDB, worker threads); then every link is healed at once (a connect attempt that was
 * hanging goes through) and the time until the hub has applied all of them is measured (sum of the
 * nodes' contiguous watermarks in the hub's views, read every 20 ms in its process).
 */
export const catchupScenario = async (size: CatchupSize, options: BenchOptions): Promise<ScenarioResult> => {
  const r = result('catchup', '4. Catch-up (offline nodes reconnect at once)');
  const perLocation = 2;
  const regions = 5;
  const layout = worldLayout({
    regions,
    locationsPerRegion: Math.max(1, Math.round(size.nodes / perLocation / regions)),
    nodesPerLocation: perLocation,
    skus: 500,
  });
  const total = layout.nodes.length * size.perNode;
  options.log(`  ${layout.nodes.length} nodes record ${size.perNode} events each offline`);
  const lab = await FleetLab.start(layout, {
    seed: `${options.seed}/catchup`,
    startCut: true,
    cutMode: 'hang',
    nearby: 'own',
  });
  try {
    const t0 = nowMs();
    await lab.fleet.recordEach(size.perNode);
    const recordMs = nowMs() - t0;
    const states = await lab.fleet.status();
    const pending = states.reduce((s, n) => s + n.pending, 0);
    if (pending !== total) throw new Error(`expected ${total} pending events offline, found ${pending}`);
    options.log(`  ${total.toLocaleString('en')} events pending; reconnecting every node`);
    const first = layout.nodes[0];
    const healedAt = nowMs();
    await lab.fleet.heal();
    const run = await followProgress({
      progress: async () => lab.appliedFromNodes(),
      from: 0,
      target: total,
      intervalMs: 20,
      timeoutMs: 300_000,
      nudge: () =>
        nudgeProjector(
          lab.js,
          lab.jsm,
          storeEventSubject(first?.region ?? '', first?.location ?? '', first?.node ?? ''),
        ),
    });
    const stall = run.stalls[0];
    const doneAt = stall ? stall.sinceT : run.done.t;
    const seconds = (doneAt - healedAt) / 1000;
    const { rate } = progressRate(run);
    r.figures.push(
      fig('time until all applied', seconds, 's'),
      fig('hub apply rate during catch-up', rate, 'events/s'),
      fig('first event applied after', (run.first.t - healedAt) / 1000, 's'),
    );
    r.targets.push(check('time until all applied', seconds, '<', 15, 's'));
    r.notes.push(
      `${layout.nodes.length} nodes × ${size.perNode.toLocaleString('en')} events (${total.toLocaleString('en')}) recorded offline in ${(recordMs / 1000).toFixed(1)} s; outbox 512 in flight per node; hub in the bench process, nodes in worker threads, each signed in as its own terminal user (operator mode).`,
    );
    for (const s of run.stalls)
      r.notes.push(
        `HUB BUG: the projector stopped ${s.short} events short and resumed only when another message arrived (a nudge); the time is measured to the stall.`,
      );
    Object.assign(r.data, {
      nodes: layout.nodes.length,
      perNode: size.perNode,
      seconds,
      rate,
      recordOfflineMs: recordMs,
      stalls: run.stalls,
      totalWithStallsMs: run.done.t - healedAt,
    });
    return r;
  } finally {
    await lab.dispose();
  }
};
