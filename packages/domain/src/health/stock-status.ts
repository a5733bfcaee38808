// The stock-health definitions every report and its tests share, in the domain so that a page, its
// CSV and an independent fold of the events agree by construction.

/** Days of sales behind a velocity; the window ends today and includes it. Default 28. */
export const VELOCITY_DAYS = 28;
/** A store SKU with more days of cover than this is overstocked. */
export const OVERSTOCK_COVER_DAYS = 60;
/** A store SKU with more on hand than this multiple of its window's sales is overstocked (catches SKUs that sold nothing). */
export const OVERSTOCK_SALES_MULTIPLE = 4;

/** Units per day over the window. */
export const velocityOf = (unitsSold: number, days = VELOCITY_DAYS): number => unitsSold / days;

/** How many days on hand lasts at a velocity: 0 when nothing is on hand, null (forever) when nothing sells. */
export const daysOfCover = (onHand: number, velocity: number): number | null => {
  if (onHand <= 0) return 0;
  return velocity > 0 ? onHand / velocity : null;
};

/**
 * Stock health of a SKU at a location; each cell is in one bucket, checked in this order:
 * - `stockout`: on hand ≤ 0, at a store or a warehouse;
 * - `below-safety`: a safety stock is set and on hand is under it;
 * - `overstock` (stores only, warehouses hold stock for others): days of cover > 60 or on hand > 4 × the
 *   window's sales (so a SKU that sold nothing in 28 days with stock on the shelf is overstock);
 * - `healthy`: everything else.
 */
export type StockHealth = 'stockout' | 'below-safety' | 'overstock' | 'healthy';

/** The figures of a cell that decide its health. */
export interface StockHealthFigures {
  readonly onHand: number;
  readonly safetyStock: number;
  /** Units sold in the velocity window. */
  readonly sold: number;
  readonly kind: 'store' | 'warehouse';
}

export const stockHealthOf = (cell: StockHealthFigures): StockHealth => {
  if (cell.onHand <= 0) return 'stockout';
  if (cell.safetyStock > 0 && cell.onHand < cell.safetyStock) return 'below-safety';
  if (cell.kind === 'store') {
    const cover = daysOfCover(cell.onHand, velocityOf(cell.sold));
    if (cover === null || cover > OVERSTOCK_COVER_DAYS || cell.onHand > OVERSTOCK_SALES_MULTIPLE * cell.sold)
      return 'overstock';
  }
  return 'healthy';
};
