import type { SkuLine } from '../events/lines.js';
import type { EventOf, InventoryEvent } from '../events/registry.js';
import { cellKey, type InventoryState, type PickupState, type StockCell, type TransferState } from './state.js';

/** Creates the cell on first use. */
export const cellOf = (state: InventoryState, location: string, sku: string): StockCell => {
  const key = cellKey(location, sku);
  let cell = state.cells.get(key);
  if (!cell) {
    cell = { sku, location, count: null, movements: [], deltaAfterCount: 0, damaged: 0, reserved: 0, inTransit: 0 };
    state.cells.set(key, cell);
  }
  return cell;
};

/** Sellable units physically at the location: the latest count plus every delta newer than it. */
export const onHandOf = (cell: StockCell): number => (cell.count?.qty ?? 0) + cell.deltaAfterCount;

const moveOnHand = (state: InventoryState, event: InventoryEvent, sku: string, delta: number): void => {
  if (delta === 0) return;
  const cell = cellOf(state, event.location, sku);
  cell.movements.push({ hlc: event.hlc, delta, eventId: event.id });
  // A delta older than the latest count is already inside the counted quantity.
  if (!cell.count || event.hlc > cell.count.hlc) cell.deltaAfterCount += delta;
};

const applyCount = (state: InventoryState, event: EventOf<'CycleCounted'>): void => {
  for (const line of event.data.lines) {
    const cell = cellOf(state, event.location, line.sku);
    if (cell.count && cell.count.hlc >= event.hlc) continue;
    cell.count = { hlc: event.hlc, qty: line.countedQty, eventId: event.id };
    cell.deltaAfterCount = cell.movements.reduce((sum, m) => (m.hlc > event.hlc ? sum + m.delta : sum), 0);
  }
};

/** Stock held by something: a cell's reserved or in-transit quantity, or network-wide reserved. */
interface Hold {
  readonly bucket: 'reserved' | 'inTransit' | 'network';
  readonly location: string | null;
  readonly sku: string;
  readonly qty: number;
  readonly channel: string | null;
}

const addHolds = (state: InventoryState, holds: readonly Hold[], sign: 1 | -1): void => {
  for (const h of holds) {
    if (h.bucket === 'network') {
      state.networkReserved.set(h.sku, (state.networkReserved.get(h.sku) ?? 0) + sign * h.qty);
    } else {
      const cell = cellOf(state, h.location ?? '', h.sku);
      cell[h.bucket] += sign * h.qty;
    }
    if (h.channel !== null) {
      const key = `${h.channel}/${h.sku}`;
      state.channelHeld.set(key, (state.channelHeld.get(key) ?? 0) + sign * h.qty);
    }
  }
};

const linesAsHolds = (
  lines: readonly SkuLine[],
  bucket: Hold['bucket'],
  location: string | null,
  channel: string | null,
): Hold[] => lines.map((l) => ({ bucket, location, sku: l.sku, qty: l.qty, channel }));

const reservationHolds = (state: InventoryState, reservationId: string): Hold[] => {
  const r = state.reservations.get(reservationId);
  if (!r || (r.status !== 'placed' && r.status !== 'confirmed')) return [];
  return linesAsHolds(r.lines, r.location === null ? 'network' : 'reserved', r.location, r.channel);
};

const pickupHolds = (p: PickupState | undefined): Hold[] =>
  p?.order && !p.completion ? linesAsHolds(p.order.lines, 'reserved', p.order.location, p.order.channel) : [];

const transferHolds = (t: TransferState | undefined): Hold[] =>
  t?.shipped && !t.received ? linesAsHolds(t.shipped.lines, 'inTransit', t.shipped.to, null) : [];

/** Runs a change to some holder and moves the quantities it holds from before to after. */
const changingHolds = (state: InventoryState, holdsOf: () => Hold[], change: () => void): void => {
  addHolds(state, holdsOf(), -1);
  change();
  addHolds(state, holdsOf(), 1);
};

const pickupOf = (state: InventoryState, pickupId: string): PickupState => {
  let p = state.pickups.get(pickupId);
  if (!p) {
    p = { pickupId, order: null, picked: false, completion: null };
    state.pickups.set(pickupId, p);
  }
  return p;
};

const transferOf = (state: InventoryState, transferId: string): TransferState => {
  let t = state.transfers.get(transferId);
  if (!t) {
    t = { transferId, shipped: null, received: null };
    state.transfers.set(transferId, t);
  }
  return t;
};

const receiptOf = (state: InventoryState, location: string, receiptId: string) => {
  const key = `${location}/${receiptId}`;
  let r = state.receipts.get(key);
  if (!r) {
    r = { location, receiptId, sold: new Map(), returned: new Map() };
    state.receipts.set(key, r);
  }
  return r;
};

const addTo = (map: Map<string, number>, key: string, qty: number) => map.set(key, (map.get(key) ?? 0) + qty);

/**
 * Folds one event into the state (mutating it). Returns false when the event was already applied:
 * duplicates change nothing. Store deltas commute, counts are placed by HLC, so the result does not
 * depend on arrival order.
 */
