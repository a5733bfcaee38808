import { describe, expect, it } from 'vitest';
import { HUB_LOCATION, HUB_NODE } from '../events/envelope.js';
import type { EventOf, InventoryEvent } from '../events/registry.js';
import { foldEvents } from '../projection/apply-event.js';
import { initialInventoryState, type LocationInfo } from '../projection/state.js';
import { inventoryView } from '../projection/view.js';
import { eventFactory } from '../testing/event-factory.js';
import { distanceKm, nearestCover, pickupRejectedIncident, reconcileStock } from './reconciliation.js';

const BERLIN = { lat: 52.52, lon: 13.405 };
const POTSDAM = { lat: 52.3906, lon: 13.0645 };
const HAMBURG = { lat: 53.5511, lon: 9.9937 };
const MUNICH = { lat: 48.1351, lon: 11.582 };
/** Great-circle Berlin–Potsdam for the positions above, km. */
const BERLIN_POTSDAM_KM = 27.19;

const place = (location: string, geo?: { lat: number; lon: number }, region = 'north'): LocationInfo => ({
  location,
  region,
  kind: 'store',
  name: location,
  ...(geo ? { geo } : {}),
});

/**
 * Region north: store-1 (Berlin), store-2 (Potsdam), wh-1 (Hamburg), store-3 (no position);
 * region south: store-9 (Munich). `stock` is what each location received of SKU-1.
 */
const network = (stock: Record<string, number>) => {
  const hub = eventFactory({ location: HUB_LOCATION, node: HUB_NODE, startMs: Date.UTC(2026, 0, 1, 10) });
  const events: InventoryEvent[] = [];
  for (const [location, region, geo] of [
    ['store-1', 'north', BERLIN],
    ['store-2', 'north', POTSDAM],
    ['wh-1', 'north', HAMBURG],
    ['store-3', 'north', undefined],
    ['store-9', 'south', MUNICH],
  ] as const)
    events.push(
      hub.next({
        type: 'LocationDefined',
        data: {
          location,
          region,
          kind: location.startsWith('wh') ? 'warehouse' : 'store',
          name: location,
          ...(geo ? { geo } : {}),
        },
      }),
    );
  for (const [location, qty] of Object.entries(stock)) {
    const node = eventFactory({ location, node: `${location}-t9`, startMs: Date.UTC(2026, 0, 1, 9) });
    events.push(
      node.next({ type: 'GoodsReceived', data: { purchaseOrderId: `PO-${location}`, lines: [{ sku: 'SKU-1', qty }] } }),
    );
  }
  return { hub, events };
};

/** store-1 has 5 × SKU-1, of which web reserved 3 and a pickup holds 1. */
const heldAtStore1 = (stock: Record<string, number> = {}) => {
  const { hub, events } = network({ 'store-1': 5, ...stock });
  events.push(
    hub.next({
      type: 'ReservationPlaced',
      data: {
        reservationId: 'RES-1',
        channel: 'web',
        location: 'store-1',
        lines: [{ sku: 'SKU-1', qty: 3 }],
        expiresAt: '2026-01-03T00:00:00.000Z',
        idempotencyKey: 'K-1',
      },
    }),
    hub.next({
      type: 'PickupOrderPlaced',
      data: {
        pickupId: 'P-1',
        channel: 'web',
        location: 'store-1',
        orderRef: 'W-1',
        lines: [{ sku: 'SKU-1', qty: 1 }],
      },
    }),
  );
  return { hub, events };
};

/** A sale rung up offline at store-1 before the holds were placed, arriving only now. */
const lateSale = (qty: number) =>
  eventFactory({ location: 'store-1', node: 'store-1-t1', startMs: Date.UTC(2026, 0, 1, 8) }).next({
    type: 'SaleRecorded',
    data: {
      receiptId: 'R-1',
      currency: 'EUR',
      lines: [{ sku: 'SKU-1', qty, unitPriceCents: 100 }],
      totalCents: qty * 100,
    },
  });

const viewOf = (events: readonly InventoryEvent[]) => inventoryView(foldEvents(events, initialInventoryState()));

const reconcile = (events: readonly InventoryEvent[], alreadyReported = 0, location = 'store-1') =>
  reconcileStock(viewOf(events), {
    location,
    sku: 'SKU-1',
    incidentId: 'INC-1',
    triggeredBy: 'evt-1',
    alreadyReported,
  });

describe('distanceKm', () => {
  it('is the great-circle distance between two positioned locations', () => {
    expect(distanceKm(place('a', BERLIN), place('b', MUNICH))).toBeCloseTo(504, -1);
    expect(distanceKm(place('a', BERLIN), place('b', POTSDAM))).toBeCloseTo(BERLIN_POTSDAM_KM, 1);
  });

  it('is symmetric and zero to itself', () => {
    expect(distanceKm(place('a', HAMBURG), place('b', MUNICH))).toBeCloseTo(
      distanceKm(place('b', MUNICH), place('a', HAMBURG)) ?? Number.NaN,
      9,
    );
    expect(distanceKm(place('a', BERLIN), place('a', BERLIN))).toBe(0);
  });

  it('is null when either location has no position', () => {
    expect(distanceKm(place('a', BERLIN), place('b'))).toBeNull();
    expect(distanceKm(place('a'), place('b', BERLIN))).toBeNull();
  });
});

