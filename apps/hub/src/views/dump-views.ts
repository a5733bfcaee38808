import { VIEW_TABLE_NAMES } from '../store/schema.js';
import type { SqlStore } from '../store/sql-store.js';

/**
 * Every row of every view table in a stable order: two dumps are equal exactly when the views are.
 * For tests (rebuild equals live) and the chaos check.
 */
export const dumpViews = (db: SqlStore): Record<string, unknown[]> =>
  Object.fromEntries(
    VIEW_TABLE_NAMES.map((table) => {
      const rows = db.all<Record<string, unknown>>(`SELECT * FROM ${table}`);
      const keyed = rows.map(
        (r) => [JSON.stringify(Object.entries(r).sort(([a], [b]) => a.localeCompare(b))), r] as const,
      );
      keyed.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return [table, keyed.map(([, r]) => r)];
    }),
  );

/** Stock figures per `location/sku`, as the pure projection's `stockFiguresOf` names them. */
export const stockFiguresByCell = (db: SqlStore) =>
  new Map(
    db
      .all<{
        location: string;
        sku: string;
        on_hand: number;
        reserved: number;
        damaged: number;
        in_transit: number;
        safety_stock: number;
      }>('SELECT location, sku, on_hand, reserved, damaged, in_transit, safety_stock FROM stock')
      .map((r) => [
        `${r.location}/${r.sku}`,
        {
          onHand: r.on_hand,
          reserved: r.reserved,
          damaged: r.damaged,
          inTransit: r.in_transit,
          safetyStock: r.safety_stock,
        },
      ]),
  );
