import { channelAtp } from '../projection/quantities.js';
import type { ReservationState } from '../projection/state.js';
import type { InventoryView } from '../projection/view.js';
import { accept, type Decision, reject, UnknownCommandError } from './decision.js';
import type { HubCommand, HubCommandMetadata } from './hub-commands.js';

type Of<T extends HubCommand['type']> = Extract<HubCommand, { type: T }>;

const sameRequest = (r: ReservationState, data: Of<'PlaceReservation'>['data']): boolean =>
  r.reservationId === data.reservationId &&
  r.location === data.location &&
  r.lines.length === data.lines.length &&
  r.lines.every((l, i) => l.sku === data.lines[i]?.sku && l.qty === data.lines[i]?.qty);

/** Locations a channel sells from: every store and warehouse the hub knows. */
const sellingLocations = (view: InventoryView) => view.locations().map((l) => l.location);

interface ShortLine {
  readonly sku: string;
  readonly requested: number;
  readonly atp: number;
}

/**
 * Lines that do not fit. At a location: what that location can offer (after reservations, safety
 * stock and the hub's trust in its figures), and no more than the pool, so that the network-wide
 * holds stay covered; network-wide: the pool. Both capped by what the channel's allocation still
 * allows.
 */
const shortLines = (
  view: InventoryView,
  meta: HubCommandMetadata,
  channel: string,
  location: string | null,
  lines: readonly { sku: string; qty: number }[],
): ShortLine[] => {
  const group = sellingLocations(view);
  const short: ShortLine[] = [];
  for (const line of lines) {
    const atp = channelAtp(view, {
      channel,
      sku: line.sku,
      locations: group,
      ...(meta.trust ? { trust: meta.trust } : {}),
    });
    const here =
      location === null
        ? atp.atp
        : Math.min(atp.pool, atp.perLocation.find((l) => l.location === location)?.contributes ?? 0);
    const canHave = Math.min(here, atp.allocationRemaining ?? Number.POSITIVE_INFINITY);
    if (line.qty > canHave) short.push({ sku: line.sku, requested: line.qty, atp: canHave });
  }
  return short;
};

const insufficient = (short: readonly ShortLine[], where: string): Decision =>
  reject(
    'InsufficientStock',
    short.map((s) => `${s.sku}: requested ${s.requested}, available ${where}${s.atp}`).join('; '),
    { short },
  );

/** A hold is granted only if every line fits (see `shortLines`): no oversell by construction. */
const placeReservation = (
  { data }: Of<'PlaceReservation'>,
  view: InventoryView,
  meta: HubCommandMetadata,
): Decision => {
  const previous = view.reservationByKey(data.channel, data.idempotencyKey);
  if (previous) {
    if (sameRequest(previous, data)) return accept();
    return reject(
      'IdempotencyKeyReused',
      `idempotency key ${data.idempotencyKey} was used for reservation ${previous.reservationId} with other content`,
    );
  }
  if (view.reservation(data.reservationId))
    return reject('DuplicateReservation', `reservation ${data.reservationId} already exists`);
  if (Date.parse(data.expiresAt) <= meta.now) return reject('InvalidExpiry', 'expiresAt must be in the future');
  if (data.location !== null && !view.location(data.location))
    return reject('UnknownLocation', `unknown location ${data.location}`);
  const short = shortLines(view, meta, data.channel, data.location, data.lines);
  if (short.length > 0) return insufficient(short, data.location === null ? '' : `at ${data.location} `);
  return accept({ type: 'ReservationPlaced', data });
};

const activeReservation = (view: InventoryView, reservationId: string) => {
  const r = view.reservation(reservationId);
  if (!r) return reject('UnknownReservation', `no reservation ${reservationId}`);
  return r;
};

