import { describe, expect, it } from 'vitest';
import { daysOfCover, replenishmentNeed, salesWindow, stockHealthOf, surplusOf, velocityOf } from './stock-health.js';

const store = (onHand: number, sold: number, safetyStock = 0) => ({
  onHand,
  sold,
  safetyStock,
  kind: 'store' as const,
});

describe('stock health definitions', () => {
  it('measures velocity over 28 UTC days ending today', () => {
    const w = salesWindow(Date.parse('2026-03-10T23:59:00Z'));
    expect(w.today).toBe('2026-03-10');
    expect(w.from).toBe('2026-02-11');
    expect(w.dayList).toHaveLength(28);
    expect(velocityOf(56)).toBe(2);
  });

  it('days of cover: 0 without stock, forever without sales', () => {
    expect(daysOfCover(0, 3)).toBe(0);
    expect(daysOfCover(-2, 3)).toBe(0);
    expect(daysOfCover(10, 0)).toBeNull();
    expect(daysOfCover(10, 2)).toBe(5);
  });

  it('puts each cell in one bucket: stockout, below safety, overstock, healthy', () => {
    expect(stockHealthOf(store(0, 10, 3))).toBe('stockout');
    expect(stockHealthOf(store(2, 10, 3))).toBe('below-safety');
    // 28 sold in 28 days: 1/day; 61 on hand = 61 days of cover.
    expect(stockHealthOf(store(61, 28))).toBe('overstock');
    expect(stockHealthOf(store(60, 28))).toBe('healthy');
    // Nothing sold, something on the shelf: more than 4 × 0.
    expect(stockHealthOf(store(1, 0))).toBe('overstock');
    expect(stockHealthOf({ ...store(500, 0), kind: 'warehouse' })).toBe('healthy');
  });

  it('surplus keeps reservations, safety stock and 14 days of cover', () => {
    expect(surplusOf({ onHand: 40, reserved: 3, safetyStock: 2 }, 1.5)).toBe(40 - 3 - 2 - 21);
    expect(surplusOf({ onHand: 5, reserved: 0, safetyStock: 0 }, 1)).toBe(0);
  });

  it('replenishment need tops up to 14 days, counting stock in transit', () => {
    expect(replenishmentNeed({ onHand: 2, inTransit: 3 }, 1)).toBe(9);
    expect(replenishmentNeed({ onHand: -4, inTransit: 0 }, 0.5)).toBe(7);
  });
});
