import type { AllocationRule } from '../events/hub-events.js';
import type { LocationId, Sku } from '../ids.js';
import { onHandOf } from './apply-event.js';
import {
  type CatalogItem,
  cellKey,
  type InventoryState,
  type LocationInfo,
  type PickupState,
  type ReceiptState,
  type ReservationState,
  type TransferState,
} from './state.js';

/** The quantities of one (sku, location), each a projection of events. */
export interface StockFigures {
  /** Sellable units physically at the location. */
  readonly onHand: number;
  /** Held for active reservations and open pickup orders at this location. */
  readonly reserved: number;
  /** Physically there but not sellable. */
  readonly damaged: number;
  /** Shipped here from another location, not yet received. */
  readonly inTransit: number;
  /** Kept back from every channel. */
  readonly safetyStock: number;
}

/** A reservation or pickup holding stock at a location. */
export interface Hold {
  readonly kind: 'reservation' | 'pickup';
  readonly id: string;
  readonly channel: string;
  readonly qty: number;
}

/**
 * What deciders read. The pure projection implements it over `InventoryState`; the hub implements
 * it over its SQL views, so both decide with the same rules.
 */
export interface InventoryView {
  stock(sku: Sku, location: LocationId): StockFigures;
  location(location: LocationId): LocationInfo | undefined;
  /** Every defined location. */
  locations(): readonly LocationInfo[];
  /** Units of the SKU held by network-wide reservations (not tied to a location). */
  networkReserved(sku: Sku): number;
  /** Units of the SKU held by the channel's active reservations and open pickups. */
  channelHeld(channel: string, sku: Sku): number;
  /** The SKU's own rule for the channel, else the channel's default, else none. */
  allocation(channel: string, sku: Sku): AllocationRule | undefined;
  reservation(reservationId: string): ReservationState | undefined;
  /** The reservation placed by the channel with this idempotency key, if any. */
  reservationByKey(channel: string, idempotencyKey: string): ReservationState | undefined;
  pickup(pickupId: string): PickupState | undefined;
  /** Active reservations and open pickups holding the SKU at the location. */
  holdsAt(location: LocationId, sku: Sku): readonly Hold[];
  transfer(transferId: string): TransferState | undefined;
  receipt(location: LocationId, receiptId: string): ReceiptState | undefined;
  catalogItem(sku: Sku): CatalogItem | undefined;
}

const NO_STOCK: StockFigures = { onHand: 0, reserved: 0, damaged: 0, inTransit: 0, safetyStock: 0 };

/** Figures of a cell in the pure projection. */
export const stockFiguresOf = (state: InventoryState, sku: Sku, location: LocationId): StockFigures => {
  const key = cellKey(location, sku);
  const cell = state.cells.get(key);
  const safetyStock = state.safetyStock.get(key) ?? 0;
  if (!cell) return { ...NO_STOCK, safetyStock };
  return {
    onHand: onHandOf(cell),
    reserved: cell.reserved,
    damaged: cell.damaged,
    inTransit: cell.inTransit,
    safetyStock,
  };
};

/** Reads the pure projection through the decider-facing interface. */
export const inventoryView = (state: InventoryState): InventoryView => ({
  stock: (sku, location) => stockFiguresOf(state, sku, location),
  location: (location) => state.locations.get(location),
  locations: () => [...state.locations.values()],
  networkReserved: (sku) => state.networkReserved.get(sku) ?? 0,
  channelHeld: (channel, sku) => state.channelHeld.get(`${channel}/${sku}`) ?? 0,
  allocation: (channel, sku) => state.allocations.get(`${channel}/${sku}`) ?? state.allocations.get(`${channel}/*`),
  reservation: (id) => state.reservations.get(id),
  reservationByKey: (channel, key) => {
    const id = state.reservationsByKey.get(`${channel}/${key}`);
    return id === undefined ? undefined : state.reservations.get(id);
  },
  pickup: (id) => state.pickups.get(id),
  holdsAt: (location, sku) => {
    const holds: Hold[] = [];
    for (const r of state.reservations.values()) {
      if (r.location !== location || (r.status !== 'placed' && r.status !== 'confirmed')) continue;
      for (const l of r.lines)
        if (l.sku === sku) holds.push({ kind: 'reservation', id: r.reservationId, channel: r.channel, qty: l.qty });
    }
    for (const p of state.pickups.values()) {
      if (!p.order || p.completion || p.order.location !== location) continue;
      for (const l of p.order.lines)
        if (l.sku === sku) holds.push({ kind: 'pickup', id: p.pickupId, channel: p.order.channel, qty: l.qty });
    }
    return holds;
  },
  transfer: (id) => state.transfers.get(id),
  receipt: (location, receiptId) => state.receipts.get(`${location}/${receiptId}`),
  catalogItem: (sku) => state.catalog.get(sku),
});
