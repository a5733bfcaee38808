import { describe, expect, it } from 'vitest';
import type { DecidedEvent } from '../deciders/decision.js';
import { HUB_LOCATION, HUB_NODE } from '../events/envelope.js';
import type { InventoryEvent } from '../events/registry.js';
import { eventFactory } from '../testing/event-factory.js';
import { applyEvent, foldEvents } from './apply-event.js';
import { initialInventoryState } from './state.js';
import { inventoryView, stockFiguresOf } from './view.js';

const nodes = () => ({
  s1: eventFactory({ location: 'store-1', node: 'store-1-t1' }),
  s2: eventFactory({ location: 'store-2', node: 'store-2-t1' }),
  hub: eventFactory({ location: HUB_LOCATION, node: HUB_NODE }),
});

const fold = (events: readonly InventoryEvent[]) => foldEvents(events, initialInventoryState());
const figures = (events: readonly InventoryEvent[], location = 'store-1', sku = 'SKU-1') =>
  stockFiguresOf(fold(events), sku, location);

const received = (qty: number, sku = 'SKU-1'): DecidedEvent => ({
  type: 'GoodsReceived',
  data: { purchaseOrderId: `PO-${sku}-${qty}`, lines: [{ sku, qty }] },
});
const sold = (qty: number, receiptId = 'R-1'): DecidedEvent => ({
  type: 'SaleRecorded',
  data: { receiptId, currency: 'EUR', lines: [{ sku: 'SKU-1', qty, unitPriceCents: 100 }], totalCents: qty * 100 },
});
const adjusted = (reason: 'damage' | 'theft' | 'found' | 'correction' | 'expiry', delta: number): DecidedEvent => ({
  type: 'StockAdjusted',
  data: { adjustmentId: `ADJ-${reason}`, reason, lines: [{ sku: 'SKU-1', delta }] },
});
const NOTHING = { onHand: 0, reserved: 0, damaged: 0, inTransit: 0, safetyStock: 0 };

describe('store events', () => {
  it('GoodsReceived puts every line on hand', () => {
    const { s1 } = nodes();
    const state = fold([
      s1.next({
        type: 'GoodsReceived',
        data: {
          purchaseOrderId: 'PO-1',
          lines: [
            { sku: 'SKU-1', qty: 7, expectedQty: 8 },
            { sku: 'SKU-2', qty: 2 },
          ],
        },
      }),
    ]);
    expect(stockFiguresOf(state, 'SKU-1', 'store-1')).toEqual({ ...NOTHING, onHand: 7 });
    expect(stockFiguresOf(state, 'SKU-2', 'store-1')).toEqual({ ...NOTHING, onHand: 2 });
    expect(stockFiguresOf(state, 'SKU-1', 'store-2')).toEqual(NOTHING);
  });

  it('SaleRecorded takes the sold units off hand, below zero if need be, and remembers the receipt', () => {
    const { s1 } = nodes();
    const state = fold([s1.next(received(2)), s1.next(sold(3))]);
    expect(stockFiguresOf(state, 'SKU-1', 'store-1')).toEqual({ ...NOTHING, onHand: -1 });
    expect(inventoryView(state).receipt('store-1', 'R-1')?.sold.get('SKU-1')).toBe(3);
  });

  it('ReturnRecorded to sellable puts units back on hand', () => {
    const { s1 } = nodes();
    const events = [
      s1.next(sold(3)),
      s1.next({
        type: 'ReturnRecorded',
        data: { returnId: 'RET-1', receiptId: 'R-1', lines: [{ sku: 'SKU-1', qty: 2, restockTo: 'sellable' }] },
      }),
    ];
    expect(figures(events)).toEqual({ ...NOTHING, onHand: -1 });
    expect(inventoryView(fold(events)).receipt('store-1', 'R-1')?.returned.get('SKU-1')).toBe(2);
  });

  it('ReturnRecorded to damaged changes damaged, not on hand', () => {
    const { s1 } = nodes();
    const events = [
      s1.next(received(5)),
      s1.next({
        type: 'ReturnRecorded',
        data: { returnId: 'RET-1', lines: [{ sku: 'SKU-1', qty: 2, restockTo: 'damaged' }] },
      }),
    ];
    expect(figures(events)).toEqual({ ...NOTHING, onHand: 5, damaged: 2 });
  });

  it.each([
    ['theft', -2, { onHand: 8, damaged: 0 }],
    ['expiry', -3, { onHand: 7, damaged: 0 }],
    ['found', 4, { onHand: 14, damaged: 0 }],
    ['correction', -1, { onHand: 9, damaged: 0 }],
    ['correction', 1, { onHand: 11, damaged: 0 }],
    ['damage', -2, { onHand: 8, damaged: 2 }],
  ] as const)(
    'StockAdjusted for %s by %i moves on hand (and damage moves units to damaged)',
    (reason, delta, expected) => {
      const { s1 } = nodes();
      expect(figures([s1.next(received(10)), s1.next(adjusted(reason, delta))])).toEqual({ ...NOTHING, ...expected });
    },
  );
});

