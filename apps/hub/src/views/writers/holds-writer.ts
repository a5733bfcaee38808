import type { EventOf } from '@stocknerve/domain';
import type { SqlStore } from '../../store/sql-store.js';
import type { BatchContext } from './batch-context.js';
import { type HeldStock, type Hold, holdsOf } from './held-stock.js';

interface ReservationRow {
  reservation_id: string;
  channel: string;
  location: string | null;
  status: string;
  lines: string;
}
interface PickupRow {
  pickup_id: string;
  channel: string | null;
  location: string | null;
  lines: string | null;
  status: string;
  picked: number;
}
interface TransferRow {
  transfer_id: string;
  to_location: string | null;
  shipped_lines: string | null;
  received_lines: string | null;
}

/**
 * The holders of stock: reservations, pickups and transfers. Each change to one moves what it holds
 * (see HeldStock); the on-hand side of their events is the stock writer's.
 */
export class HoldsWriter {
  private readonly db: SqlStore;

  constructor(
    private readonly ctx: BatchContext,
    private readonly held: HeldStock,
  ) {
    this.db = ctx.db;
  }

  transferShipped(event: EventOf<'TransferShipped'>): void {
    const id = event.data.transferId;
    this.held.changingHolds(
      () => this.transferHolds(id),
      () =>
        this.db.run(
          `INSERT INTO transfers (transfer_id, from_location, to_location, shipped_lines, shipped_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (transfer_id) DO UPDATE SET from_location = excluded.from_location, to_location = excluded.to_location,
             shipped_lines = excluded.shipped_lines, shipped_at = excluded.shipped_at
           WHERE transfers.shipped_lines IS NULL`,
          id,
          event.location,
          event.data.to,
          JSON.stringify(event.data.lines),
          event.occurredAt,
        ),
    );
  }

  transferReceived(event: EventOf<'TransferReceived'>): void {
    const id = event.data.transferId;
    this.held.changingHolds(
      () => this.transferHolds(id),
      () =>
        this.db.run(
          `INSERT INTO transfers (transfer_id, from_location, to_location, received_lines, received_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (transfer_id) DO UPDATE SET received_lines = excluded.received_lines, received_at = excluded.received_at
           WHERE transfers.received_lines IS NULL`,
          id,
          event.data.from,
          event.location,
          JSON.stringify(event.data.lines),
          event.occurredAt,
        ),
    );
  }

  pickupOrderPlaced(event: EventOf<'PickupOrderPlaced'>): void {
    const d = event.data;
    this.ensurePickup(d.pickupId, event.occurredAt);
    this.held.changingHolds(
      () => this.pickupHolds(d.pickupId),
      () => {
        this.db.run(
          `UPDATE pickups SET channel = ?, location = ?, order_ref = ?, customer_name = ?, lines = ?, placed_at = ?
           WHERE pickup_id = ? AND lines IS NULL`,
          d.channel,
          d.location,
          d.orderRef,
          d.customerName ?? null,
          JSON.stringify(d.lines),
          event.occurredAt,
          d.pickupId,
        );
        this.refreshPickupStatus(d.pickupId, event.occurredAt);
      },
    );
    this.ctx.fx.pickups.add(d.pickupId);
  }

  pickupPicked(event: EventOf<'PickupPicked'>): void {
    this.ensurePickup(event.data.pickupId, event.occurredAt);
    this.db.run('UPDATE pickups SET picked = 1 WHERE pickup_id = ?', event.data.pickupId);
    this.refreshPickupStatus(event.data.pickupId, event.occurredAt);
    this.ctx.fx.pickups.add(event.data.pickupId);
  }

  pickupHandedOver(event: EventOf<'PickupHandedOver'>): void {
    this.completePickup(event);
  }

  pickupRejected(event: EventOf<'PickupRejected'>): void {
    this.completePickup(event);
    this.ctx.fx.rejectedPickups.push(event);
  }

