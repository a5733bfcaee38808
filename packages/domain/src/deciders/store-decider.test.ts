import { describe, expect, it } from 'vitest';
import { HUB_LOCATION, HUB_NODE } from '../events/envelope.js';
import { eventFactory } from '../testing/event-factory.js';
import { givenStore } from '../testing/specs.js';
import type { StoreCommandMetadata } from './decision.js';
import type { StoreCommand } from './store-commands.js';

const HERE: StoreCommandMetadata = { now: Date.UTC(2026, 0, 2), location: 'store-1', node: 'store-1-t1' };

/** This terminal, another terminal of the same store, another store, and the hub. */
const producers = () => ({
  till: eventFactory({ location: 'store-1', node: 'store-1-t1' }),
  otherTill: eventFactory({ location: 'store-1', node: 'store-1-t2' }),
  otherStore: eventFactory({ location: 'store-2', node: 'store-2-t1' }),
  hub: eventFactory({ location: HUB_LOCATION, node: HUB_NODE }),
});

const sale = (receiptId: string, lines: { sku: string; qty: number; unitPriceCents: number }[]) => ({
  type: 'SaleRecorded' as const,
  data: {
    receiptId,
    currency: 'EUR',
    lines,
    totalCents: lines.reduce((sum, l) => sum + l.qty * l.unitPriceCents, 0),
  },
});

const returned = (returnId: string, receiptId: string | undefined, lines: { sku: string; qty: number }[]) => ({
  type: 'ReturnRecorded' as const,
  data: {
    returnId,
    ...(receiptId ? { receiptId } : {}),
    lines: lines.map((l) => ({ ...l, restockTo: 'sellable' as const })),
  },
});

describe('RecordSale', () => {
  it('records the sale with its total in cents', () => {
    givenStore([], HERE)
      .when({
        type: 'RecordSale',
        data: {
          receiptId: 'R-1',
          currency: 'EUR',
          lines: [
            { sku: 'SKU-1', qty: 2, unitPriceCents: 499 },
            { sku: 'SKU-2', qty: 1, unitPriceCents: 1250 },
          ],
        },
      })
      .thenEmits([
        sale('R-1', [
          { sku: 'SKU-1', qty: 2, unitPriceCents: 499 },
          { sku: 'SKU-2', qty: 1, unitPriceCents: 1250 },
        ]),
      ]);
  });

  it('is never refused for lack of stock: the goods already left the shop', () => {
    const { till } = producers();
    givenStore(
      [till.next({ type: 'GoodsReceived', data: { purchaseOrderId: 'PO-1', lines: [{ sku: 'SKU-1', qty: 1 }] } })],
      HERE,
    )
      .when({
        type: 'RecordSale',
        data: { receiptId: 'R-1', currency: 'EUR', lines: [{ sku: 'SKU-1', qty: 5, unitPriceCents: 100 }] },
      })
      .thenEmits([sale('R-1', [{ sku: 'SKU-1', qty: 5, unitPriceCents: 100 }])]);
  });

  describe('with tenders', () => {
    const lines = [{ sku: 'SKU-1', qty: 2, unitPriceCents: 750 }];
    const recordSale = (tenders: { method: 'cash' | 'card' | 'other'; amountCents: number; givenCents?: number }[]) =>
      ({ type: 'RecordSale', data: { receiptId: 'R-1', currency: 'EUR', lines, tenders } }) as const;

    it('records a cash sale with what was given, so the change is given minus amount', () => {
      givenStore([], HERE)
        .when(recordSale([{ method: 'cash', amountCents: 1500, givenCents: 2000 }]))
        .thenEmits([
          {
            type: 'SaleRecorded',
            data: { ...sale('R-1', lines).data, tenders: [{ method: 'cash', amountCents: 1500, givenCents: 2000 }] },
          },
        ]);
    });

    it('records a split payment whose amounts add up to the total', () => {
      const tenders = [
        { method: 'card', amountCents: 1000 },
        { method: 'cash', amountCents: 300, givenCents: 500 },
        { method: 'other', amountCents: 200 },
      ] as const;
      givenStore([], HERE)
        .when(recordSale([...tenders]))
        .thenEmits([{ type: 'SaleRecorded', data: { ...sale('R-1', lines).data, tenders: [...tenders] } }]);
    });

    it('refuses tenders that do not cover the total', () => {
      givenStore([], HERE)
        .when(recordSale([{ method: 'card', amountCents: 1000 }]))
        .thenRejects('TendersDoNotCoverTotal', /1000 cents of a 1500/);
    });

    it('refuses tenders that pay more than the total: the excess is change, in givenCents', () => {
      givenStore([], HERE)
        .when(recordSale([{ method: 'cash', amountCents: 2000, givenCents: 2000 }]))
        .thenRejects('TendersDoNotCoverTotal', /2000 cents of a 1500/);
    });
  });

  it('refuses a receipt already recorded at this store, by any terminal', () => {
    const { otherTill } = producers();
    givenStore([otherTill.next(sale('R-1', [{ sku: 'SKU-1', qty: 1, unitPriceCents: 100 }]))], HERE)
      .when({
        type: 'RecordSale',
        data: { receiptId: 'R-1', currency: 'EUR', lines: [{ sku: 'SKU-2', qty: 1, unitPriceCents: 100 }] },
      })
      .thenRejects('DuplicateReceipt', /R-1/);
  });

  it('accepts a receipt number another store already used', () => {
    const { otherStore } = producers();
    givenStore([otherStore.next(sale('R-1', [{ sku: 'SKU-1', qty: 1, unitPriceCents: 100 }]))], HERE)
      .when({
        type: 'RecordSale',
        data: { receiptId: 'R-1', currency: 'EUR', lines: [{ sku: 'SKU-1', qty: 1, unitPriceCents: 100 }] },
      })
      .thenEmits([sale('R-1', [{ sku: 'SKU-1', qty: 1, unitPriceCents: 100 }])]);
  });
});

