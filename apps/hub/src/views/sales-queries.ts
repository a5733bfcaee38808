import type { SkuLine } from '@stocknerve/domain';
import { LEDGER_EPOCH_EVENTS } from '../store/ledger-epochs.js';
import type { SqlStore } from '../store/sql-store.js';

/** Units of a SKU that moved at a location on a UTC day. */
export interface DayUnits {
  readonly day: string;
  readonly location: string;
  readonly sku: string;
  readonly units: number;
}

/**
 * Units returned by customers in the events applied at stream seqs (afterSeq, upToSeq], to the shelf
 * or to the damaged bucket, read from the movements ledger (daily_sales holds till sales only).
 */
export const returnedUnits = (store: SqlStore, afterSeq: number, upToSeq: number): DayUnits[] =>
  // A return moves stock only at its own location: the event's location and epoch narrow the ledger
  // to one (epoch, location) range of its primary key.
  store.all<DayUnits>(
    `SELECT substr(a.occurred_at, 1, 10) AS day, m.location AS location, m.sku AS sku, SUM(m.delta) AS units
     FROM applied_events a JOIN movements m
       ON m.epoch = a.stream_seq / ${LEDGER_EPOCH_EVENTS} AND m.location = a.location AND m.stream_seq = a.stream_seq
     WHERE a.stream_seq > ? AND a.stream_seq <= ? AND a.type = 'ReturnRecorded' AND m.bucket IN ('on_hand', 'damaged')
     GROUP BY day, m.location, m.sku`,
    afterSeq,
    upToSeq,
  );

/** A click-and-collect order handed over to its customer: a sale of its store. */
export interface HandedOverPickup {
  readonly pickupId: string;
  readonly channel: string | null;
  readonly location: string;
  /** UTC day of the handover. */
  readonly day: string;
  readonly lines: readonly SkuLine[];
}

/** Pickups handed over on or after `fromDay` (UTC, YYYY-MM-DD). */
export const handedOverPickups = (store: SqlStore, fromDay: string): HandedOverPickup[] =>
  store
    .all<{ pickup_id: string; channel: string | null; location: string; day: string; lines: string | null }>(
      `SELECT pickup_id, channel, location, substr(updated_at, 1, 10) AS day, lines FROM pickups
       WHERE status = 'handed-over' AND location IS NOT NULL AND updated_at >= ?`,
      fromDay,
    )
    .map((r) => ({
      pickupId: r.pickup_id,
      channel: r.channel,
      location: r.location,
      day: r.day,
      lines: r.lines === null ? [] : (JSON.parse(r.lines) as SkuLine[]),
    }));
