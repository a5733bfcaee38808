import { z } from 'zod';

/**
 * What this node's outbox has had acknowledged by JetStream. The log's events are immutable once
 * recorded: whether the stream holds each one is told by this one small document, written once per
 * batch of PubAcks, instead of a write to every event after an outage
 * (docs/decisions/0003-outbox-state-document.md).
 */
export interface OutboxState {
  /** Every stored event with seq ≤ this is in the stream, except the `requeued` ones. */
  readonly ackedThrough: number;
  /**
   * Events at or below `ackedThrough` that anti-entropy found missing at the hub: sent again, in seq
   * order, before the rest. Ascending.
   */
  readonly requeued: readonly number[];
  /**
   * When the acknowledged prefix grew: the events in (previous entry's `through`, `through`] were
   * acknowledged at `at`. Ascending; bounded (see `MAX_ACK_TIMES`).
   */
  readonly ackTimes: readonly AckTime[];
  /** Requeued events acknowledged again: when. The newest `MAX_REACK_TIMES` are kept. */
  readonly reackTimes: readonly ReackTime[];
  /** Stream sequence of the latest PubAck (0: none yet). */
  readonly lastStreamSeq: number;
}

export interface AckTime {
  readonly through: number;
  readonly at: number;
}

export interface ReackTime {
  readonly seq: number;
  readonly at: number;
}

/** The meta document's key. */
export const OUTBOX_STATE_KEY = 'outbox';

/**
 * Past this many entries, the two adjacent entries closest in time are merged into the later one:
 * the resolution of old ack times coarsens while every era keeps an entry. A merged event reads as
 * acknowledged later than it was, so anti-entropy waits longer before it re-sends it, never less.
 */
export const MAX_ACK_TIMES = 64;

/**
 * Past this many, the oldest re-acknowledgements are forgotten: such an event reads as acknowledged
 * when it first was, so anti-entropy may send it once more sooner, which costs a duplicate the hub
 * absorbs.
 */
export const MAX_REACK_TIMES = 256;

export const EMPTY_OUTBOX_STATE: OutboxState = {
  ackedThrough: 0,
  requeued: [],
  ackTimes: [],
  reackTimes: [],
  lastStreamSeq: 0,
};

const seqSchema = z.number().int().nonnegative();
const outboxStateSchema = z.object({
  ackedThrough: seqSchema,
  requeued: z.array(seqSchema.positive()),
  ackTimes: z.array(z.object({ through: seqSchema.positive(), at: z.number().nonnegative() })),
  reackTimes: z.array(z.object({ seq: seqSchema.positive(), at: z.number().nonnegative() })),
  lastStreamSeq: seqSchema,
});

/**
 * Reads a stored outbox state; anything unreadable is an error, for the caller to handle (the event
 * log then takes it as nothing acknowledged and says so in the sync status).
 */