describe('RecordReturn', () => {
  const soldTwo = () => producers().till.next(sale('R-1', [{ sku: 'SKU-1', qty: 2, unitPriceCents: 100 }]));

  it('records a return against a known receipt', () => {
    givenStore([soldTwo()], HERE)
      .when({ type: 'RecordReturn', data: returned('RET-1', 'R-1', [{ sku: 'SKU-1', qty: 2 }]).data })
      .thenEmits([returned('RET-1', 'R-1', [{ sku: 'SKU-1', qty: 2 }])]);
  });

  it('refuses a SKU that is not on the receipt', () => {
    givenStore([soldTwo()], HERE)
      .when({ type: 'RecordReturn', data: returned('RET-1', 'R-1', [{ sku: 'SKU-9', qty: 1 }]).data })
      .thenRejects('NotOnReceipt', /SKU-9/);
  });

  it('refuses returning more than the receipt sold', () => {
    givenStore([soldTwo()], HERE)
      .when({ type: 'RecordReturn', data: returned('RET-1', 'R-1', [{ sku: 'SKU-1', qty: 3 }]).data })
      .thenRejects('ReturnExceedsSale', /sold 2/);
  });

  it('counts earlier partial returns against the receipt', () => {
    const { till } = producers();
    const history = [
      till.next(sale('R-1', [{ sku: 'SKU-1', qty: 3, unitPriceCents: 100 }])),
      till.next(returned('RET-1', 'R-1', [{ sku: 'SKU-1', qty: 1 }])),
      till.next(returned('RET-2', 'R-1', [{ sku: 'SKU-1', qty: 1 }])),
    ];
    givenStore(history, HERE)
      .when({ type: 'RecordReturn', data: returned('RET-3', 'R-1', [{ sku: 'SKU-1', qty: 1 }]).data })
      .thenEmits([returned('RET-3', 'R-1', [{ sku: 'SKU-1', qty: 1 }])]);
    givenStore(history, HERE)
      .when({ type: 'RecordReturn', data: returned('RET-3', 'R-1', [{ sku: 'SKU-1', qty: 2 }]).data })
      .thenRejects('ReturnExceedsSale', /2 already returned/);
  });

  it('accepts a return against a receipt this node does not know (rung up elsewhere, not synced yet)', () => {
    givenStore([], HERE)
      .when({ type: 'RecordReturn', data: returned('RET-1', 'R-77', [{ sku: 'SKU-1', qty: 4 }]).data })
      .thenEmits([returned('RET-1', 'R-77', [{ sku: 'SKU-1', qty: 4 }])]);
  });

  it('keeps accepting returns against a receipt known only from earlier returns', () => {
    const { otherTill } = producers();
    givenStore([otherTill.next(returned('RET-1', 'R-77', [{ sku: 'SKU-1', qty: 1 }]))], HERE)
      .when({ type: 'RecordReturn', data: returned('RET-2', 'R-77', [{ sku: 'SKU-1', qty: 1 }]).data })
      .thenEmits([returned('RET-2', 'R-77', [{ sku: 'SKU-1', qty: 1 }])]);
  });

  it('accepts a return without a receipt', () => {
    givenStore([soldTwo()], HERE)
      .when({ type: 'RecordReturn', data: returned('RET-1', undefined, [{ sku: 'SKU-9', qty: 1 }]).data })
      .thenEmits([returned('RET-1', undefined, [{ sku: 'SKU-9', qty: 1 }])]);
  });

  it('checks the receipt of this store only', () => {
    const { otherStore } = producers();
    givenStore([otherStore.next(sale('R-1', [{ sku: 'SKU-1', qty: 1, unitPriceCents: 100 }]))], HERE)
      .when({ type: 'RecordReturn', data: returned('RET-1', 'R-1', [{ sku: 'SKU-1', qty: 5 }]).data })
      .thenEmits([returned('RET-1', 'R-1', [{ sku: 'SKU-1', qty: 5 }])]);
  });
});

