import { describe, expect, it } from 'vitest';
import { formatClusterChaosReport, runClusterChaos } from './cluster-chaos.js';

// A short, seeded version of `pnpm chaos -- --cluster`: 3 nats-servers (operator mode, R3), 3 hub
// instances, 4 in-process nodes and a small reservation load, ~25 s of leader SIGKILLs, a leader
// SIGSTOP past its lease and a nats-server SIGKILL. Sized for 2 cores.
describe('cluster chaos (seeded)', () => {
  it('loses nothing, duplicates nothing, oversells nothing, and every instance equals the fold of the stream', async () => {
    const report = await runClusterChaos({
      seed: 'ci-cluster-7',
      durationS: 25,
      regions: 2,
      storesPerRegion: 1,
      terminalsPerStore: 2,
      rate: 20,
      reservationRate: 20,
      fleetMode: 'in-process',
      quiesceTimeoutS: 60,
    });
    const summary = formatClusterChaosReport(report);
    console.log(summary);
    expect(report.problems, summary).toEqual([]);
    expect(report.quiesced, summary).toBe(true);
    expect(report.lostInStream, summary).toBe(0);
    expect(
      report.instances.map((i) => i.instance),
      summary,
    ).toEqual(['hub-a', 'hub-b', 'hub-c']);
    for (const i of report.instances) {
      expect(i.lost, summary).toBe(0);
      expect(i.phantom, summary).toBe(0);
      expect(i.mismatchingCells, summary).toBe(0);
      expect(i.replayDiffTables, summary).toEqual([]);
    }
    const r = report.reservations;
    expect(r.answeredMissing, summary).toBe(0);
    expect(r.answeredDuplicated, summary).toBe(0);
    expect(r.keysPlacedTwice, summary).toBe(0);
    expect(r.keysAnsweredTwoIds, summary).toBe(0);
    expect(r.placedUnanswered, summary).toBe(0);
    expect(r.replayMismatches, summary).toBe(0);
    expect(r.oversold, summary).toBe(0);
    expect(r.undecided, summary).toBe(0);
    expect(r.placed, summary).toBeGreaterThan(50);
    expect(r.refused, summary).toBeGreaterThan(0);
    expect(report.refusals, summary).toEqual([]);
    expect(report.recorded, summary).toBeGreaterThan(200);
    expect(report.faults['leader-kill'], summary).toBeGreaterThan(0);
    expect(report.faults['nats-kill'], summary).toBeGreaterThan(0);
    expect(report.faults['leader-stop'], summary).toBeGreaterThan(0);
    expect(report.ok, summary).toBe(true);
  }, 300_000);
});
