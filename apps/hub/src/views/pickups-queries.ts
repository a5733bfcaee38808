import type { SkuLine } from '@stocknerve/domain';
import type { SqlStore, SqlValue } from '../store/sql-store.js';
import type { PickupRow } from './sql-inventory-view.js';

/** `unknown`: store events about the pickup arrived before the hub's placement. */
export type PickupStatus = 'placed' | 'picked' | 'handed-over' | 'rejected' | 'unknown';

/** A click-and-collect order as the API shows it. */
export interface PickupRecord {
  readonly pickupId: string;
  readonly channel: string | null;
  readonly location: string | null;
  readonly orderRef: string | null;
  readonly customerName: string | null;
  readonly lines: readonly SkuLine[];
  readonly status: PickupStatus;
  readonly picked: boolean;
  readonly rejectReason: string | null;
  readonly rejectNote: string | null;
  readonly placedAt: string | null;
  readonly updatedAt: string;
}

const recordOf = (r: PickupRow): PickupRecord => ({
  pickupId: r.pickup_id,
  channel: r.channel,
  location: r.location,
  orderRef: r.order_ref,
  customerName: r.customer_name,
  lines: r.lines === null ? [] : (JSON.parse(r.lines) as SkuLine[]),
  status: r.status as PickupStatus,
  picked: r.picked === 1,
  rejectReason: r.reject_reason,
  rejectNote: r.reject_note,
  placedAt: r.placed_at,
  updatedAt: r.updated_at,
});

export const pickupRecord = (store: SqlStore, pickupId: string): PickupRecord | undefined => {
  const row = store.get<PickupRow>('SELECT * FROM pickups WHERE pickup_id = ?', pickupId);
  return row ? recordOf(row) : undefined;
};

export interface PickupFilter {
  readonly location?: string | undefined;
  readonly status?: PickupStatus | undefined;
  /** Most rows returned. */
  readonly limit: number;
}

/** Pickups matching every given filter, newest first. */
export const listPickups = (store: SqlStore, filter: PickupFilter): PickupRecord[] => {
  const location: SqlValue = filter.location ?? null;
  const status: SqlValue = filter.status ?? null;
  return store
    .all<PickupRow>(
      `SELECT * FROM pickups WHERE (? IS NULL OR location = ?) AND (? IS NULL OR status = ?)
       ORDER BY updated_at DESC, pickup_id DESC LIMIT ?`,
      location,
      location,
      status,
      status,
      filter.limit,
    )
    .map(recordOf);
};