export const applyEvent = (state: InventoryState, event: InventoryEvent): boolean => {
  if (state.seenEventIds.has(event.id)) return false;
  state.seenEventIds.add(event.id);
  switch (event.type) {
    case 'SaleRecorded': {
      const receipt = receiptOf(state, event.location, event.data.receiptId);
      for (const l of event.data.lines) {
        moveOnHand(state, event, l.sku, -l.qty);
        addTo(receipt.sold, l.sku, l.qty);
      }
      return true;
    }
    case 'ReturnRecorded': {
      const receipt = event.data.receiptId ? receiptOf(state, event.location, event.data.receiptId) : null;
      for (const l of event.data.lines) {
        if (l.restockTo === 'sellable') moveOnHand(state, event, l.sku, l.qty);
        else cellOf(state, event.location, l.sku).damaged += l.qty;
        if (receipt) addTo(receipt.returned, l.sku, l.qty);
      }
      return true;
    }
    case 'GoodsReceived':
      for (const l of event.data.lines) moveOnHand(state, event, l.sku, l.qty);
      return true;
    case 'TransferShipped': {
      const transfer = transferOf(state, event.data.transferId);
      for (const l of event.data.lines) moveOnHand(state, event, l.sku, -l.qty);
      changingHolds(
        state,
        () => transferHolds(transfer),
        () => {
          transfer.shipped = { from: event.location, to: event.data.to, lines: event.data.lines };
        },
      );
      return true;
    }
    case 'TransferReceived': {
      const transfer = transferOf(state, event.data.transferId);
      for (const l of event.data.lines) moveOnHand(state, event, l.sku, l.qty);
      changingHolds(
        state,
        () => transferHolds(transfer),
        () => {
          transfer.received = { at: event.location, from: event.data.from, lines: event.data.lines };
        },
      );
      return true;
    }
    case 'StockAdjusted':
      for (const l of event.data.lines) {
        moveOnHand(state, event, l.sku, l.delta);
        if (event.data.reason === 'damage') cellOf(state, event.location, l.sku).damaged -= l.delta;
      }
      return true;
    case 'CycleCounted':
      applyCount(state, event);
      return true;
    case 'PickupPicked':
      pickupOf(state, event.data.pickupId).picked = true;
      return true;
    case 'PickupHandedOver': {
      const pickup = pickupOf(state, event.data.pickupId);
      for (const l of event.data.lines) moveOnHand(state, event, l.sku, -l.qty);
      changingHolds(
        state,
        () => pickupHolds(pickup),
        () => {
          pickup.completion ??= { kind: 'handed-over' };
        },
      );
      return true;
    }
    case 'PickupRejected': {
      const pickup = pickupOf(state, event.data.pickupId);
      changingHolds(
        state,
        () => pickupHolds(pickup),
        () => {
          pickup.completion ??= { kind: 'rejected', reason: event.data.reason, note: event.data.note };
        },
      );
      return true;
    }
    case 'PickupOrderPlaced': {
      const pickup = pickupOf(state, event.data.pickupId);
      const { channel, location, orderRef, customerName, lines } = event.data;
      changingHolds(
        state,
        () => pickupHolds(pickup),
        () => {
          pickup.order ??= { channel, location, orderRef, customerName, lines };
        },
      );
      return true;
    }
    case 'ReservationPlaced': {
      const { reservationId, channel, location, lines, expiresAt, idempotencyKey } = event.data;
      if (state.reservations.has(reservationId)) return true;
      changingHolds(
        state,
        () => reservationHolds(state, reservationId),
        () => {
          state.reservations.set(reservationId, {
            reservationId,
            channel,
            location,
            lines,
            expiresAt,
            idempotencyKey,
            placedEventId: event.id,
            status: 'placed',
          });
          state.reservationsByKey.set(`${channel}/${idempotencyKey}`, reservationId);
        },
      );
      return true;
    }
    case 'ReservationConfirmed':
    case 'ReservationReleased':
    case 'ReservationExpired': {
      const r = state.reservations.get(event.data.reservationId);
      if (!r || r.status === 'released' || r.status === 'expired') return true;
      const next =
        event.type === 'ReservationConfirmed'
          ? 'confirmed'
          : event.type === 'ReservationReleased'
            ? 'released'
            : 'expired';
      // Only an unconfirmed hold can expire; a confirmed one is not taken back by the clock.
      if (next === 'expired' && r.status === 'confirmed') return true;
      changingHolds(
        state,
        () => reservationHolds(state, r.reservationId),
        () => {
          r.status = next;
        },
      );
      return true;
    }
    case 'LocationDefined': {
      const { location, region, kind, name, geo } = event.data;
      state.locations.set(location, { location, region, kind, name, geo });
      return true;
    }
    case 'CatalogItemUpserted':
      state.catalog.set(event.data.sku, { ...event.data });
      return true;
    case 'SafetyStockSet':
      state.safetyStock.set(cellKey(event.data.location, event.data.sku), event.data.qty);
      return true;
    case 'ChannelAllocationSet':
      state.allocations.set(`${event.data.channel}/${event.data.sku ?? '*'}`, event.data.rule);
      return true;
    case 'IncidentRecorded':
      state.incidents.set(event.data.incidentId, { ...event.data });
      return true;
    default: {
      const unknown: never = event;
      throw new Error(`applyEvent: unhandled event ${JSON.stringify(unknown)}`);
    }
  }
};

/** Folds events into a (new or given) state. */
export const foldEvents = (events: Iterable<InventoryEvent>, state: InventoryState): InventoryState => {
  for (const event of events) applyEvent(state, event);
  return state;
};