describe('ReceiveGoods', () => {
  it('records the goods received, with what was expected', () => {
    const data = { purchaseOrderId: 'PO-1', lines: [{ sku: 'SKU-1', qty: 9, expectedQty: 10 }] };
    givenStore([], HERE)
      .when({ type: 'ReceiveGoods', data })
      .thenEmits([{ type: 'GoodsReceived', data }]);
  });
});

describe('ShipTransfer', () => {
  const data = { transferId: 'T-1', to: 'store-2', lines: [{ sku: 'SKU-1', qty: 3 }] };
  const defined = (location: string) => ({
    type: 'LocationDefined' as const,
    data: { location, region: 'north', kind: 'store' as const, name: location },
  });

  it('ships to another known location', () => {
    const { hub } = producers();
    givenStore([hub.next(defined('store-1')), hub.next(defined('store-2'))], HERE)
      .when({ type: 'ShipTransfer', data })
      .thenEmits([{ type: 'TransferShipped', data }]);
  });

  it('ships anywhere when this node has no master data yet', () => {
    givenStore([], HERE)
      .when({ type: 'ShipTransfer', data })
      .thenEmits([{ type: 'TransferShipped', data }]);
  });

  it('refuses a transfer to itself', () => {
    givenStore([], HERE)
      .when({ type: 'ShipTransfer', data: { ...data, to: 'store-1' } })
      .thenRejects('TransferToSelf');
  });

  it('refuses a destination the master data does not know', () => {
    const { hub } = producers();
    givenStore([hub.next(defined('store-1'))], HERE)
      .when({ type: 'ShipTransfer', data })
      .thenRejects('UnknownLocation', /store-2/);
  });

  it('refuses shipping the same transfer twice', () => {
    const { otherTill } = producers();
    givenStore([otherTill.next({ type: 'TransferShipped', data })], HERE)
      .when({ type: 'ShipTransfer', data })
      .thenRejects('DuplicateTransfer', /T-1/);
  });
});

describe('ReceiveTransfer', () => {
  const shipped = { transferId: 'T-1', to: 'store-1', lines: [{ sku: 'SKU-1', qty: 3 }] };
  const receive = { transferId: 'T-1', from: 'store-2', lines: [{ sku: 'SKU-1', qty: 2 }] };

  it('receives a shipped transfer, short or not', () => {
    const { otherStore } = producers();
    givenStore([otherStore.next({ type: 'TransferShipped', data: shipped })], HERE)
      .when({ type: 'ReceiveTransfer', data: receive })
      .thenEmits([{ type: 'TransferReceived', data: receive }]);
  });

  it('receives a transfer whose shipment has not synced yet', () => {
    givenStore([], HERE)
      .when({ type: 'ReceiveTransfer', data: receive })
      .thenEmits([{ type: 'TransferReceived', data: receive }]);
  });

  it('refuses receiving the same transfer twice', () => {
    const { otherTill } = producers();
    givenStore([otherTill.next({ type: 'TransferReceived', data: receive })], HERE)
      .when({ type: 'ReceiveTransfer', data: receive })
      .thenRejects('TransferAlreadyReceived');
  });

  it('refuses a transfer shipped to another location', () => {
    const { otherStore } = producers();
    givenStore([otherStore.next({ type: 'TransferShipped', data: { ...shipped, to: 'store-3' } })], HERE)
      .when({ type: 'ReceiveTransfer', data: receive })
      .thenRejects('TransferNotForThisLocation', /store-3/);
  });

  it('refuses a transfer that came from somewhere else than it says', () => {
    const { otherStore } = producers();
    givenStore([otherStore.next({ type: 'TransferShipped', data: shipped })], HERE)
      .when({ type: 'ReceiveTransfer', data: { ...receive, from: 'store-4' } })
      .thenRejects('TransferNotForThisLocation', /store-2/);
  });
});

