import { describe, expect, it } from 'vitest';
import { HUB_LOCATION, HUB_NODE } from '../events/envelope.js';
import type { AllocationRule } from '../events/hub-events.js';
import type { InventoryEvent } from '../events/registry.js';
import { eventFactory } from '../testing/event-factory.js';
import { givenHub } from '../testing/specs.js';
import type { HubCommand, HubCommandMetadata } from './hub-commands.js';

const NOW = Date.UTC(2026, 0, 2, 12);
const AT_NOW: HubCommandMetadata = { now: NOW };
const IN_AN_HOUR = new Date(NOW + 3_600_000).toISOString();

type PlaceData = Extract<HubCommand, { type: 'PlaceReservation' }>['data'];

const place = (over: Partial<PlaceData> = {}): PlaceData => ({
  reservationId: 'RES-1',
  channel: 'web',
  location: 'store-1',
  lines: [{ sku: 'SKU-1', qty: 3 }],
  expiresAt: IN_AN_HOUR,
  idempotencyKey: 'K-1',
  ...over,
});

/**
 * Two stores and a warehouse in region north, with `stock` units of SKU-1 received at each
 * location listed, then whatever else the test adds through `hub`.
 */
const network = (stock: Record<string, number>) => {
  const hub = eventFactory({ location: HUB_LOCATION, node: HUB_NODE });
  const events: InventoryEvent[] = [];
  for (const [location, kind] of [
    ['store-1', 'store'],
    ['store-2', 'store'],
    ['wh-1', 'warehouse'],
  ] as const)
    events.push(hub.next({ type: 'LocationDefined', data: { location, region: 'north', kind, name: location } }));
  for (const [location, qty] of Object.entries(stock)) {
    const node = eventFactory({ location, node: `${location}-t1` });
    events.push(
      node.next({ type: 'GoodsReceived', data: { purchaseOrderId: `PO-${location}`, lines: [{ sku: 'SKU-1', qty }] } }),
    );
  }
  return {
    events,
    safety(location: string, qty: number) {
      events.push(hub.next({ type: 'SafetyStockSet', data: { sku: 'SKU-1', location, qty } }));
      return this;
    },
    allocation(channel: string, sku: string | null, rule: AllocationRule) {
      events.push(hub.next({ type: 'ChannelAllocationSet', data: { channel, sku, rule } }));
      return this;
    },
    reserved(data: PlaceData) {
      events.push(hub.next({ type: 'ReservationPlaced', data }));
      return this;
    },
    pickup(location: string, qty: number, channel = 'web') {
      events.push(
        hub.next({
          type: 'PickupOrderPlaced',
          data: { pickupId: `P-${events.length}`, channel, location, orderRef: 'O-1', lines: [{ sku: 'SKU-1', qty }] },
        }),
      );
      return this;
    },
  };
};

const placing = (data: PlaceData) => ({ type: 'PlaceReservation' as const, data });

