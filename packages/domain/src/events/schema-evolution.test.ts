import { describe, expect, it } from 'vitest';
import { foldEvents } from '../projection/apply-event.js';
import { initialInventoryState } from '../projection/state.js';
import { stockFiguresOf } from '../projection/view.js';
import { eventFactory } from '../testing/event-factory.js';
import { currentVersionOf, type InventoryEvent, parseEventJson, readableSchemas } from './registry.js';

/**
 * A StockAdjusted v1 event exactly as a store node wrote it to its log before v2 (several SKUs per
 * document) existed. Do not regenerate it from code: it stands for events already stored.
 */
const STORED_V1_DAMAGE = `{
  "id": "019b76db-9a48-7c1e-8a3f-2b4c6d8e0f12",
  "location": "store-1",
  "node": "store-1-t1",
  "seq": 42,
  "hlc": "001767225662024-000000-store-1-t1",
  "occurredAt": "2026-01-01T00:01:02.024Z",
  "correlationId": "corr-store-1-t1-42",
  "type": "StockAdjusted",
  "version": 1,
  "data": { "adjustmentId": "ADJ-7", "sku": "SKU-1", "delta": -3, "reason": "damage" }
}`;

const parsed = (text: string): InventoryEvent => {
  const result = parseEventJson(text);
  if (!result.ok) throw new Error(result.message);
  return result.event;
};

describe('a v1 event stored today after v2 exists', () => {
  it('is still readable: StockAdjusted is at v2 and v1 is registered as readable', () => {
    expect(currentVersionOf('StockAdjusted')).toBe(2);
    expect(
      readableSchemas()
        .filter((s) => s.type === 'StockAdjusted')
        .map((s) => [s.version, s.current]),
    ).toEqual([
      [1, false],
      [2, true],
    ]);
  });

  it('parses into the current version, with the single SKU as its one line', () => {
    const result = parseEventJson(STORED_V1_DAMAGE);
    expect(result).toEqual({
      ok: true,
      upcastFrom: 1,
      event: {
        id: '019b76db-9a48-7c1e-8a3f-2b4c6d8e0f12',
        location: 'store-1',
        node: 'store-1-t1',
        seq: 42,
        hlc: '001767225662024-000000-store-1-t1',
        occurredAt: '2026-01-01T00:01:02.024Z',
        correlationId: 'corr-store-1-t1-42',
        type: 'StockAdjusted',
        version: 2,
        data: { adjustmentId: 'ADJ-7', reason: 'damage', lines: [{ sku: 'SKU-1', delta: -3 }] },
      },
    });
  });

  it('still projects: the damaged units leave on hand and enter damaged', () => {
    const store = eventFactory({ location: 'store-1', node: 'store-1-t1' });
    const received = store.next({
      type: 'GoodsReceived',
      data: { purchaseOrderId: 'PO-1', lines: [{ sku: 'SKU-1', qty: 10 }] },
    });
    const state = foldEvents([received, parsed(STORED_V1_DAMAGE)], initialInventoryState());
    expect(stockFiguresOf(state, 'SKU-1', 'store-1')).toEqual({
      onHand: 7,
      reserved: 0,
      damaged: 3,
      inTransit: 0,
      safetyStock: 0,
    });
  });

  it('projects exactly like the same adjustment written as v2', () => {
    const v2 = JSON.parse(STORED_V1_DAMAGE);
    v2.version = 2;
    v2.data = { adjustmentId: 'ADJ-7', reason: 'damage', lines: [{ sku: 'SKU-1', delta: -3 }] };
    const fromV1 = foldEvents([parsed(STORED_V1_DAMAGE)], initialInventoryState());
    const fromV2 = foldEvents([parsed(JSON.stringify(v2))], initialInventoryState());
    expect(stockFiguresOf(fromV1, 'SKU-1', 'store-1')).toEqual(stockFiguresOf(fromV2, 'SKU-1', 'store-1'));
  });

  it('is the same event when delivered again as v1 and as v2: applied once', () => {
    const v2 = JSON.parse(STORED_V1_DAMAGE);
    v2.version = 2;
    v2.data = { adjustmentId: 'ADJ-7', reason: 'damage', lines: [{ sku: 'SKU-1', delta: -3 }] };
    const state = foldEvents([parsed(STORED_V1_DAMAGE), parsed(JSON.stringify(v2))], initialInventoryState());
    expect(stockFiguresOf(state, 'SKU-1', 'store-1').onHand).toBe(-3);
  });
});

/** A SaleRecorded v1, as tills wrote it before they took payment. Stands for events already stored. */
const STORED_V1_SALE = `{
  "id": "019b76db-9a48-7c1e-8a3f-2b4c6d8e0f13",
  "location": "store-1",
  "node": "store-1-t1",
  "seq": 43,
  "hlc": "001767225663000-000000-store-1-t1",
  "occurredAt": "2026-01-01T00:01:03.000Z",
  "correlationId": "corr-store-1-t1-43",
  "type": "SaleRecorded",
  "version": 1,
  "data": { "receiptId": "R-7", "currency": "EUR", "lines": [{ "sku": "SKU-1", "qty": 2, "unitPriceCents": 250 }], "totalCents": 500 }
}`;

describe('a SaleRecorded v1 stored before tenders existed', () => {
  it('is read as v2 with no tenders: how it was paid is unknown, not guessed', () => {
    expect(currentVersionOf('SaleRecorded')).toBe(2);
    const result = parseEventJson(STORED_V1_SALE);
    expect(result).toMatchObject({ ok: true, upcastFrom: 1, event: { type: 'SaleRecorded', version: 2 } });
    if (!result.ok || result.event.type !== 'SaleRecorded') throw new Error('not a sale');
    expect(result.event.data).toEqual({
      receiptId: 'R-7',
      currency: 'EUR',
      lines: [{ sku: 'SKU-1', qty: 2, unitPriceCents: 250 }],
      totalCents: 500,
    });
  });

  it('projects exactly like the same sale written as v2 with its tenders', () => {
    const v2 = JSON.parse(STORED_V1_SALE);
    v2.version = 2;
    v2.data.tenders = [{ method: 'cash', amountCents: 500, givenCents: 1000 }];
    const fromV1 = foldEvents([parsed(STORED_V1_SALE)], initialInventoryState());
    const fromV2 = foldEvents([parsed(JSON.stringify(v2))], initialInventoryState());
    expect(stockFiguresOf(fromV1, 'SKU-1', 'store-1')).toEqual(stockFiguresOf(fromV2, 'SKU-1', 'store-1'));
    expect(stockFiguresOf(fromV2, 'SKU-1', 'store-1').onHand).toBe(-2);
  });
});
