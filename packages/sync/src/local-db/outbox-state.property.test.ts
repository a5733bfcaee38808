import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ackedAtOf,
  EMPTY_OUTBOX_STATE,
  isUnacked,
  MAX_ACK_TIMES,
  MAX_REACK_TIMES,
  type OutboxState,
  parseOutboxState,
  withAcks,
  withRequeued,
} from './outbox-state.js';

/** What happens to a node's log: recording, a batch of PubAcks, anti-entropy re-queueing. */
type Step =
  | { readonly kind: 'record'; readonly count: number }
  | { readonly kind: 'ack'; readonly count: number; readonly advanceMs: number }
  | { readonly kind: 'requeue'; readonly picks: readonly number[] }
  /** The last `count` acknowledged events (a broker that lost the stream's tail). */
  | { readonly kind: 'requeueTail'; readonly count: number }
  /** A batch handed out, then a tail re-queued while it was out, then its PubAcks. */
  | { readonly kind: 'ackRacingTail'; readonly count: number; readonly tail: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('record' as const), count: fc.integer({ min: 1, max: 20 }) }),
  fc.record({
    kind: fc.constant('ack' as const),
    count: fc.integer({ min: 1, max: 30 }),
    advanceMs: fc.integer({ min: 0, max: 5_000 }),
  }),
  fc.record({ kind: fc.constant('requeue' as const), picks: fc.array(fc.nat(), { maxLength: 4 }) }),
  fc.record({ kind: fc.constant('requeueTail' as const), count: fc.integer({ min: 1, max: 15 }) }),
  fc.record({
    kind: fc.constant('ackRacingTail' as const),
    count: fc.integer({ min: 1, max: 30 }),
    tail: fc.integer({ min: 1, max: 10 }),
  }),
);

/** The outbox as `pending` hands it out: re-queued events first, then those above the prefix. */
const pendingOf = (state: OutboxState, lastSeq: number, limit: number): number[] => {
  const above = Array.from({ length: Math.max(0, lastSeq - state.ackedThrough) }, (_, i) => state.ackedThrough + 1 + i);
  return [...state.requeued, ...above].slice(0, limit);
};

/**
 * Plays the steps on the outbox state and on a model that keeps every event's own ack time (what
 * version 0 of the log stored), and checks them against each other after every step.
 */
const play = (steps: readonly Step[], checkEvery = 1) => {
  let state = EMPTY_OUTBOX_STATE;
  const model = new Map<number, number | null>();
  let lastSeq = 0;
  let now = 1_000_000;
  let streamSeq = 0;
  let merged = false;
  for (const [n, s] of steps.entries()) {
    if (s.kind === 'record') {
      for (let i = 0; i < s.count; i++) model.set(++lastSeq, null);
    } else if (s.kind === 'ack') {
      now += s.advanceMs;
      const batch = pendingOf(state, lastSeq, s.count);
      streamSeq += batch.length;
      state = withAcks(state, batch, streamSeq, now);
      for (const seq of batch) model.set(seq, now);
    } else if (s.kind === 'ackRacingTail') {
      now += 100;
      const sentAbove = state.ackedThrough;
      const batch = pendingOf(state, lastSeq, s.count);
      const acked = [...model.entries()].filter(([, at]) => at !== null).map(([seq]) => seq);
      const tail = acked.slice(-s.tail);
      state = withRequeued(state, tail);
      for (const seq of tail) model.set(seq, null);
      streamSeq += batch.length;
      const raced = state.ackedThrough;
      const lowered = raced < sentAbove;
      state = withAcks(state, batch, streamSeq, now, sentAbove);
      // Stored in the stream, but not recorded when the prefix was lowered under them: sent again.
      for (const seq of batch) if (!(lowered && seq > raced)) model.set(seq, now);
    } else {
      const acked = [...model.entries()].filter(([, at]) => at !== null).map(([seq]) => seq);
      const seqs =
        s.kind === 'requeueTail'
          ? acked.slice(-s.count)
          : s.picks.map((p) => acked[p % Math.max(1, acked.length)]).filter((x) => x !== undefined);
      state = withRequeued(state, seqs);
      for (const seq of seqs) model.set(seq, null);
    }
    merged ||= state.ackTimes.length === MAX_ACK_TIMES || state.reackTimes.length === MAX_REACK_TIMES;
    if (n % checkEvery !== 0 && n !== steps.length - 1) continue;
    for (const [seq, at] of model) {
      expect(isUnacked(state, seq)).toBe(at === null);
      const read = ackedAtOf(state, seq);
      if (at === null) expect(read).toBeNull();
      // Never earlier than the truth (anti-entropy must not re-send sooner than its grace period),
      // and exactly the truth while nothing had to be merged.
      else if (merged) expect(read).toBeGreaterThanOrEqual(at);
      else expect(read).toBe(at);
    }
    expect(state.requeued).toEqual([...state.requeued].sort((a, b) => a - b));
    expect(state.ackTimes.length).toBeLessThanOrEqual(MAX_ACK_TIMES);
    expect(state.reackTimes.length).toBeLessThanOrEqual(MAX_REACK_TIMES);
    expect(state.lastStreamSeq).toBe(streamSeq);
  }
  return state;
};

describe("the outbox's state", () => {
  it('says what is acknowledged, and when, as a per-event record would', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        play(steps);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps a bounded record of ack times over a long life, never earlier than the truth', () => {
    const steps: Step[] = [];
    for (let i = 0; i < 400; i++) {
      steps.push({ kind: 'record', count: 3 }, { kind: 'ack', count: 3, advanceMs: (i * 7919) % 4_000 });
      if (i % 5 === 0) steps.push({ kind: 'requeue', picks: [i, i * 31] }, { kind: 'ack', count: 2, advanceMs: 10 });
    }
    const state = play(steps, 25);
    expect(state.ackTimes).toHaveLength(MAX_ACK_TIMES);
  });

  it("lowers the prefix for a re-sent tail instead of listing it, and keeps each event's time", () => {
    let state = withAcks(EMPTY_OUTBOX_STATE, [1, 2, 3, 4, 5, 6], 6, 1_000);
    state = withAcks(state, [7, 8, 9, 10], 10, 2_000);
    // 8 was re-sent and acknowledged again before the tail went missing too.
    state = withAcks(withRequeued(state, [8]), [8], 11, 3_000);
    state = withRequeued(state, [5, 6, 7, 8, 9, 10]);
    expect(state).toMatchObject({ ackedThrough: 4, requeued: [] });
    expect([5, 8, 10].map((seq) => ackedAtOf(state, seq))).toEqual([null, null, null]);
    expect(ackedAtOf(state, 4)).toBe(1_000);
    state = withAcks(state, [5, 6, 7, 8, 9, 10], 17, 4_000);
    expect([4, 5, 8, 10].map((seq) => ackedAtOf(state, seq))).toEqual([1_000, 4_000, 4_000, 4_000]);
  });

  it('survives being stored and read back, and refuses a damaged document', () => {
    const state = withAcks(EMPTY_OUTBOX_STATE, [1, 2, 3], 17, 1_000);
    expect(parseOutboxState(JSON.parse(JSON.stringify(state)))).toEqual(state);
    expect(() => parseOutboxState({ ...state, ackedThrough: -1 })).toThrow(/ackedThrough/);
    expect(() => parseOutboxState(null)).toThrow(/unreadable outbox state/);
  });
});
