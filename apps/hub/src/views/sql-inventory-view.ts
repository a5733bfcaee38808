import type {
  AllocationRule,
  CatalogItem,
  Hold,
  InventoryView,
  LocationInfo,
  PickupState,
  ReservationState,
  SkuLine,
  StockFigures,
  TransferState,
} from '@stocknerve/domain';
import type { SqlStore } from '../store/sql-store.js';

interface LocationRow {
  location: string;
  region: string;
  kind: 'store' | 'warehouse';
  name: string;
  lat: number | null;
  lon: number | null;
}
interface ReservationRow {
  reservation_id: string;
  channel: string;
  location: string | null;
  status: ReservationState['status'];
  expires_at: string;
  idempotency_key: string;
  lines: string;
  placed_event_id: string;
}
export interface PickupRow {
  pickup_id: string;
  channel: string | null;
  location: string | null;
  order_ref: string | null;
  customer_name: string | null;
  lines: string | null;
  status: string;
  picked: number;
  reject_reason: string | null;
  reject_note: string | null;
  placed_at: string | null;
  updated_at: string;
}

export const locationInfoOf = (r: LocationRow): LocationInfo => ({
  location: r.location,
  region: r.region,
  kind: r.kind,
  name: r.name,
  ...(r.lat !== null && r.lon !== null ? { geo: { lat: r.lat, lon: r.lon } } : {}),
});

const reservationOf = (r: ReservationRow): ReservationState => ({
  reservationId: r.reservation_id,
  channel: r.channel,
  location: r.location,
  lines: JSON.parse(r.lines) as SkuLine[],
  expiresAt: r.expires_at,
  idempotencyKey: r.idempotency_key,
  placedEventId: r.placed_event_id,
  status: r.status,
});

export const pickupStateOf = (r: PickupRow): PickupState => ({
  pickupId: r.pickup_id,
  order:
    r.lines !== null && r.channel !== null && r.location !== null
      ? {
          channel: r.channel,
          location: r.location,
          orderRef: r.order_ref ?? '',
          customerName: r.customer_name ?? undefined,
          lines: JSON.parse(r.lines) as SkuLine[],
        }
      : null,
  picked: r.picked === 1,
  completion:
    r.status === 'handed-over'
      ? { kind: 'handed-over' }
      : r.status === 'rejected'
        ? { kind: 'rejected', reason: r.reject_reason ?? 'other', note: r.reject_note ?? undefined }
        : null,
});

/** The deciders' view over the hub's SQL views: the hub decides with the same rules as the domain. */
export const sqlInventoryView = (db: SqlStore): InventoryView => ({
  stock: (sku, location): StockFigures => {
    const row = db.get<{
      on_hand: number;
      reserved: number;
      damaged: number;
      in_transit: number;
      safety_stock: number;
    }>(
      'SELECT on_hand, reserved, damaged, in_transit, safety_stock FROM stock WHERE location = ? AND sku = ?',
      location,
      sku,
    );
    return row
      ? {
          onHand: row.on_hand,
          reserved: row.reserved,
          damaged: row.damaged,
          inTransit: row.in_transit,
          safetyStock: row.safety_stock,
        }
      : { onHand: 0, reserved: 0, damaged: 0, inTransit: 0, safetyStock: 0 };
  },
  location: (location) => {
    const row = db.get<LocationRow>('SELECT * FROM locations WHERE location = ?', location);
    return row ? locationInfoOf(row) : undefined;
  },
  locations: () => db.all<LocationRow>('SELECT * FROM locations ORDER BY location').map(locationInfoOf),
  networkReserved: (sku) => db.get<{ qty: number }>('SELECT qty FROM network_reserved WHERE sku = ?', sku)?.qty ?? 0,
  channelHeld: (channel, sku) =>
    db.get<{ qty: number }>('SELECT qty FROM channel_held WHERE channel = ? AND sku = ?', channel, sku)?.qty ?? 0,
  allocation: (channel, sku) => {
    const row =
      db.get<{ rule: string }>('SELECT rule FROM allocations WHERE channel = ? AND sku = ?', channel, sku) ??
      db.get<{ rule: string }>("SELECT rule FROM allocations WHERE channel = ? AND sku = '*'", channel);
    return row ? (JSON.parse(row.rule) as AllocationRule) : undefined;
  },
  reservation: (id) => {
    const row = db.get<ReservationRow>('SELECT * FROM reservations WHERE reservation_id = ?', id);
    return row ? reservationOf(row) : undefined;
  },
  reservationByKey: (channel, key) => {
    const row = db.get<ReservationRow>(
      'SELECT * FROM reservations WHERE channel = ? AND idempotency_key = ?',
      channel,
      key,
    );
    return row ? reservationOf(row) : undefined;
  },
  pickup: (id) => {
    const row = db.get<PickupRow>('SELECT * FROM pickups WHERE pickup_id = ?', id);
    return row ? pickupStateOf(row) : undefined;
  },
  holdsAt: (location, sku) => {
    const reservations = db.all<{ reservation_id: string; channel: string; qty: number }>(
      `SELECT r.reservation_id, r.channel, l.qty FROM reservation_lines l
       JOIN reservations r ON r.reservation_id = l.reservation_id
       WHERE l.location = ? AND l.sku = ? AND r.status IN ('placed', 'confirmed') ORDER BY r.placed_at`,
      location,
      sku,
    );
    const pickups = db.all<PickupRow>(
      `SELECT * FROM pickups WHERE location = ? AND status IN ('placed', 'picked') ORDER BY placed_at`,
      location,
    );
    const holds: Hold[] = reservations.map((r) => ({
      kind: 'reservation',
      id: r.reservation_id,
      channel: r.channel,
      qty: r.qty,
    }));
    for (const p of pickups) {
      const line = (JSON.parse(p.lines ?? '[]') as SkuLine[]).find((l) => l.sku === sku);
      if (line) holds.push({ kind: 'pickup', id: p.pickup_id, channel: p.channel ?? '', qty: line.qty });
    }
    return holds;
  },
  transfer: (id): TransferState | undefined => {
    const row = db.get<{
      transfer_id: string;
      from_location: string | null;
      to_location: string | null;
      shipped_lines: string | null;
      received_lines: string | null;
    }>('SELECT * FROM transfers WHERE transfer_id = ?', id);
    if (!row) return undefined;
    return {
      transferId: row.transfer_id,
      shipped:
        row.shipped_lines && row.from_location && row.to_location
          ? { from: row.from_location, to: row.to_location, lines: JSON.parse(row.shipped_lines) }
          : null,
      received:
        row.received_lines && row.from_location && row.to_location
          ? { at: row.to_location, from: row.from_location, lines: JSON.parse(row.received_lines) }
          : null,
    };
  },
  // Receipts are a store node's concern (returns are checked there); the hub decides no store command.
  receipt: () => undefined,
  catalogItem: (sku): CatalogItem | undefined => {
    const row = db.get<{
      sku: string;
      name: string;
      barcode: string | null;
      price_cents: number;
      currency: string;
      category: string | null;
    }>('SELECT * FROM catalog WHERE sku = ?', sku);
    return row
      ? {
          sku: row.sku,
          name: row.name,
          barcode: row.barcode ?? undefined,
          priceCents: row.price_cents,
          currency: row.currency,
          category: row.category ?? undefined,
        }
      : undefined;
  },
});
