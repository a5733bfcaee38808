import { describe, expect, it } from 'vitest';
import type { DecidedEvent } from '../deciders/decision.js';
import type { InventoryEvent } from '../events/registry.js';
import { eventFactory } from '../testing/event-factory.js';
import { foldEvents } from './apply-event.js';
import { initialInventoryState } from './state.js';
import { stockFiguresOf } from './view.js';

// A cycle count says how many sellable units were on the shelf at its HLC. Deltas made before it are
// inside the counted number; deltas made after it apply on top; whatever order they arrive in.

const counted = (qty: number, countId = `C-${qty}`): DecidedEvent => ({
  type: 'CycleCounted',
  data: { countId, lines: [{ sku: 'SKU-1', countedQty: qty }] },
});
const received = (qty: number): DecidedEvent => ({
  type: 'GoodsReceived',
  data: { purchaseOrderId: `PO-${qty}`, lines: [{ sku: 'SKU-1', qty }] },
});
const sold = (qty: number): DecidedEvent => ({
  type: 'SaleRecorded',
  data: { receiptId: `R-${qty}`, currency: 'EUR', lines: [{ sku: 'SKU-1', qty, unitPriceCents: 1 }], totalCents: qty },
});

const T0 = Date.UTC(2026, 0, 1, 10);

/** The event as terminal `node` of store-1 made it `second`s after T0: its HLC says when. */
const madeAt = (second: number, decided: DecidedEvent, node = 'store-1-t1') =>
  eventFactory({ location: 'store-1', node, startMs: T0 + second * 1000, stepMs: 0 }).next(decided);

const onHand = (arrival: readonly InventoryEvent[]) =>
  stockFiguresOf(foldEvents(arrival, initialInventoryState()), 'SKU-1', 'store-1').onHand;

describe('cycle counts', () => {
  it('set on hand to the counted quantity, subsuming every earlier delta', () => {
    expect(onHand([madeAt(1, received(10)), madeAt(2, sold(3)), madeAt(3, counted(5))])).toBe(5);
  });

  it('still subsume an earlier delta that arrives after the count', () => {
    const offlineSale = madeAt(1, sold(3), 'store-1-t2');
    const count = madeAt(2, counted(5));
    expect(onHand([count, offlineSale])).toBe(5);
    expect(onHand([offlineSale, count])).toBe(5);
  });

  it('apply deltas made after the count on top of it, whether they arrive before or after it', () => {
    const count = madeAt(1, counted(5));
    const laterSale = madeAt(2, sold(2), 'store-1-t2');
    const laterReceipt = madeAt(3, received(4));
    expect(onHand([count, laterSale, laterReceipt])).toBe(7);
    expect(onHand([laterSale, laterReceipt, count])).toBe(7);
    expect(onHand([laterSale, count, laterReceipt])).toBe(7);
  });

  it('the latest count by HLC wins', () => {
    const first = madeAt(1, counted(5, 'C-1'));
    const between = madeAt(2, sold(1));
    const second = madeAt(3, counted(9, 'C-2'), 'store-1-t2');
    const after = madeAt(4, sold(2));
    expect(onHand([first, between, second, after])).toBe(7);
    expect(onHand([after, second, between, first])).toBe(7);
  });

  it('a late-arriving older count is ignored', () => {
    const older = madeAt(1, counted(50, 'C-old'), 'store-1-t2');
    const newer = madeAt(2, counted(9, 'C-new'));
    const after = madeAt(3, sold(2));
    expect(onHand([newer, after, older])).toBe(7);
    expect(onHand([older, newer, after])).toBe(7);
  });

  it('break a same-millisecond tie by HLC counter and node', () => {
    const t1 = eventFactory({ location: 'store-1', node: 'store-1-t1', startMs: T0, stepMs: 0 });
    const t2 = eventFactory({ location: 'store-1', node: 'store-1-t2', startMs: T0, stepMs: 0 });
    const countT1 = t1.next(counted(5));
    const saleT2 = t2.next(sold(1));
    expect(countT1.hlc < saleT2.hlc).toBe(true);
    expect(onHand([saleT2, countT1])).toBe(4);
    expect(onHand([countT1, saleT2])).toBe(4);
  });

  it('count each SKU of the document on its own and leave other SKUs alone', () => {
    const state = foldEvents(
      [
        madeAt(1, {
          type: 'GoodsReceived',
          data: {
            purchaseOrderId: 'PO-1',
            lines: [
              { sku: 'SKU-1', qty: 10 },
              { sku: 'SKU-2', qty: 10 },
              { sku: 'SKU-3', qty: 10 },
            ],
          },
        }),
        madeAt(2, {
          type: 'CycleCounted',
          data: {
            countId: 'C-1',
            area: 'aisle 1',
            lines: [
              { sku: 'SKU-1', countedQty: 4 },
              { sku: 'SKU-2', countedQty: 0 },
            ],
          },
        }),
      ],
      initialInventoryState(),
    );
    expect([1, 2, 3].map((n) => stockFiguresOf(state, `SKU-${n}`, 'store-1').onHand)).toEqual([4, 0, 10]);
  });

  it('count sellable units only: damaged units are untouched', () => {
    const figures = stockFiguresOf(
      foldEvents(
        [
          madeAt(1, {
            type: 'ReturnRecorded',
            data: { returnId: 'RET-1', lines: [{ sku: 'SKU-1', qty: 2, restockTo: 'damaged' }] },
          }),
          madeAt(2, counted(6)),
        ],
        initialInventoryState(),
      ),
      'SKU-1',
      'store-1',
    );
    expect(figures).toEqual({ onHand: 6, reserved: 0, damaged: 2, inTransit: 0, safetyStock: 0 });
  });

  it('are per location: a count at one store leaves another alone', () => {
    const elsewhere = eventFactory({ location: 'store-2', node: 'store-2-t1', startMs: T0 }).next(received(8));
    const state = foldEvents([elsewhere, madeAt(5, counted(1))], initialInventoryState());
    expect(stockFiguresOf(state, 'SKU-1', 'store-2').onHand).toBe(8);
  });
});