  reservationPlaced(event: EventOf<'ReservationPlaced'>): void {
    const d = event.data;
    this.held.changingHolds(
      () => this.reservationHolds(d.reservationId),
      () => {
        const inserted = this.db.run(
          `INSERT INTO reservations (reservation_id, channel, location, status, expires_at, idempotency_key, lines,
             placed_at, updated_at, placed_event_id, correlation_id)
           VALUES (?, ?, ?, 'placed', ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
          d.reservationId,
          d.channel,
          d.location,
          d.expiresAt,
          d.idempotencyKey,
          JSON.stringify(d.lines),
          event.occurredAt,
          event.occurredAt,
          event.id,
          event.correlationId,
        );
        if (inserted.changes === 0) return;
        for (const l of d.lines)
          this.db.run(
            'INSERT INTO reservation_lines (reservation_id, location, sku, qty) VALUES (?, ?, ?, ?)',
            d.reservationId,
            d.location,
            l.sku,
            l.qty,
          );
      },
    );
    this.ctx.fx.reservations.add(d.reservationId);
  }

  reservationSettled(event: EventOf<'ReservationConfirmed' | 'ReservationReleased' | 'ReservationExpired'>): void {
    const id = event.data.reservationId;
    const next =
      event.type === 'ReservationConfirmed'
        ? 'confirmed'
        : event.type === 'ReservationReleased'
          ? 'released'
          : 'expired';
    // Only an unconfirmed hold can expire; a confirmed one is not taken back by the clock.
    const from = next === 'expired' ? "('placed')" : "('placed', 'confirmed')";
    this.held.changingHolds(
      () => this.reservationHolds(id),
      () =>
        this.db.run(
          `UPDATE reservations SET status = ?, updated_at = ? WHERE reservation_id = ? AND status IN ${from}`,
          next,
          event.occurredAt,
          id,
        ),
    );
    this.ctx.fx.reservations.add(id);
  }

  private reservationHolds(id: string): Hold[] {
    const r = this.db.get<ReservationRow>('SELECT * FROM reservations WHERE reservation_id = ?', id);
    if (!r || (r.status !== 'placed' && r.status !== 'confirmed')) return [];
    return holdsOf(JSON.parse(r.lines), r.location === null ? 'network' : 'reserved', r.location, r.channel);
  }

  private pickupHolds(id: string): Hold[] {
    const p = this.db.get<PickupRow>('SELECT * FROM pickups WHERE pickup_id = ?', id);
    if (!p?.lines || (p.status !== 'placed' && p.status !== 'picked')) return [];
    return holdsOf(JSON.parse(p.lines), 'reserved', p.location, p.channel);
  }

  private transferHolds(id: string): Hold[] {
    const t = this.db.get<TransferRow>('SELECT * FROM transfers WHERE transfer_id = ?', id);
    if (!t?.shipped_lines || t.received_lines) return [];
    return holdsOf(JSON.parse(t.shipped_lines), 'in_transit', t.to_location, null);
  }

  private ensurePickup(id: string, at: string): void {
    this.db.run(
      `INSERT INTO pickups (pickup_id, status, updated_at) VALUES (?, 'unknown', ?) ON CONFLICT (pickup_id) DO NOTHING`,
      id,
      at,
    );
  }

  /** Recomputes a pickup's status from its parts: completion wins, then picked, then placed. */
  private refreshPickupStatus(id: string, at: string): void {
    this.db.run(
      `UPDATE pickups SET updated_at = ?, status = CASE
         WHEN status IN ('handed-over', 'rejected') THEN status
         WHEN lines IS NULL THEN 'unknown'
         WHEN picked = 1 THEN 'picked' ELSE 'placed' END
       WHERE pickup_id = ?`,
      at,
      id,
    );
  }

  private completePickup(event: EventOf<'PickupHandedOver' | 'PickupRejected'>): void {
    const id = event.data.pickupId;
    this.ensurePickup(id, event.occurredAt);
    const status = event.type === 'PickupHandedOver' ? 'handed-over' : 'rejected';
    const reason = event.type === 'PickupRejected' ? event.data.reason : null;
    const note = event.type === 'PickupRejected' ? (event.data.note ?? null) : null;
    this.held.changingHolds(
      () => this.pickupHolds(id),
      () =>
        this.db.run(
          `UPDATE pickups SET status = ?, reject_reason = ?, reject_note = ?, updated_at = ?
           WHERE pickup_id = ? AND status NOT IN ('handed-over', 'rejected')`,
          status,
          reason,
          note,
          event.occurredAt,
          id,
        ),
    );
    this.ctx.fx.pickups.add(id);
  }
}
