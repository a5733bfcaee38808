import { describe, expect, it } from 'vitest';
import { formatChaosReport, runChaos } from './chaos.js';

// A short, seeded version of `pnpm chaos`: ~30 s of faults against 4 in-process nodes, nats-server in
// operator mode (each node its own terminal user, the hub with its credentials).
describe('chaos (seeded)', () => {
  it('loses nothing and the views equal the fold of every node log after kills, cuts, re-sends and garbage', async () => {
    const report = await runChaos({
      seed: 'ci-7',
      durationS: 30,
      regions: 2,
      storesPerRegion: 1,
      terminalsPerStore: 2,
      rate: 40,
      fleetMode: 'in-process',
      quiesceTimeoutS: 60,
    });
    const summary = formatChaosReport(report);
    expect(report.quiesced, summary).toBe(true);
    expect(report.lost, summary).toBe(0);
    expect(report.phantom, summary).toBe(0);
    expect(report.mismatchingCells, summary).toBe(0);
    expect(report.deadLettered, summary).toBeGreaterThanOrEqual(report.injected);
    expect(report.deadLettered, summary).toBeLessThanOrEqual(report.injected + report.injectedUncertain);
    expect(report.replayEqual, summary).toBe(true);
    expect(report.refusals, summary).toEqual([]);
    expect(report.recorded, summary).toBeGreaterThan(500);
    expect(report.faults.natsKills + report.faults.hubKills, summary).toBeGreaterThan(0);
  }, 240_000);
});