describe('AdjustStock', () => {
  const adjust = (reason: 'damage' | 'theft' | 'found' | 'correction' | 'expiry', delta: number) => ({
    adjustmentId: 'ADJ-1',
    reason,
    lines: [{ sku: 'SKU-1', delta }],
  });

  it.each(['damage', 'theft', 'expiry'] as const)('records %s removing stock', (reason) => {
    givenStore([], HERE)
      .when({ type: 'AdjustStock', data: adjust(reason, -2) })
      .thenEmits([{ type: 'StockAdjusted', data: adjust(reason, -2) }]);
  });

  it.each(['damage', 'theft', 'expiry'] as const)('refuses %s adding stock', (reason) => {
    givenStore([], HERE)
      .when({ type: 'AdjustStock', data: adjust(reason, 2) })
      .thenRejects('InvalidAdjustment', /must be negative/);
  });

  it('records found stock as positive', () => {
    givenStore([], HERE)
      .when({ type: 'AdjustStock', data: adjust('found', 4) })
      .thenEmits([{ type: 'StockAdjusted', data: adjust('found', 4) }]);
  });

  it('refuses found stock that removes units', () => {
    givenStore([], HERE)
      .when({ type: 'AdjustStock', data: adjust('found', -4) })
      .thenRejects('InvalidAdjustment', /must be positive/);
  });

  it.each([3, -3])('records a correction either way (%i)', (delta) => {
    givenStore([], HERE)
      .when({ type: 'AdjustStock', data: adjust('correction', delta) })
      .thenEmits([{ type: 'StockAdjusted', data: adjust('correction', delta) }]);
  });

  it('refuses the whole document when one line has the wrong sign', () => {
    givenStore([], HERE)
      .when({
        type: 'AdjustStock',
        data: {
          adjustmentId: 'ADJ-1',
          reason: 'theft',
          lines: [
            { sku: 'SKU-1', delta: -1 },
            { sku: 'SKU-2', delta: 1 },
          ],
        },
      })
      .thenRejects('InvalidAdjustment', /SKU-2/);
  });
});