describe('transfers', () => {
  const shipped: DecidedEvent = {
    type: 'TransferShipped',
    data: { transferId: 'T-1', to: 'store-2', lines: [{ sku: 'SKU-1', qty: 4 }] },
  };
  const arrived = (qty: number): DecidedEvent => ({
    type: 'TransferReceived',
    data: { transferId: 'T-1', from: 'store-1', lines: [{ sku: 'SKU-1', qty }] },
  });

  it('are in transit towards the destination from shipping until received', () => {
    const { s1, s2 } = nodes();
    const events = [s1.next(received(10)), s1.next(shipped)];
    expect(figures(events, 'store-1')).toEqual({ ...NOTHING, onHand: 6 });
    expect(figures(events, 'store-2')).toEqual({ ...NOTHING, inTransit: 4 });
    const done = [...events, s2.next(arrived(4))];
    expect(figures(done, 'store-1')).toEqual({ ...NOTHING, onHand: 6 });
    expect(figures(done, 'store-2')).toEqual({ ...NOTHING, onHand: 4 });
  });

  it('received short: on hand gets what arrived and nothing stays in transit', () => {
    const { s1, s2 } = nodes();
    expect(figures([s1.next(shipped), s2.next(arrived(3))], 'store-2')).toEqual({ ...NOTHING, onHand: 3 });
  });

  it('received before the shipment arrives at the projection: never in transit', () => {
    const { s1, s2 } = nodes();
    const ship = s1.next(shipped);
    const arrival = s2.next(arrived(4));
    const state = fold([arrival]);
    expect(stockFiguresOf(state, 'SKU-1', 'store-2')).toEqual({ ...NOTHING, onHand: 4 });
    applyEvent(state, ship);
    expect(stockFiguresOf(state, 'SKU-1', 'store-2')).toEqual({ ...NOTHING, onHand: 4 });
    expect(stockFiguresOf(state, 'SKU-1', 'store-1')).toEqual({ ...NOTHING, onHand: -4 });
  });
});

