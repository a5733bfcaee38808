import { inLedgerEpochs } from '../store/ledger-epochs.js';
import type { SqlStore } from '../store/sql-store.js';

/**
 * The greatest HLC text at a wall-clock time: `<15-digit ms>-999999-~` sorts after every HLC of that
 * millisecond (node ids are [a-z0-9-], all below '~'), so `hlc <= bound` means "at or before ms".
 */
export const hlcUpperBound = (ms: number): string => `${String(Math.floor(ms)).padStart(15, '0')}-999999-~`;

export interface CountRef {
  readonly qty: number;
  readonly hlc: string;
  readonly eventId: string;
  readonly occurredAt: string;
  readonly streamSeq: number;
}

/** A cell's on hand and damaged as of a time, replayed from the movements. */
export interface StockAsOf {
  readonly location: string;
  readonly sku: string;
  readonly asOf: string;
  readonly onHand: number;
  readonly damaged: number;
  /** The latest count at or before asOf (its quantity is the base of on hand), null when none. */
  readonly count: CountRef | null;
  /** Σ on-hand deltas after the count up to asOf. */
  readonly deltaAfterCount: number;
  /** How many on-hand movements went into it. */
  readonly movements: number;
}

interface CountRow {
  counted_qty: number;
  hlc: string;
  event_id: string;
  occurred_at: string;
  stream_seq: number;
}

const countRef = (r: CountRow | undefined): CountRef | null =>
  r
    ? { qty: r.counted_qty, hlc: r.hlc, eventId: r.event_id, occurredAt: r.occurred_at, streamSeq: r.stream_seq }
    : null;

const latestCount = (store: SqlStore, location: string, sku: string, bound: string): CountRef | null =>
  countRef(
    store.get<CountRow>(
      `SELECT m.counted_qty, m.hlc, a.event_id, a.occurred_at, m.stream_seq
       FROM movements m JOIN applied_events a ON a.stream_seq = m.stream_seq
       WHERE m.${inLedgerEpochs.upTo} AND m.location = ? AND m.sku = ? AND m.bucket = 'count' AND m.hlc <= ?
       ORDER BY m.hlc DESC LIMIT 1`,
      bound,
      location,
      sku,
      bound,
    ),
  );

/**
 * Time travel: on hand = the latest count with hlc ≤ asOf plus the on-hand deltas with hlc in
 * (count, asOf]; damaged = Σ damaged movements with hlc ≤ asOf. Ordered by HLC (merge order), so a
 * late-synced offline sale lands where it happened, not when it arrived.
 */
export const stockAsOf = (store: SqlStore, location: string, sku: string, asOfMs: number): StockAsOf => {
  const bound = hlcUpperBound(asOfMs);
  const count = latestCount(store, location, sku, bound);
  const deltas = store.get<{ total: number | null; n: number }>(
    `SELECT SUM(delta) AS total, COUNT(*) AS n FROM movements
     WHERE ${inLedgerEpochs.between} AND location = ? AND sku = ? AND bucket = 'on_hand' AND hlc > ? AND hlc <= ?`,
    count?.hlc ?? '',
    bound,
    location,
    sku,
    count?.hlc ?? '',
    bound,
  );
  const damaged = store.get<{ total: number | null }>(
    `SELECT SUM(delta) AS total FROM movements
     WHERE ${inLedgerEpochs.upTo} AND location = ? AND sku = ? AND bucket = 'damaged' AND hlc <= ?`,
    bound,
    location,
    sku,
    bound,
  );
  const deltaAfterCount = deltas?.total ?? 0;
  return {
    location,
    sku,
    asOf: new Date(asOfMs).toISOString(),
    onHand: (count?.qty ?? 0) + deltaAfterCount,
    damaged: damaged?.total ?? 0,
    count,
    deltaAfterCount,
    movements: deltas?.n ?? 0,
  };
};

export interface MovementLine {
  readonly type: string;
  readonly delta: number;
  readonly hlc: string;
  readonly eventId: string;
  readonly occurredAt: string;
  readonly streamSeq: number;
}

/** The events that make up a cell's on hand today, and whether they add up to it. */
export interface OnHandExplanation {
  readonly location: string;
  readonly sku: string;
  /** On hand in the view. */
  readonly onHand: number;
  readonly count: CountRef | null;
  /** Every on-hand movement after the count (all of them without one), in HLC order. */
  readonly movements: readonly MovementLine[];
  /** count + Σ movements. */
  readonly sum: number;
  /** sum = on hand. */
  readonly consistent: boolean;
}

/** Explains a cell's on hand: its latest count and every movement after it. */
export const explainOnHand = (store: SqlStore, location: string, sku: string): OnHandExplanation => {
  const onHand =
    store.get<{ on_hand: number }>('SELECT on_hand FROM stock WHERE location = ? AND sku = ?', location, sku)
      ?.on_hand ?? 0;
  // '~' sorts after every HLC text: the latest count of all.
  const count = latestCount(store, location, sku, '~');
  const rows = store.all<{
    type: string;
    delta: number;
    hlc: string;
    event_id: string;
    occurred_at: string;
    stream_seq: number;
  }>(
    `SELECT a.type, m.delta, m.hlc, a.event_id, a.occurred_at, m.stream_seq
     FROM movements m JOIN applied_events a ON a.stream_seq = m.stream_seq
     WHERE m.${inLedgerEpochs.after} AND m.location = ? AND m.sku = ? AND m.bucket = 'on_hand' AND m.hlc > ?
     ORDER BY m.hlc, m.stream_seq`,
    count?.hlc ?? '',
    location,
    sku,
    count?.hlc ?? '',
  );
  const movements = rows.map((r) => ({
    type: r.type,
    delta: r.delta,
    hlc: r.hlc,
    eventId: r.event_id,
    occurredAt: r.occurred_at,
    streamSeq: r.stream_seq,
  }));
  const sum = (count?.qty ?? 0) + movements.reduce((s, m) => s + m.delta, 0);
  return { location, sku, onHand, count, movements, sum, consistent: sum === onHand };
};

/** One line of a cell's ledger, with the event it came from. */
export interface LedgerLine {
  readonly hlc: string;
  readonly bucket: 'on_hand' | 'damaged' | 'count';
  readonly delta: number;
  readonly countedQty: number | null;
  readonly streamSeq: number;
  readonly eventId: string;
  readonly node: string;
}

/** Every line of a cell's ledger in HLC (merge) order, whichever epochs of the stream they sit in. */
export const cellLedger = (store: SqlStore, location: string, sku: string): LedgerLine[] =>
  store
    .all<{
      hlc: string;
      bucket: LedgerLine['bucket'];
      delta: number;
      counted_qty: number | null;
      stream_seq: number;
      event_id: string;
      node: string;
    }>(
      `SELECT m.hlc, m.bucket, m.delta, m.counted_qty, m.stream_seq, a.event_id, a.node
       FROM movements m JOIN applied_events a ON a.stream_seq = m.stream_seq
       WHERE m.${inLedgerEpochs.all} AND m.location = ? AND m.sku = ? ORDER BY m.hlc, m.stream_seq`,
      location,
      sku,
    )
    .map((r) => ({
      hlc: r.hlc,
      bucket: r.bucket,
      delta: r.delta,
      countedQty: r.counted_qty,
      streamSeq: r.stream_seq,
      eventId: r.event_id,
      node: r.node,
    }));
