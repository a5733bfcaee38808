import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { NAMES } from '@stocknerve/protocol';
import { nowMs, sleep } from './stats.js';

export interface Stall {
  /** Progress value at which the hub stopped. */
  readonly at: number;
  /** How far short of the target it stopped. */
  readonly short: number;
  /** When the progress value last changed before the stall (ms, nowMs clock). */
  readonly sinceT: number;
}

export interface ProgressRun {
  /** First sample that showed progress beyond `from`. */
  readonly first: { t: number; value: number };
  /** First sample at or beyond the target. */
  readonly done: { t: number; value: number };
  /** Last sample before a stall (when progress stopped short of the target). */
  readonly lastProgress: { t: number; value: number };
  readonly stalls: Stall[];
}

/** Rate (per s) from the first progress to the target, or to the first stall when there was one. */
export const progressRate = (run: ProgressRun): { rate: number; value: number; ms: number } => {
  const stall = run.stalls[0];
  const end = stall ? { t: stall.sinceT, value: stall.at } : run.done;
  const ms = end.t - run.first.t;
  return { rate: ((end.value - run.first.value) / ms) * 1000, value: end.value - run.first.value, ms };
};

/**
 * Polls `progress` until it reaches `target`. If it stops short for `stallMs`, calls `nudge` (see
 * nudgeProjector) and records the stall: the hub's projector leaves the tail of a burst unapplied
 * until another message arrives (reported as a hub bug), and a benchmark must not wait forever.
 */
export const followProgress = async (options: {
  progress: () => Promise<number | undefined>;
  from: number;
  target: number;
  intervalMs?: number;
  stallMs?: number;
  timeoutMs?: number;
  nudge?: () => Promise<void>;
  alive?: () => void;
}): Promise<ProgressRun> => {
  const interval = options.intervalMs ?? 20;
  const stallMs = options.stallMs ?? 2000;
  const deadline = nowMs() + (options.timeoutMs ?? 600_000);
  let first: { t: number; value: number } | undefined;
  let lastProgress = { t: nowMs(), value: options.from };
  const stalls: Stall[] = [];
  while (nowMs() < deadline) {
    options.alive?.();
    const value = await options.progress().catch(() => undefined);
    const t = nowMs();
    if (value !== undefined) {
      if (!first && value > options.from) first = { t, value };
      if (value >= options.target) return { first: first ?? { t, value }, done: { t, value }, lastProgress, stalls };
      if (value > lastProgress.value) lastProgress = { t, value };
      else if (first && options.nudge && t - lastProgress.t > stallMs) {
        stalls.push({ at: value, short: options.target - value, sinceT: lastProgress.t });
        await options.nudge();
        lastProgress = { t: nowMs(), value };
      }
    }
    await sleep(interval);
  }
  throw new Error(
    `progress stopped at ${lastProgress.value} of ${options.target} (from ${options.from}) after ${options.timeoutMs ?? 600_000} ms`,
  );
};

let nudges = 0;

/**
 * Stores a copy of an already stored store event under a new msg id: the hub absorbs it as a
 * duplicate (no view changes), and its arrival makes the projector commit the batch it holds.
 */
export const nudgeProjector = async (js: JetStreamClient, jsm: JetStreamManager, storeSubject: string) => {
  const stored = await jsm.streams.getMessage(NAMES.eventStream, { last_by_subj: storeSubject });
  if (!stored) throw new Error(`nothing stored on ${storeSubject} to nudge with`);
  await js.publish(storeSubject, stored.data, { msgID: `bench-nudge-${process.pid}-${++nudges}` });
};