describe('pickups', () => {
  const order: DecidedEvent = {
    type: 'PickupOrderPlaced',
    data: { pickupId: 'P-1', channel: 'web', location: 'store-1', orderRef: 'W-1', lines: [{ sku: 'SKU-1', qty: 2 }] },
  };
  const lines = [{ sku: 'SKU-1', qty: 2 }];

  it('an order reserves its lines at the store for its channel; picking changes no figure', () => {
    const { s1, hub } = nodes();
    const events = [
      s1.next(received(5)),
      hub.next(order),
      s1.next({ type: 'PickupPicked', data: { pickupId: 'P-1', lines } }),
    ];
    const state = fold(events);
    expect(stockFiguresOf(state, 'SKU-1', 'store-1')).toEqual({ ...NOTHING, onHand: 5, reserved: 2 });
    expect(inventoryView(state).channelHeld('web', 'SKU-1')).toBe(2);
    expect(inventoryView(state).holdsAt('store-1', 'SKU-1')).toEqual([
      { kind: 'pickup', id: 'P-1', channel: 'web', qty: 2 },
    ]);
  });

  it('handing over takes the units off hand and frees the reservation', () => {
    const { s1, hub } = nodes();
    const state = fold([
      s1.next(received(5)),
      hub.next(order),
      s1.next({ type: 'PickupHandedOver', data: { pickupId: 'P-1', lines } }),
    ]);
    expect(stockFiguresOf(state, 'SKU-1', 'store-1')).toEqual({ ...NOTHING, onHand: 3 });
    expect(inventoryView(state).channelHeld('web', 'SKU-1')).toBe(0);
    expect(inventoryView(state).holdsAt('store-1', 'SKU-1')).toEqual([]);
  });

  it('rejecting frees the reservation and leaves on hand alone', () => {
    const { s1, hub } = nodes();
    const state = fold([
      s1.next(received(5)),
      hub.next(order),
      s1.next({ type: 'PickupRejected', data: { pickupId: 'P-1', reason: 'damaged' } }),
    ]);
    expect(stockFiguresOf(state, 'SKU-1', 'store-1')).toEqual({ ...NOTHING, onHand: 5 });
    expect(inventoryView(state).pickup('P-1')?.completion).toEqual({
      kind: 'rejected',
      reason: 'damaged',
      note: undefined,
    });
  });

  it('a hand-over that arrives before its order leaves nothing reserved', () => {
    const { s1, hub } = nodes();
    const placed = hub.next(order);
    const handedOver = s1.next({ type: 'PickupHandedOver', data: { pickupId: 'P-1', lines } });
    expect(figures([s1.next(received(5)), handedOver, placed])).toEqual({ ...NOTHING, onHand: 3 });
  });
});

describe('reservations', () => {
  const placed = (location: string | null, reservationId = 'RES-1'): DecidedEvent => ({
    type: 'ReservationPlaced',
    data: {
      reservationId,
      channel: 'web',
      location,
      lines: [{ sku: 'SKU-1', qty: 3 }],
      expiresAt: '2026-01-02T00:00:00.000Z',
      idempotencyKey: `K-${reservationId}`,
    },
  });
  const step = (type: 'ReservationConfirmed' | 'ReservationExpired' | 'ReservationReleased'): DecidedEvent =>
    type === 'ReservationReleased'
      ? { type, data: { reservationId: 'RES-1', reason: 'cancelled' } }
      : { type, data: { reservationId: 'RES-1' } };

  const after = (...events: DecidedEvent[]) => {
    const { hub } = nodes();
    const state = fold(events.map((e) => hub.next(e)));
    const view = inventoryView(state);
    return {
      reserved: stockFiguresOf(state, 'SKU-1', 'store-1').reserved,
      network: view.networkReserved('SKU-1'),
      held: view.channelHeld('web', 'SKU-1'),
      status: view.reservation('RES-1')?.status,
    };
  };

  it('a hold at a location is reserved there and held by its channel', () => {
    expect(after(placed('store-1'))).toEqual({ reserved: 3, network: 0, held: 3, status: 'placed' });
  });

  it('a network-wide hold is reserved network-wide, at no location', () => {
    expect(after(placed(null))).toEqual({ reserved: 0, network: 3, held: 3, status: 'placed' });
  });

  it('confirming keeps the hold', () => {
    expect(after(placed('store-1'), step('ReservationConfirmed'))).toEqual({
      reserved: 3,
      network: 0,
      held: 3,
      status: 'confirmed',
    });
  });

  it.each([
    ['released', [step('ReservationReleased')]],
    ['expired', [step('ReservationExpired')]],
    ['confirmed then released', [step('ReservationConfirmed'), step('ReservationReleased')]],
  ] as const)('a %s hold frees its stock', (status, steps) => {
    for (const location of ['store-1', null])
      expect(after(placed(location), ...steps)).toEqual({
        reserved: 0,
        network: 0,
        held: 0,
        status: status.split(' ').at(-1),
      });
  });

  it('a confirmed hold does not expire', () => {
    expect(after(placed('store-1'), step('ReservationConfirmed'), step('ReservationExpired'))).toMatchObject({
      reserved: 3,
      status: 'confirmed',
    });
  });

  it('an ended hold stays ended: nothing is held twice or freed twice', () => {
    expect(after(placed('store-1'), step('ReservationExpired'), step('ReservationReleased'))).toEqual({
      reserved: 0,
      network: 0,
      held: 0,
      status: 'expired',
    });
    expect(after(placed('store-1'), step('ReservationReleased'), step('ReservationConfirmed'))).toMatchObject({
      reserved: 0,
      status: 'released',
    });
  });

  it('a second placement under the same reservation id is ignored', () => {
    expect(after(placed('store-1'), placed(null))).toEqual({ reserved: 3, network: 0, held: 3, status: 'placed' });
  });

  it('lifecycle events for an unknown reservation change nothing', () => {
    expect(after(step('ReservationConfirmed'), step('ReservationReleased'))).toEqual({
      reserved: 0,
      network: 0,
      held: 0,
      status: undefined,
    });
  });
});