describe('RecordCount', () => {
  it('records the counted quantities', () => {
    const data = { countId: 'C-1', area: 'aisle 3', lines: [{ sku: 'SKU-1', countedQty: 0 }] };
    givenStore([], HERE)
      .when({ type: 'RecordCount', data })
      .thenEmits([{ type: 'CycleCounted', data }]);
  });

  const data = { countId: 'C-2', lines: [{ sku: 'SKU-1', countedQty: 4 }] };
  const withClock = (skewMs: number): StoreCommandMetadata => ({ ...HERE, clock: { skewMs, maxSkewMs: 300_000 } });

  it('is refused while the till’s clock is further ahead of the hub than the hub accepts', () => {
    givenStore([], withClock((3 * 60 + 12) * 60_000))
      .when({ type: 'RecordCount', data })
      .thenRejects('ClockSkew', /^This till's clock is 3 h 12 min ahead of the hub\. .*Sales are still recorded\.$/);
  });

  it('is refused while the till’s clock is behind by more than that too', () => {
    givenStore([], withClock(-20 * 60_000))
      .when({ type: 'RecordCount', data })
      .thenRejects('ClockSkew', /20 min behind the hub/);
  });

  it('is recorded with a clock within the bound, or one not checked yet (offline)', () => {
    givenStore([], withClock(300_000))
      .when({ type: 'RecordCount', data })
      .thenEmits([{ type: 'CycleCounted', data }]);
    givenStore([], HERE)
      .when({ type: 'RecordCount', data })
      .thenEmits([{ type: 'CycleCounted', data }]);
  });

  it('leaves sales, returns and receipts alone however wrong the clock is', () => {
    const wrong = withClock(75 * 365 * 86_400_000);
    const line = { sku: 'SKU-1', qty: 1, unitPriceCents: 100 };
    givenStore([], wrong)
      .when({ type: 'RecordSale', data: { receiptId: 'R-9', currency: 'EUR', lines: [line] } })
      .thenEmits([sale('R-9', [line])]);
    givenStore([], wrong)
      .when({
        type: 'RecordReturn',
        data: { returnId: 'RET-9', lines: [{ sku: 'SKU-1', qty: 1, restockTo: 'sellable' }] },
      })
      .thenEmits([returned('RET-9', undefined, [{ sku: 'SKU-1', qty: 1 }])]);
    givenStore([], wrong)
      .when({ type: 'ReceiveGoods', data: { purchaseOrderId: 'PO-9', lines: [{ sku: 'SKU-1', qty: 5 }] } })
      .thenEmits([{ type: 'GoodsReceived', data: { purchaseOrderId: 'PO-9', lines: [{ sku: 'SKU-1', qty: 5 }] } }]);
  });
});

describe('pickups', () => {
  const lines = [{ sku: 'SKU-1', qty: 2 }];
  const placed = (location = 'store-1') => ({
    type: 'PickupOrderPlaced' as const,
    data: { pickupId: 'P-1', channel: 'web', location, orderRef: 'W-100', lines },
  });

  it('picks an open pickup order with its lines', () => {
    const { hub } = producers();
    givenStore([hub.next(placed())], HERE)
      .when({ type: 'PickPickup', data: { pickupId: 'P-1' } })
      .thenEmits([{ type: 'PickupPicked', data: { pickupId: 'P-1', lines } }]);
  });

  it('emits nothing when the order was already picked', () => {
    const { hub, otherTill } = producers();
    givenStore([hub.next(placed()), otherTill.next({ type: 'PickupPicked', data: { pickupId: 'P-1', lines } })], HERE)
      .when({ type: 'PickPickup', data: { pickupId: 'P-1' } })
      .thenEmits([]);
  });

  it('hands over an open pickup order, picked or not', () => {
    const { hub } = producers();
    givenStore([hub.next(placed())], HERE)
      .when({ type: 'HandOverPickup', data: { pickupId: 'P-1' } })
      .thenEmits([{ type: 'PickupHandedOver', data: { pickupId: 'P-1', lines } }]);
  });

  it('rejects an open pickup order with a reason', () => {
    const { hub } = producers();
    const data = {
      pickupId: 'P-1',
      reason: 'item-not-found' as const,
      note: 'not on shelf',
      missing: [{ sku: 'SKU-1', qty: 1 }],
    };
    givenStore([hub.next(placed())], HERE)
      .when({ type: 'RejectPickup', data })
      .thenEmits([{ type: 'PickupRejected', data }]);
  });

  describe.each([
    ['PickPickup', { pickupId: 'P-1' }],
    ['HandOverPickup', { pickupId: 'P-1' }],
    ['RejectPickup', { pickupId: 'P-1', reason: 'other' }],
  ] as const)('%s', (type, data) => {
    const command = { type, data } as StoreCommand;

    it('refuses an unknown pickup', () => {
      givenStore([], HERE).when(command).thenRejects('UnknownPickup', /P-1/);
    });

    it('refuses a pickup known only from store events (the order has not arrived)', () => {
      const { otherTill } = producers();
      givenStore([otherTill.next({ type: 'PickupPicked', data: { pickupId: 'P-1', lines } })], HERE)
        .when(command)
        .thenRejects('UnknownPickup');
    });

    it('refuses a pickup for another store', () => {
      const { hub } = producers();
      givenStore([hub.next(placed('store-2'))], HERE)
        .when(command)
        .thenRejects('PickupNotAtThisLocation', /store-2/);
    });

    it('refuses a pickup already handed over', () => {
      const { hub, otherTill } = producers();
      givenStore(
        [hub.next(placed()), otherTill.next({ type: 'PickupHandedOver', data: { pickupId: 'P-1', lines } })],
        HERE,
      )
        .when(command)
        .thenRejects('PickupNotOpen', /handed-over/);
    });

    it('refuses a pickup already rejected', () => {
      const { hub, otherTill } = producers();
      givenStore(
        [hub.next(placed()), otherTill.next({ type: 'PickupRejected', data: { pickupId: 'P-1', reason: 'damaged' } })],
        HERE,
      )
        .when(command)
        .thenRejects('PickupNotOpen', /rejected/);
    });
  });
});

describe('decideStoreCommand', () => {
  it('throws on a command type it does not know: a programming error, not bad input', () => {
    const bogus = { type: 'Teleport', data: {} } as unknown as StoreCommand;
    expect(() => givenStore([], HERE).when(bogus)).toThrow(/unknown command/);
  });
});
