import { describe, expect, it } from 'vitest';
import { HUB_LOCATION, HUB_NODE } from '../events/envelope.js';
import type { InventoryEvent } from '../events/registry.js';
import { eventFactory } from '../testing/event-factory.js';
import { givenHub } from '../testing/specs.js';
import type { HubCommand } from './hub-commands.js';

const AT_NOW = { now: Date.UTC(2026, 0, 2, 12) };

type PickupData = Extract<HubCommand, { type: 'PlacePickupOrder' }>['data'];

const order = (over: Partial<PickupData> = {}): PickupData => ({
  pickupId: 'P-1',
  channel: 'web',
  location: 'store-1',
  orderRef: 'W-100',
  customerName: 'Ada',
  lines: [{ sku: 'SKU-1', qty: 2 }],
  ...over,
});

/** store-1 with 3 × SKU-1 (1 of it safety stock), and a warehouse with plenty. */
const world = (...more: ((hub: ReturnType<typeof eventFactory>) => InventoryEvent)[]) => {
  const hub = eventFactory({ location: HUB_LOCATION, node: HUB_NODE });
  const store = eventFactory({ location: 'store-1', node: 'store-1-t1' });
  const warehouse = eventFactory({ location: 'wh-1', node: 'wh-1-t1' });
  return [
    hub.next({ type: 'LocationDefined', data: { location: 'store-1', region: 'north', kind: 'store', name: 'One' } }),
    hub.next({ type: 'LocationDefined', data: { location: 'wh-1', region: 'north', kind: 'warehouse', name: 'WH' } }),
    store.next({ type: 'GoodsReceived', data: { purchaseOrderId: 'PO-1', lines: [{ sku: 'SKU-1', qty: 3 }] } }),
    warehouse.next({ type: 'GoodsReceived', data: { purchaseOrderId: 'PO-2', lines: [{ sku: 'SKU-1', qty: 100 }] } }),
    hub.next({ type: 'SafetyStockSet', data: { sku: 'SKU-1', location: 'store-1', qty: 1 } }),
    ...more.map((make) => make(hub)),
  ];
};

describe('PlacePickupOrder', () => {
  it('places a click-and-collect order at a store that has the goods', () => {
    givenHub(world(), AT_NOW)
      .when({ type: 'PlacePickupOrder', data: order() })
      .thenEmits([{ type: 'PickupOrderPlaced', data: order() }]);
  });

  it('refuses a warehouse: customers collect at stores', () => {
    givenHub(world(), AT_NOW)
      .when({ type: 'PlacePickupOrder', data: order({ location: 'wh-1' }) })
      .thenRejects('NotAStore', /wh-1 is a warehouse/);
  });

  it('refuses an unknown location', () => {
    givenHub(world(), AT_NOW)
      .when({ type: 'PlacePickupOrder', data: order({ location: 'store-9' }) })
      .thenRejects('UnknownLocation', /store-9/);
  });

  it('names a SKU the network has never heard of instead of offering 0 of it', () => {
    givenHub(world(), AT_NOW)
      .when({
        type: 'PlacePickupOrder',
        data: order({
          lines: [
            { sku: 'SKU-1', qty: 1 },
            { sku: 'SKU-X', qty: 1 },
          ],
        }),
      })
      .thenRejects('UnknownSku', /^SKU-X is not in the catalog$/);
  });

  it('refuses more than the store can offer after safety stock', () => {
    givenHub(world(), AT_NOW)
      .when({ type: 'PlacePickupOrder', data: order({ lines: [{ sku: 'SKU-1', qty: 3 }] }) })
      .thenRejects('InsufficientStock', /available at store-1 2/);
  });

  it('counts open pickups at the store as taken', () => {
    const events = world((hub) =>
      hub.next({ type: 'PickupOrderPlaced', data: order({ pickupId: 'P-0', lines: [{ sku: 'SKU-1', qty: 1 }] }) }),
    );
    givenHub(events, AT_NOW)
      .when({ type: 'PlacePickupOrder', data: order() })
      .thenRejects('InsufficientStock', /available at store-1 1/);
  });

  it('refuses a pickup id that was already placed', () => {
    const events = world((hub) =>
      hub.next({ type: 'PickupOrderPlaced', data: order({ lines: [{ sku: 'SKU-1', qty: 1 }] }) }),
    );
    givenHub(events, AT_NOW).when({ type: 'PlacePickupOrder', data: order() }).thenRejects('DuplicatePickup', /P-1/);
  });

  it('places an order a store already reported on before the order reached the hub', () => {
    const store = eventFactory({ location: 'store-1', node: 'store-1-t2' });
    const events = [...world(), store.next({ type: 'PickupPicked', data: { pickupId: 'P-1', lines: order().lines } })];
    givenHub(events, AT_NOW)
      .when({ type: 'PlacePickupOrder', data: order() })
      .thenEmits([{ type: 'PickupOrderPlaced', data: order() }]);
  });
});

describe('master data', () => {
  it('defines a location', () => {
    const data = {
      location: 'store-3',
      region: 'south',
      kind: 'store' as const,
      name: 'Three',
      geo: { lat: 48.1, lon: 11.6 },
    };
    givenHub([], AT_NOW)
      .when({ type: 'DefineLocation', data })
      .thenEmits([{ type: 'LocationDefined', data }]);
  });

  it('upserts a catalog item', () => {
    const data = { sku: 'SKU-1', name: 'Mug', barcode: '4006381333931', priceCents: 899, currency: 'EUR' };
    givenHub([], AT_NOW)
      .when({ type: 'UpsertCatalogItem', data })
      .thenEmits([{ type: 'CatalogItemUpserted', data }]);
  });

  it('sets safety stock, even below what is reserved', () => {
    const data = { sku: 'SKU-1', location: 'store-1', qty: 50 };
    givenHub(world(), AT_NOW)
      .when({ type: 'SetSafetyStock', data })
      .thenEmits([{ type: 'SafetyStockSet', data }]);
  });

  it.each([
    ['a share for every SKU', { channel: 'web', sku: null, rule: { kind: 'share' as const, share: 0.4 } }],
    ['a cap for one SKU', { channel: 'web', sku: 'SKU-1', rule: { kind: 'cap' as const, cap: 10 } }],
  ])('sets a channel allocation: %s', (_, data) => {
    givenHub([], AT_NOW)
      .when({ type: 'SetChannelAllocation', data })
      .thenEmits([{ type: 'ChannelAllocationSet', data }]);
  });
});

describe('decideHubCommand', () => {
  it('throws on a command type it does not know: a programming error, not bad input', () => {
    const bogus = { type: 'Teleport', data: {} } as unknown as HubCommand;
    expect(() => givenHub([], AT_NOW).when(bogus)).toThrow(/unknown command/);
  });
});