describe('PlaceReservation', () => {
  describe('at a location', () => {
    it('holds stock the location can offer', () => {
      givenHub(network({ 'store-1': 10 }).events, AT_NOW)
        .when(placing(place({ lines: [{ sku: 'SKU-1', qty: 10 }] })))
        .thenEmits([{ type: 'ReservationPlaced', data: place({ lines: [{ sku: 'SKU-1', qty: 10 }] }) }]);
    });

    it('refuses more than the location has, naming what is available', () => {
      const then = givenHub(network({ 'store-1': 2, 'store-2': 50 }).events, AT_NOW).when(placing(place()));
      then.thenRejects('InsufficientStock', /SKU-1: requested 3, available at store-1 2/);
      expect(then.decision).toMatchObject({ details: { short: [{ sku: 'SKU-1', requested: 3, atp: 2 }] } });
    });

    it('keeps the safety stock back', () => {
      const events = network({ 'store-1': 10 }).safety('store-1', 8).events;
      givenHub(events, AT_NOW)
        .when(placing(place()))
        .thenRejects('InsufficientStock', /available at store-1 2/);
      givenHub(events, AT_NOW)
        .when(placing(place({ lines: [{ sku: 'SKU-1', qty: 2 }] })))
        .thenEmits([{ type: 'ReservationPlaced', data: place({ lines: [{ sku: 'SKU-1', qty: 2 }] }) }]);
    });

    it('counts existing reservations and open pickups at the location as taken', () => {
      const events = network({ 'store-1': 10 })
        .reserved(
          place({
            reservationId: 'RES-0',
            channel: 'marketplace-a',
            idempotencyKey: 'K-0',
            lines: [{ sku: 'SKU-1', qty: 5 }],
          }),
        )
        .pickup('store-1', 3).events;
      givenHub(events, AT_NOW)
        .when(placing(place()))
        .thenRejects('InsufficientStock', /available at store-1 2/);
    });

    it('does not promise stock already held network-wide', () => {
      const events = network({ 'store-1': 10 }).reserved(
        place({ reservationId: 'RES-0', location: null, idempotencyKey: 'K-0', lines: [{ sku: 'SKU-1', qty: 9 }] }),
      ).events;
      givenHub(events, AT_NOW)
        .when(placing(place()))
        .thenRejects('InsufficientStock', /available at store-1 1/);
    });

    it('refuses an unknown location', () => {
      givenHub(network({ 'store-1': 10 }).events, AT_NOW)
        .when(placing(place({ location: 'store-9' })))
        .thenRejects('UnknownLocation', /store-9/);
    });

    it('offers nothing from a location the hub does not trust', () => {
      const trust: HubCommandMetadata = {
        now: NOW,
        trust: (l) => (l === 'store-1' ? { kind: 'exclude' } : { kind: 'full' }),
      };
      givenHub(network({ 'store-1': 10 }).events, trust)
        .when(placing(place()))
        .thenRejects('InsufficientStock');
    });

    it('keeps a buffer back at a location with stale figures', () => {
      const trust: HubCommandMetadata = { now: NOW, trust: () => ({ kind: 'buffer', units: 8 }) };
      givenHub(network({ 'store-1': 10 }).events, trust)
        .when(placing(place()))
        .thenRejects('InsufficientStock', /available at store-1 2/);
    });

    it('checks every line and lists each one that is short', () => {
      const then = givenHub(network({ 'store-1': 10 }).events, AT_NOW).when(
        placing(
          place({
            lines: [
              { sku: 'SKU-1', qty: 2 },
              { sku: 'SKU-2', qty: 1 },
            ],
          }),
        ),
      );
      then.thenRejects('InsufficientStock', /SKU-2: requested 1, available at store-1 0/);
      expect(then.decision).toMatchObject({ details: { short: [{ sku: 'SKU-2' }] } });
    });
  });

  describe('network-wide', () => {
    it('holds stock from the pool of every location', () => {
      const data = place({ location: null, lines: [{ sku: 'SKU-1', qty: 9 }] });
      givenHub(network({ 'store-1': 4, 'store-2': 3, 'wh-1': 2 }).events, AT_NOW)
        .when(placing(data))
        .thenEmits([{ type: 'ReservationPlaced', data }]);
    });

    it('refuses more than the pool holds', () => {
      givenHub(network({ 'store-1': 4, 'store-2': 3 }).events, AT_NOW)
        .when(placing(place({ location: null, lines: [{ sku: 'SKU-1', qty: 8 }] })))
        .thenRejects('InsufficientStock', /requested 8, available 7/);
    });

    it('does not let one location short of stock eat into the others', () => {
      const events = network({ 'store-1': 4, 'store-2': 3 }).safety('store-2', 5).events;
      givenHub(events, AT_NOW)
        .when(placing(place({ location: null, lines: [{ sku: 'SKU-1', qty: 5 }] })))
        .thenRejects('InsufficientStock', /available 4/);
    });

    it('is reduced by earlier network-wide reservations', () => {
      const events = network({ 'store-1': 10 }).reserved(
        place({ reservationId: 'RES-0', location: null, idempotencyKey: 'K-0', lines: [{ sku: 'SKU-1', qty: 8 }] }),
      ).events;
      givenHub(events, AT_NOW)
        .when(placing(place({ location: null })))
        .thenRejects('InsufficientStock', /available 2/);
    });
  });

  describe('allocation', () => {
    it('caps what a channel may hold with a share of the sellable stock', () => {
      const events = network({ 'store-1': 10, 'store-2': 10 }).allocation('web', null, {
        kind: 'share',
        share: 0.25,
      }).events;
      givenHub(events, AT_NOW)
        .when(placing(place({ lines: [{ sku: 'SKU-1', qty: 6 }] })))
        .thenRejects('InsufficientStock', /available at store-1 5/);
      givenHub(events, AT_NOW)
        .when(placing(place({ lines: [{ sku: 'SKU-1', qty: 5 }] })))
        .thenEmits([{ type: 'ReservationPlaced', data: place({ lines: [{ sku: 'SKU-1', qty: 5 }] }) }]);
    });

    it('computes the share from stock net of safety stock', () => {
      const events = network({ 'store-1': 10 })
        .safety('store-1', 2)
        .allocation('web', null, { kind: 'share', share: 0.5 }).events;
      givenHub(events, AT_NOW)
        .when(placing(place({ lines: [{ sku: 'SKU-1', qty: 5 }] })))
        .thenRejects('InsufficientStock', /available at store-1 4/);
    });

    it('caps what a channel may hold with a fixed cap', () => {
      const events = network({ 'store-1': 10 }).allocation('web', 'SKU-1', { kind: 'cap', cap: 2 }).events;
      givenHub(events, AT_NOW)
        .when(placing(place()))
        .thenRejects('InsufficientStock', /available at store-1 2/);
    });

    it("counts the channel's existing holds against its allocation", () => {
      const events = network({ 'store-1': 10, 'store-2': 10 })
        .allocation('web', null, { kind: 'cap', cap: 5 })
        .reserved(place({ reservationId: 'RES-0', location: 'store-2', idempotencyKey: 'K-0' }))
        .pickup('store-2', 1).events;
      givenHub(events, AT_NOW)
        .when(placing(place()))
        .thenRejects('InsufficientStock', /available at store-1 1/);
      givenHub(events, AT_NOW)
        .when(placing(place({ lines: [{ sku: 'SKU-1', qty: 1 }] })))
        .thenEmits([{ type: 'ReservationPlaced', data: place({ lines: [{ sku: 'SKU-1', qty: 1 }] }) }]);
    });

    it("does not count another channel's holds against this channel's allocation", () => {
      const events = network({ 'store-1': 10, 'store-2': 10 })
        .allocation('web', null, { kind: 'cap', cap: 3 })
        .reserved(
          place({ reservationId: 'RES-0', channel: 'marketplace-a', location: 'store-2', idempotencyKey: 'K-0' }),
        ).events;
      givenHub(events, AT_NOW)
        .when(placing(place()))
        .thenEmits([{ type: 'ReservationPlaced', data: place() }]);
    });

    it("prefers the SKU's own rule over the channel's default", () => {
      const events = network({ 'store-1': 10 })
        .allocation('web', null, { kind: 'cap', cap: 0 })
        .allocation('web', 'SKU-1', { kind: 'cap', cap: 3 }).events;
      givenHub(events, AT_NOW)
        .when(placing(place()))
        .thenEmits([{ type: 'ReservationPlaced', data: place() }]);
    });

    it('applies network-wide too', () => {
      const events = network({ 'store-1': 10 }).allocation('web', null, { kind: 'cap', cap: 2 }).events;
      givenHub(events, AT_NOW)
        .when(placing(place({ location: null })))
        .thenRejects('InsufficientStock', /available 2/);
    });
  });

  describe('idempotency and duplicates', () => {
    const earlier = () => network({ 'store-1': 10 }).reserved(place()).events;

    it('emits nothing when the same request is replayed with its key', () => {
      givenHub(earlier(), AT_NOW).when(placing(place())).thenEmits([]);
    });

    it('emits nothing on replay even when the stock has gone meanwhile', () => {
      const events = network({ 'store-1': 3 }).reserved(place()).events;
      givenHub(events, AT_NOW).when(placing(place())).thenEmits([]);
    });

    it('refuses a key reused for other content', () => {
      givenHub(earlier(), AT_NOW)
        .when(placing(place({ reservationId: 'RES-2', lines: [{ sku: 'SKU-1', qty: 1 }] })))
        .thenRejects('IdempotencyKeyReused', /K-1.*RES-1/);
      givenHub(earlier(), AT_NOW)
        .when(placing(place({ lines: [{ sku: 'SKU-1', qty: 4 }] })))
        .thenRejects('IdempotencyKeyReused');
      givenHub(earlier(), AT_NOW)
        .when(placing(place({ location: 'store-2' })))
        .thenRejects('IdempotencyKeyReused');
    });

    it('scopes keys per channel', () => {
      givenHub(earlier(), AT_NOW)
        .when(placing(place({ reservationId: 'RES-2', channel: 'marketplace-a' })))
        .thenEmits([{ type: 'ReservationPlaced', data: place({ reservationId: 'RES-2', channel: 'marketplace-a' }) }]);
    });

    it('refuses a reservation id that already exists under another key', () => {
      givenHub(earlier(), AT_NOW)
        .when(placing(place({ idempotencyKey: 'K-2' })))
        .thenRejects('DuplicateReservation', /RES-1/);
    });
  });

  describe('expiry', () => {
    it.each([
      ['now', new Date(NOW).toISOString()],
      ['in the past', new Date(NOW - 1).toISOString()],
    ])('refuses an expiry %s', (_, expiresAt) => {
      givenHub(network({ 'store-1': 10 }).events, AT_NOW)
        .when(placing(place({ expiresAt })))
        .thenRejects('InvalidExpiry');
    });

    it('accepts an expiry a millisecond ahead', () => {
      const data = place({ expiresAt: new Date(NOW + 1).toISOString() });
      givenHub(network({ 'store-1': 10 }).events, AT_NOW)
        .when(placing(data))
        .thenEmits([{ type: 'ReservationPlaced', data }]);
    });
  });
});