export const parseOutboxState = (value: unknown): OutboxState => {
  const parsed = outboxStateSchema.safeParse(value);
  if (!parsed.success) throw new Error(`unreadable outbox state: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
};

/** True when `seq` waits to be sent (or sent again). Says nothing about whether it is stored. */
export const isUnacked = (state: OutboxState, seq: number): boolean =>
  seq > state.ackedThrough || binaryIncludes(state.requeued, seq);

/** When the stream acknowledged `seq` (ms), or null while it is not acknowledged. */
export const ackedAtOf = (state: OutboxState, seq: number): number | null => {
  if (isUnacked(state, seq)) return null;
  const reack = state.reackTimes.find((r) => r.seq === seq);
  if (reack) return reack.at;
  for (const t of state.ackTimes) if (t.through >= seq) return t.at;
  // Acknowledged before any time was kept (restored from the hub): long ago.
  return 0;
};

/**
 * The state after PubAcks for `seqs` (ascending: first requeued events, then the next stored
 * events above the prefix, the way `pending` hands them out), the last at stream seq
 * `lastStreamSeq`, received at `at`. `sentAbove` is where the acknowledged prefix ended when they
 * were handed out: if a re-sent tail lowered it since, the acks above it are not recorded (that
 * would acknowledge the re-queued events between), and those events are simply sent again.
 */
export const withAcks = (
  state: OutboxState,
  seqs: readonly number[],
  lastStreamSeq: number,
  at: number,
  sentAbove: number = state.ackedThrough,
): OutboxState => {
  if (seqs.length === 0) return state;
  const reacked = new Set<number>();
  let through = state.ackedThrough;
  const lowered = state.ackedThrough < sentAbove;
  for (const seq of seqs) {
    if (seq > state.ackedThrough) {
      if (!lowered) through = Math.max(through, seq);
    } else if (binaryIncludes(state.requeued, seq)) reacked.add(seq);
  }
  const reackTimes =
    reacked.size === 0
      ? state.reackTimes
      : [...state.reackTimes.filter((r) => !reacked.has(r.seq)), ...[...reacked].map((seq) => ({ seq, at }))].slice(
          -MAX_REACK_TIMES,
        );
  return {
    ackedThrough: through,
    requeued: reacked.size === 0 ? state.requeued : state.requeued.filter((s) => !reacked.has(s)),
    ackTimes: through > state.ackedThrough ? boundedAckTimes([...state.ackTimes, { through, at }]) : state.ackTimes,
    reackTimes,
    lastStreamSeq: Math.max(state.lastStreamSeq, lastStreamSeq),
  };
};

/**
 * The state after anti-entropy asks to send `seqs` again (those acknowledged so far). A run of them
 * that ends at `ackedThrough` (a broker that lost the stream's tail, a stream restored from an older
 * backup) lowers the prefix instead of being listed: the document stays small however much is re-sent.
 */
export const withRequeued = (state: OutboxState, seqs: readonly number[]): OutboxState => {
  const added = seqs.filter((s) => s >= 1 && !isUnacked(state, s));
  if (added.length === 0) return state;
  const requeued = [...new Set([...state.requeued, ...added])].sort((a, b) => a - b);
  let through = state.ackedThrough;
  while (requeued.length > 0 && requeued[requeued.length - 1] === through) {
    requeued.pop();
    through--;
  }
  return through === state.ackedThrough
    ? { ...state, requeued }
    : {
        ...state,
        ackedThrough: through,
        requeued,
        ackTimes: ackTimesThrough(state.ackTimes, through),
        reackTimes: state.reackTimes.filter((r) => r.seq <= through),
      };
};

/** The ack times of a prefix lowered to `through`: what was acknowledged above it no longer is. */
const ackTimesThrough = (times: readonly AckTime[], through: number): AckTime[] => {
  const kept = times.filter((t) => t.through <= through);
  const next = times.find((t) => t.through > through);
  if (next && through > (kept.at(-1)?.through ?? 0)) kept.push({ through, at: next.at });
  return kept;
};

/** The state after events through `seq` came back from the hub's stream (a restore). */
export const withRestoredThrough = (state: OutboxState, seq: number, at: number): OutboxState =>
  seq <= state.ackedThrough
    ? state
    : { ...state, ackedThrough: seq, ackTimes: boundedAckTimes([...state.ackTimes, { through: seq, at }]) };

const boundedAckTimes = (times: AckTime[]): AckTime[] => {
  while (times.length > MAX_ACK_TIMES) {
    let closest = 0;
    for (let i = 1; i < times.length - 1; i++) {
      const gap = (times[i + 1] as AckTime).at - (times[i] as AckTime).at;
      if (gap < (times[closest + 1] as AckTime).at - (times[closest] as AckTime).at) closest = i;
    }
    times.splice(closest, 1);
  }
  return times;
};

const binaryIncludes = (sorted: readonly number[], value: number): boolean => {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = sorted[mid] as number;
    if (v === value) return true;
    if (v < value) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
};