const confirmReservation = ({ data }: Of<'ConfirmReservation'>, view: InventoryView, meta: HubCommandMetadata) => {
  const r = activeReservation(view, data.reservationId);
  if ('ok' in r) return r;
  if (r.status === 'confirmed') return accept();
  if (r.status !== 'placed') return reject('ReservationNotActive', `reservation ${r.reservationId} is ${r.status}`);
  if (Date.parse(r.expiresAt) <= meta.now)
    return reject('ReservationNotActive', `reservation ${r.reservationId} expired at ${r.expiresAt}`);
  return accept({ type: 'ReservationConfirmed', data });
};

const releaseReservation = ({ data }: Of<'ReleaseReservation'>, view: InventoryView): Decision => {
  const r = activeReservation(view, data.reservationId);
  if ('ok' in r) return r;
  if (r.status === 'released') return accept();
  if (r.status === 'expired') return reject('ReservationNotActive', `reservation ${r.reservationId} is expired`);
  return accept({ type: 'ReservationReleased', data });
};

const expireReservation = ({ data }: Of<'ExpireReservation'>, view: InventoryView, meta: HubCommandMetadata) => {
  const r = activeReservation(view, data.reservationId);
  if ('ok' in r) return r;
  if (r.status !== 'placed') return accept();
  if (Date.parse(r.expiresAt) > meta.now)
    return reject('ReservationNotDue', `reservation ${r.reservationId} expires at ${r.expiresAt}`);
  return accept({ type: 'ReservationExpired', data });
};

/**
 * A SKU the network has never heard of: not in the catalog and without a stock record anywhere. Stock
 * without a catalog entry still counts as known (figures can arrive before master data).
 */
const isUnknownSku = (view: InventoryView, sku: string): boolean =>
  !view.catalogItem(sku) &&
  view.locations().every((l) => {
    const f = view.stock(sku, l.location);
    return f.onHand === 0 && f.reserved === 0 && f.damaged === 0 && f.inTransit === 0 && f.safetyStock === 0;
  });

const placePickupOrder = ({ data }: Of<'PlacePickupOrder'>, view: InventoryView, meta: HubCommandMetadata) => {
  if (view.pickup(data.pickupId)?.order) return reject('DuplicatePickup', `pickup ${data.pickupId} already exists`);
  const location = view.location(data.location);
  if (!location) return reject('UnknownLocation', `unknown location ${data.location}`);
  if (location.kind !== 'store') return reject('NotAStore', `${data.location} is a ${location.kind}`);
  // Named, so that a storefront sees its typo rather than "available 0".
  const unknown = data.lines.map((l) => l.sku).filter((sku) => isUnknownSku(view, sku));
  if (unknown.length > 0)
    return reject('UnknownSku', `${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not in the catalog`, {
      skus: unknown,
    });
  const short = shortLines(view, meta, data.channel, data.location, data.lines);
  if (short.length > 0) return insufficient(short, `at ${data.location} `);
  return accept({ type: 'PickupOrderPlaced', data });
};

/** Decides a command owned by the hub. */
export const decideHubCommand = (command: HubCommand, view: InventoryView, meta: HubCommandMetadata): Decision => {
  switch (command.type) {
    case 'PlaceReservation':
      return placeReservation(command, view, meta);
    case 'ConfirmReservation':
      return confirmReservation(command, view, meta);
    case 'ReleaseReservation':
      return releaseReservation(command, view);
    case 'ExpireReservation':
      return expireReservation(command, view, meta);
    case 'PlacePickupOrder':
      return placePickupOrder(command, view, meta);
    case 'DefineLocation':
      return accept({ type: 'LocationDefined', data: command.data });
    case 'UpsertCatalogItem':
      return accept({ type: 'CatalogItemUpserted', data: command.data });
    case 'SetSafetyStock':
      return accept({ type: 'SafetyStockSet', data: command.data });
    case 'SetChannelAllocation':
      return accept({ type: 'ChannelAllocationSet', data: command.data });
    default:
      throw new UnknownCommandError(command);
  }
};
