import type { AllocationRule } from '../events/hub-events.js';
import type { SkuLine } from '../events/lines.js';
import type { ChannelId, LocationId, RegionId, Sku } from '../ids.js';

/** Key of a (location, sku) cell. */
export const cellKey = (location: string, sku: string): string => `${location}/${sku}`;

/** An on-hand change with the HLC of the event that made it. */
export interface Movement {
  readonly hlc: string;
  readonly delta: number;
  readonly eventId: string;
}

/** Everything known about one SKU at one location. */
export interface StockCell {
  readonly sku: Sku;
  readonly location: LocationId;
  /** Latest cycle count by HLC, or null when never counted. */
  count: { hlc: string; qty: number; eventId: string } | null;
  /** Every on-hand delta ever applied here, in arrival order. */
  readonly movements: Movement[];
  /** Sum of the deltas newer than the count (all of them without a count). */
  deltaAfterCount: number;
  damaged: number;
  /** Held by active reservations and open pickups placed at this location. */
  reserved: number;
  /** Shipped towards this location and not yet received. */
  inTransit: number;
}

export interface LocationInfo {
  readonly location: LocationId;
  readonly region: RegionId;
  readonly kind: 'store' | 'warehouse';
  readonly name: string;
  readonly geo?: { lat: number; lon: number } | undefined;
}

export interface CatalogItem {
  readonly sku: Sku;
  readonly name: string;
  readonly barcode?: string | undefined;
  readonly priceCents: number;
  readonly currency: string;
  readonly category?: string | undefined;
}

export type ReservationStatus = 'placed' | 'confirmed' | 'released' | 'expired';

export interface ReservationState {
  readonly reservationId: string;
  readonly channel: ChannelId;
  readonly location: LocationId | null;
  readonly lines: readonly SkuLine[];
  readonly expiresAt: string;
  readonly idempotencyKey: string;
  readonly placedEventId: string;
  status: ReservationStatus;
}

export type PickupStatus = 'placed' | 'picked' | 'handed-over' | 'rejected';

/**
 * A click-and-collect order. Store events about it may arrive before the hub's placement in some
 * interleavings, so the pieces are kept separately and the status is derived.
 */
export interface PickupState {
  readonly pickupId: string;
  order: {
    channel: ChannelId;
    location: LocationId;
    orderRef: string;
    customerName?: string | undefined;
    lines: readonly SkuLine[];
  } | null;
  picked: boolean;
  completion: { kind: 'handed-over' } | { kind: 'rejected'; reason: string; note?: string | undefined } | null;
}

export interface TransferState {
  readonly transferId: string;
  shipped: { from: LocationId; to: LocationId; lines: readonly SkuLine[] } | null;
  received: { at: LocationId; from: LocationId; lines: readonly SkuLine[] } | null;
}

export interface ReceiptState {
  readonly location: LocationId;
  readonly receiptId: string;
  readonly sold: Map<Sku, number>;
  readonly returned: Map<Sku, number>;
}

export interface IncidentState {
  readonly incidentId: string;
  readonly kind: 'oversell' | 'pickup-rejected';
  readonly location: LocationId;
  readonly sku: Sku;
  readonly shortfall: number;
  readonly affected: readonly { kind: 'reservation' | 'pickup'; id: string; qty: number }[];
  readonly proposal: { location: LocationId; available: number; distanceKm: number | null } | null;
  readonly triggeredBy: string;
}

/** The whole read model, folded from events. Owned and mutated only by `applyEvent`. */
export interface InventoryState {
  readonly seenEventIds: Set<string>;
  readonly cells: Map<string, StockCell>;
  readonly locations: Map<LocationId, LocationInfo>;
  readonly catalog: Map<Sku, CatalogItem>;
  readonly safetyStock: Map<string, number>;
  /** Keyed `channel/sku`, or `channel/*` for the channel's default. */
  readonly allocations: Map<string, AllocationRule>;
  readonly reservations: Map<string, ReservationState>;
  readonly reservationsByKey: Map<string, string>;
  /** Units held per `channel/sku` by active reservations and open pickups. */
  readonly channelHeld: Map<string, number>;
  /** Units held network-wide per SKU by reservations without a location. */
  readonly networkReserved: Map<Sku, number>;
  readonly pickups: Map<string, PickupState>;
  readonly transfers: Map<string, TransferState>;
  readonly receipts: Map<string, ReceiptState>;
  readonly incidents: Map<string, IncidentState>;
}

export const initialInventoryState = (): InventoryState => ({
  seenEventIds: new Set(),
  cells: new Map(),
  locations: new Map(),
  catalog: new Map(),
  safetyStock: new Map(),
  allocations: new Map(),
  reservations: new Map(),
  reservationsByKey: new Map(),
  channelHeld: new Map(),
  networkReserved: new Map(),
  pickups: new Map(),
  transfers: new Map(),
  receipts: new Map(),
  incidents: new Map(),
});
