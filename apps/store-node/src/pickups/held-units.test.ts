import { describe, expect, it } from 'vitest';
import { type Hold, holdsBySku, type OpenPickup, sellingWarnings, shortages } from './held-units.js';

const open = (orderRef: string, placedAt: string, lines: { sku: string; qty: number }[], customerName?: string) =>
  ({
    pickup: {
      pickupId: `pk-${orderRef}`,
      order: { orderRef, channel: 'web', location: 'store-1', lines, ...(customerName ? { customerName } : {}) },
      picked: false,
      completion: null,
    },
    placedAt,
  }) as unknown as OpenPickup;

describe('units held for pickup orders', () => {
  const held = holdsBySku([
    open('W-2', '2026-01-02', [{ sku: 'A', qty: 3 }]),
    open('W-1', '2026-01-01', [{ sku: 'A', qty: 2 }], 'Jane D.'),
  ]);

  it('lists holds per SKU, earliest order first', () => {
    expect(held.get('A')).toEqual([
      { orderRef: 'W-1', customerName: 'Jane D.', qty: 2 },
      { orderRef: 'W-2', customerName: null, qty: 3 },
    ]);
  });

  it('finds the orders the on-hand no longer covers, the latest first', () => {
    const order = (ref: string) => ({ orderRef: ref, lines: [{ sku: 'A', qty: ref === 'W-1' ? 2 : 3 }] });
    expect(shortages(order('W-1'), held, () => 4)).toEqual([]);
    expect(shortages(order('W-2'), held, () => 4)).toEqual([{ sku: 'A', missing: 1 }]);
    expect(shortages(order('W-1'), held, () => 1)).toEqual([{ sku: 'A', missing: 1 }]);
    expect(shortages(order('W-2'), held, () => 0)).toEqual([{ sku: 'A', missing: 3 }]);
  });
});

describe('sellingWarnings', () => {
  const jane: Hold = { orderRef: '1234', customerName: 'Jane D.', qty: 2 };

  it('is silent when the free units cover the sale', () => {
    expect(sellingWarnings(3, 5, [jane])).toEqual([]);
  });

  it('names the order whose held units are sold', () => {
    expect(sellingWarnings(4, 5, [jane])).toEqual(['1 of these is held for pickup order 1234 (Jane D.).']);
    expect(sellingWarnings(2, 2, [jane])).toEqual(['2 of these are held for pickup order 1234 (Jane D.).']);
  });

  it('warns when the sale is more than the known on-hand', () => {
    expect(sellingWarnings(3, 2, [])).toEqual(['Only 2 on hand here: check the shelf count after this sale.']);
  });
});