describe('hub master data', () => {
  it('SafetyStockSet sets the safety stock of a cell, latest wins', () => {
    const { hub } = nodes();
    const events = [
      hub.next({ type: 'SafetyStockSet', data: { sku: 'SKU-1', location: 'store-1', qty: 4 } }),
      hub.next({ type: 'SafetyStockSet', data: { sku: 'SKU-1', location: 'store-1', qty: 2 } }),
    ];
    expect(figures(events)).toEqual({ ...NOTHING, safetyStock: 2 });
    expect(figures(events, 'store-2')).toEqual(NOTHING);
  });

  it('LocationDefined, CatalogItemUpserted and ChannelAllocationSet are visible through the view', () => {
    const { hub } = nodes();
    const view = inventoryView(
      fold([
        hub.next({
          type: 'LocationDefined',
          data: { location: 'store-1', region: 'north', kind: 'store', name: 'One' },
        }),
        hub.next({
          type: 'LocationDefined',
          data: { location: 'store-1', region: 'south', kind: 'store', name: 'Moved' },
        }),
        hub.next({
          type: 'CatalogItemUpserted',
          data: { sku: 'SKU-1', name: 'Mug', priceCents: 899, currency: 'EUR' },
        }),
        hub.next({
          type: 'ChannelAllocationSet',
          data: { channel: 'web', sku: null, rule: { kind: 'share', share: 0.5 } },
        }),
        hub.next({
          type: 'ChannelAllocationSet',
          data: { channel: 'web', sku: 'SKU-2', rule: { kind: 'cap', cap: 3 } },
        }),
      ]),
    );
    expect(view.location('store-1')).toMatchObject({ region: 'south', name: 'Moved' });
    expect(view.locations()).toHaveLength(1);
    expect(view.catalogItem('SKU-1')).toMatchObject({ name: 'Mug', priceCents: 899 });
    expect(view.allocation('web', 'SKU-1')).toEqual({ kind: 'share', share: 0.5 });
    expect(view.allocation('web', 'SKU-2')).toEqual({ kind: 'cap', cap: 3 });
    expect(view.allocation('marketplace-a', 'SKU-1')).toBeUndefined();
  });

  it('IncidentRecorded is kept by id and changes no stock figure', () => {
    const { hub } = nodes();
    const state = fold([
      hub.next({
        type: 'IncidentRecorded',
        data: {
          incidentId: 'INC-1',
          kind: 'oversell',
          location: 'store-1',
          sku: 'SKU-1',
          shortfall: 2,
          affected: [{ kind: 'reservation', id: 'RES-1', qty: 2 }],
          proposal: null,
          triggeredBy: 'evt',
        },
      }),
    ]);
    expect(state.incidents.get('INC-1')).toMatchObject({ shortfall: 2, kind: 'oversell' });
    expect(stockFiguresOf(state, 'SKU-1', 'store-1')).toEqual(NOTHING);
  });
});

describe('applyEvent', () => {
  it('applies an event once: a redelivered event reports false and changes nothing', () => {
    const { s1 } = nodes();
    const event = s1.next(received(5));
    const state = initialInventoryState();
    expect(applyEvent(state, event)).toBe(true);
    expect(applyEvent(state, structuredClone(event))).toBe(false);
    expect(stockFiguresOf(state, 'SKU-1', 'store-1').onHand).toBe(5);
  });
});
