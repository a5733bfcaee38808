import type { SkuLine } from '@stocknerve/domain';
import type { SqlStore, SqlValue } from '../store/sql-store.js';

export type ReservationStatus = 'placed' | 'confirmed' | 'released' | 'expired';

/** A reservation as the API shows it. */
export interface ReservationRecord {
  readonly reservationId: string;
  readonly channel: string;
  /** Null for a network-wide hold. */
  readonly location: string | null;
  readonly status: ReservationStatus;
  readonly lines: readonly SkuLine[];
  readonly expiresAt: string;
  readonly idempotencyKey: string;
  readonly placedAt: string;
  readonly updatedAt: string;
  readonly placedEventId: string;
  readonly correlationId: string;
}

interface Row {
  reservation_id: string;
  channel: string;
  location: string | null;
  status: ReservationStatus;
  expires_at: string;
  idempotency_key: string;
  lines: string;
  placed_at: string;
  updated_at: string;
  placed_event_id: string;
  correlation_id: string;
}

const recordOf = (r: Row): ReservationRecord => ({
  reservationId: r.reservation_id,
  channel: r.channel,
  location: r.location,
  status: r.status,
  lines: JSON.parse(r.lines) as SkuLine[],
  expiresAt: r.expires_at,
  idempotencyKey: r.idempotency_key,
  placedAt: r.placed_at,
  updatedAt: r.updated_at,
  placedEventId: r.placed_event_id,
  correlationId: r.correlation_id,
});

export const reservationRecord = (store: SqlStore, reservationId: string): ReservationRecord | undefined => {
  const row = store.get<Row>('SELECT * FROM reservations WHERE reservation_id = ?', reservationId);
  return row ? recordOf(row) : undefined;
};

export interface ReservationFilter {
  readonly status?: ReservationStatus | undefined;
  readonly channel?: string | undefined;
  readonly location?: string | undefined;
  /** Most rows returned. */
  readonly limit: number;
}

/** Reservations matching every given filter, newest first. */
export const listReservations = (store: SqlStore, filter: ReservationFilter): ReservationRecord[] => {
  const status: SqlValue = filter.status ?? null;
  const channel: SqlValue = filter.channel ?? null;
  const location: SqlValue = filter.location ?? null;
  return store
    .all<Row>(
      `SELECT * FROM reservations
       WHERE (? IS NULL OR status = ?) AND (? IS NULL OR channel = ?) AND (? IS NULL OR location = ?)
       ORDER BY placed_at DESC, reservation_id DESC LIMIT ?`,
      status,
      status,
      channel,
      channel,
      location,
      location,
      filter.limit,
    )
    .map(recordOf);
};

/** The reservation a channel placed with an idempotency key, if any. */
export const reservationByKey = (
  store: SqlStore,
  channel: string,
  idempotencyKey: string,
): ReservationRecord | undefined => {
  const row = store.get<Row>(
    'SELECT * FROM reservations WHERE channel = ? AND idempotency_key = ?',
    channel,
    idempotencyKey,
  );
  return row ? recordOf(row) : undefined;
};
