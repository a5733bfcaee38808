import { VELOCITY_DAYS } from '@stocknerve/domain';

// The definitions behind the reports' replenishment figures; stock health, velocity and cover are the
// domain's (health/stock-status.ts), so that pages, CSV and tests agree. Days are UTC dates, as
// daily_sales keys them (the UTC date of a sale's occurredAt).

export {
  daysOfCover,
  OVERSTOCK_COVER_DAYS,
  OVERSTOCK_SALES_MULTIPLE,
  type StockHealth,
  stockHealthOf,
  VELOCITY_DAYS,
  velocityOf,
} from '@stocknerve/domain';

const DAY_MS = 86_400_000;

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
