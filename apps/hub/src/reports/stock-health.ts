// The definitions behind every stock figure of the reports, in one place so that pages, CSV and
// tests agree. Days are UTC dates, as daily_sales keys them (the UTC date of a sale's occurredAt).

const DAY_MS = 86_400_000;

/** Days of sales behind a velocity; the window ends today and includes it. Default 28. */
export const VELOCITY_DAYS = 28;
/** A store SKU with more days of cover than this is overstocked. */
export const OVERSTOCK_COVER_DAYS = 60;
/** A store SKU with more on hand than this multiple of its window's sales is overstocked (catches SKUs that sold nothing). */
export const OVERSTOCK_SALES_MULTIPLE = 4;
/** Days of cover a location keeps for its own sales before the rest counts as surplus it can transfer. */
export const SURPLUS_COVER_DAYS = 14;
/** Replenishment tops a short store up to this many days of cover. */
export const TARGET_COVER_DAYS = 14;
/** Default low-stock threshold, days of cover. */
export const DEFAULT_LOW_COVER_DAYS = 7;

/** The days a velocity is measured over. */
export interface SalesWindow {
  /** Today (UTC), YYYY-MM-DD. */
  readonly today: string;
  /** First day of the window, YYYY-MM-DD. */
  readonly from: string;
  readonly days: number;
  /** Every day of the window, oldest first. */
  readonly dayList: readonly string[];
}

/** The UTC date of a time, YYYY-MM-DD. */
export const utcDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** The `days` UTC days ending today. */
export const salesWindow = (nowMs: number, days = VELOCITY_DAYS): SalesWindow => {
  const todayStart = Math.floor(nowMs / DAY_MS) * DAY_MS;
  const dayList = Array.from({ length: days }, (_, i) => utcDay(todayStart - (days - 1 - i) * DAY_MS));
  return { today: utcDay(todayStart), from: dayList[0] ?? utcDay(todayStart), days, dayList };
};

/** Units per day over the window. */
export const velocityOf = (unitsSold: number, days = VELOCITY_DAYS): number => unitsSold / days;

/** How many days on hand lasts at a velocity: 0 when nothing is on hand, null (forever) when nothing sells. */
export const daysOfCover = (onHand: number, velocity: number): number | null => {
  if (onHand <= 0) return 0;
  return velocity > 0 ? onHand / velocity : null;
};

/**
 * Stock health of a SKU at a location; each cell is in one bucket, checked in this order:
 * - `stockout`: on hand ≤ 0;
 * - `below-safety`: a safety stock is set and on hand is under it;
 * - `overstock` (stores only, warehouses hold stock for others): days of cover > 60 or on hand > 4 × the
 *   window's sales (so a SKU that sold nothing in 28 days with stock on the shelf is overstock);
 * - `healthy`: everything else.
 */
export type StockHealth = 'stockout' | 'below-safety' | 'overstock' | 'healthy';

export const stockHealthOf = (cell: {
  readonly onHand: number;
  readonly safetyStock: number;
  readonly sold: number;
  readonly kind: 'store' | 'warehouse';
}): StockHealth => {
  if (cell.onHand <= 0) return 'stockout';
  if (cell.safetyStock > 0 && cell.onHand < cell.safetyStock) return 'below-safety';
  if (cell.kind === 'store') {
    const cover = daysOfCover(cell.onHand, velocityOf(cell.sold));
    if (cover === null || cover > OVERSTOCK_COVER_DAYS || cell.onHand > OVERSTOCK_SALES_MULTIPLE * cell.sold)
      return 'overstock';
  }
  return 'healthy';
};

/**
 * What a location can give away without hurting itself: on hand beyond reservations, safety stock and
 * its own 14 days of cover, never below 0.
 */
export const surplusOf = (
  cell: { readonly onHand: number; readonly reserved: number; readonly safetyStock: number },
  velocity: number,
): number => Math.max(0, cell.onHand - cell.reserved - cell.safetyStock - Math.ceil(velocity * SURPLUS_COVER_DAYS));

/** Units a store needs to get back to the target cover, counting what is already on its way. */
export const replenishmentNeed = (
  cell: { readonly onHand: number; readonly inTransit: number },
  velocity: number,
): number => Math.ceil(velocity * TARGET_COVER_DAYS) - Math.max(0, cell.onHand) - cell.inTransit;
