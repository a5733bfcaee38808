import type { EventOf } from '../events/registry.js';
import type { LocationId, Sku } from '../ids.js';
import { availableOf, offerableOf } from '../projection/quantities.js';
import type { LocationInfo } from '../projection/state.js';
import type { InventoryView } from '../projection/view.js';
import type { DecidedEvent } from './decision.js';

const EARTH_RADIUS_KM = 6371;

/** Great-circle distance in km, or null when either location has no position. */
export const distanceKm = (a: LocationInfo, b: LocationInfo): number | null => {
  if (!a.geo || !b.geo) return null;
  const rad = (d: number) => (d * Math.PI) / 180;
  const dLat = rad(b.geo.lat - a.geo.lat);
  const dLon = rad(b.geo.lon - a.geo.lon);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.geo.lat)) * Math.cos(rad(b.geo.lat)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
};

/** The nearest other location of the same region that can offer `qty` of the SKU, if any. */
export const nearestCover = (view: InventoryView, location: LocationId, sku: Sku, qty: number) => {
  const here = view.location(location);
  if (!here) return null;
  const candidates = view
    .locations()
    .filter((l) => l.region === here.region && l.location !== location)
    .map((l) => ({
      location: l.location,
      available: offerableOf(view.stock(sku, l.location)),
      distanceKm: distanceKm(here, l),
    }))
    .filter((c) => c.available >= qty)
    .sort((a, b) => (a.distanceKm ?? Number.POSITIVE_INFINITY) - (b.distanceKm ?? Number.POSITIVE_INFINITY));
  return candidates[0] ?? null;
};

/**
 * After late store events (an offline sale), a location's available may be below zero while
 * reservations or pickups hold stock there: an oversell. Returns the incident to record, naming the
 * shortfall and the affected orders and proposing the nearest location that can cover it, or null
 * when nothing is wrong or no more than `alreadyReported` units were reported before.
 */
export const reconcileStock = (
  view: InventoryView,
  args: { location: LocationId; sku: Sku; incidentId: string; triggeredBy: string; alreadyReported: number },
): DecidedEvent | null => {
  const figures = view.stock(args.sku, args.location);
  const available = availableOf(figures);
  if (available >= 0) return null;
  const holds = view.holdsAt(args.location, args.sku);
  if (holds.length === 0) return null;
  const held = holds.reduce((sum, h) => sum + h.qty, 0);
  const shortfall = Math.min(-available, held);
  if (shortfall <= args.alreadyReported) return null;
  const ordersCovered = figures.onHand >= figures.reserved;
  return {
    type: 'IncidentRecorded',
    data: {
      incidentId: args.incidentId,
      kind: 'oversell',
      location: args.location,
      sku: args.sku,
      shortfall,
      affected: holds.map((h) => ({ kind: h.kind, id: h.id, qty: h.qty })),
      proposal: nearestCover(view, args.location, args.sku, shortfall),
      triggeredBy: args.triggeredBy,
      ...(ordersCovered ? { note: 'safety stock breached; orders are still covered by on hand' } : {}),
    },
  };
};

/** A store could not supply a pickup: record it, with where else the goods could come from. */
export const pickupRejectedIncident = (
  view: InventoryView,
  rejected: EventOf<'PickupRejected'>,
  incidentId: string,
): DecidedEvent | null => {
  const order = view.pickup(rejected.data.pickupId)?.order;
  if (!order) return null;
  const missing = rejected.data.missing?.length ? rejected.data.missing : order.lines;
  const first = missing[0];
  if (!first) return null;
  return {
    type: 'IncidentRecorded',
    data: {
      incidentId,
      kind: 'pickup-rejected',
      location: order.location,
      sku: first.sku,
      shortfall: first.qty,
      affected: [{ kind: 'pickup', id: rejected.data.pickupId, qty: first.qty }],
      proposal: nearestCover(view, order.location, first.sku, first.qty),
      triggeredBy: rejected.id,
      note: `${rejected.data.reason}${rejected.data.note ? `: ${rejected.data.note}` : ''}`,
    },
  };
};