describe('nearestCover', () => {
  it('proposes the nearest other location of the same region that can offer the quantity', () => {
    const view = viewOf(network({ 'store-2': 10, 'wh-1': 100, 'store-9': 100 }).events);
    expect(nearestCover(view, 'store-1', 'SKU-1', 4)).toEqual({
      location: 'store-2',
      available: 10,
      distanceKm: expect.closeTo(BERLIN_POTSDAM_KM, 1),
    });
  });

  it('skips nearer locations that cannot cover it, and other regions', () => {
    const view = viewOf(network({ 'store-2': 3, 'wh-1': 100, 'store-9': 100 }).events);
    expect(nearestCover(view, 'store-1', 'SKU-1', 4)?.location).toBe('wh-1');
  });

  it('prefers locations with a position over those without', () => {
    const view = viewOf(network({ 'store-3': 50, 'wh-1': 50 }).events);
    expect(nearestCover(view, 'store-1', 'SKU-1', 4)?.location).toBe('wh-1');
    const unpositioned = viewOf(network({ 'store-3': 50 }).events);
    expect(nearestCover(unpositioned, 'store-1', 'SKU-1', 4)).toEqual({
      location: 'store-3',
      available: 50,
      distanceKm: null,
    });
  });

  it('is null when nothing in the region can cover it, or the location is unknown', () => {
    const view = viewOf(network({ 'store-2': 3, 'store-9': 100 }).events);
    expect(nearestCover(view, 'store-1', 'SKU-1', 4)).toBeNull();
    expect(nearestCover(view, 'store-404', 'SKU-1', 1)).toBeNull();
  });
});

describe('reconcileStock', () => {
  it('reports an oversell when a late sale leaves less on hand than is promised', () => {
    const { events } = heldAtStore1({ 'store-2': 10, 'wh-1': 100 });
    const incident = reconcile([...events, lateSale(4)]);
    expect(incident).toEqual({
      type: 'IncidentRecorded',
      data: {
        incidentId: 'INC-1',
        kind: 'oversell',
        location: 'store-1',
        sku: 'SKU-1',
        shortfall: 3,
        affected: [
          { kind: 'reservation', id: 'RES-1', qty: 3 },
          { kind: 'pickup', id: 'P-1', qty: 1 },
        ],
        proposal: { location: 'store-2', available: 10, distanceKm: expect.closeTo(BERLIN_POTSDAM_KM, 1) },
        triggeredBy: 'evt-1',
      },
    });
  });

  it('caps the shortfall at what is held there', () => {
    const { events } = heldAtStore1();
    expect(reconcile([...events, lateSale(20)])?.data).toMatchObject({ shortfall: 4, proposal: null });
  });

  it('notes a safety stock breach while the orders are still covered', () => {
    const { hub, events } = heldAtStore1();
    events.push(hub.next({ type: 'SafetyStockSet', data: { sku: 'SKU-1', location: 'store-1', qty: 3 } }));
    expect(reconcile(events)?.data).toMatchObject({
      shortfall: 2,
      note: 'safety stock breached; orders are still covered by on hand',
    });
  });

  it('records nothing while available stays at or above zero', () => {
    const { events } = heldAtStore1();
    expect(reconcile([...events, lateSale(1)])).toBeNull();
  });

  it('records nothing when nothing is held there: no order is affected', () => {
    const { events } = network({ 'store-1': 1 });
    expect(reconcile([...events, lateSale(4)])).toBeNull();
  });

  it('records nothing when the shortfall was already reported, and again when it grows', () => {
    const { events } = heldAtStore1();
    expect(reconcile([...events, lateSale(4)], 3)).toBeNull();
    expect(reconcile([...events, lateSale(5)], 3)?.data).toMatchObject({ shortfall: 4 });
  });

  it('produces an incident the hub can store and project', () => {
    const { hub, events } = heldAtStore1({ 'store-2': 10 });
    const decided = reconcile([...events, lateSale(4)]);
    if (!decided) throw new Error('expected an incident');
    const stored = hub.next(decided);
    const state = foldEvents([...events, stored], initialInventoryState());
    expect(state.incidents.get('INC-1')).toMatchObject({ kind: 'oversell', shortfall: 3, triggeredBy: 'evt-1' });
  });
});

describe('pickupRejectedIncident', () => {
  const rejected = (data: Partial<EventOf<'PickupRejected'>['data']> = {}) =>
    eventFactory({ location: 'store-1', node: 'store-1-t1' }).next({
      type: 'PickupRejected',
      data: { pickupId: 'P-1', reason: 'item-not-found', ...data },
    }) as EventOf<'PickupRejected'>;

  it('reports the missing line with where else it could come from', () => {
    const { events } = heldAtStore1({ 'store-2': 10 });
    const event = rejected({ note: 'shelf empty', missing: [{ sku: 'SKU-1', qty: 1 }] });
    expect(pickupRejectedIncident(viewOf(events), event, 'INC-2')).toEqual({
      type: 'IncidentRecorded',
      data: {
        incidentId: 'INC-2',
        kind: 'pickup-rejected',
        location: 'store-1',
        sku: 'SKU-1',
        shortfall: 1,
        affected: [{ kind: 'pickup', id: 'P-1', qty: 1 }],
        proposal: { location: 'store-2', available: 10, distanceKm: expect.closeTo(BERLIN_POTSDAM_KM, 1) },
        triggeredBy: event.id,
        note: 'item-not-found: shelf empty',
      },
    });
  });

  it("takes the order's lines when the store did not say what is missing", () => {
    const { events } = heldAtStore1();
    expect(pickupRejectedIncident(viewOf(events), rejected({ reason: 'damaged' }), 'INC-2')?.data).toMatchObject({
      sku: 'SKU-1',
      shortfall: 1,
      proposal: null,
      note: 'damaged',
    });
  });

  it('is null for a pickup whose order the hub does not know', () => {
    const { events } = network({ 'store-1': 5 });
    expect(pickupRejectedIncident(viewOf(events), rejected(), 'INC-2')).toBeNull();
  });
});
