import type { SqlStore } from '../store/sql-store.js';

/** A SKU's figures at one location. */
export interface StockLine {
  readonly sku: string;
  /** Catalog name, null when the SKU is not in the catalog. */
  readonly name: string | null;
  readonly onHand: number;
  readonly reserved: number;
  readonly safetyStock: number;
  /** on hand − reserved − safety stock. */
  readonly available: number;
  readonly damaged: number;
  readonly inTransit: number;
  /** HLC of the latest cycle count, null when never counted. */
  readonly countHlc: string | null;
  /** HLC of the newest on-hand movement or count. */
  readonly lastHlc: string | null;
}

export interface StockPage {
  readonly items: readonly StockLine[];
  /** Last SKU of this page when more follow, else null. */
  readonly lastSku: string | null;
}

// SKUs are [A-Za-z0-9_-]: every SKU starting with a prefix sorts below prefix + '~'.
const PREFIX_END = '~';

/** One page of a location's stock, ordered by SKU, after `after`, optionally only SKUs with a prefix. */
export const locationStockPage = (
  store: SqlStore,
  location: string,
  options: { readonly skuPrefix?: string | undefined; readonly after?: string | undefined; readonly limit: number },
): StockPage => {
  const prefix = options.skuPrefix ?? '';
  const rows = store.all<{
    sku: string;
    name: string | null;
    on_hand: number;
    reserved: number;
    safety_stock: number;
    damaged: number;
    in_transit: number;
    count_hlc: string | null;
    last_hlc: string | null;
  }>(
    `SELECT s.sku AS sku, c.name AS name, s.on_hand, s.reserved, s.safety_stock, s.damaged, s.in_transit, s.count_hlc,
       s.last_hlc
     FROM stock s LEFT JOIN catalog c ON c.sku = s.sku
     WHERE s.location = ? AND s.sku > ? AND s.sku >= ? AND s.sku < ?
     ORDER BY s.sku LIMIT ?`,
    location,
    options.after ?? '',
    prefix,
    prefix + PREFIX_END,
    options.limit + 1,
  );
  const page = rows.slice(0, options.limit);
  return {
    items: page.map((r) => ({
      sku: r.sku,
      name: r.name,
      onHand: r.on_hand,
      reserved: r.reserved,
      safetyStock: r.safety_stock,
      available: r.on_hand - r.reserved - r.safety_stock,
      damaged: r.damaged,
      inTransit: r.in_transit,
      countHlc: r.count_hlc,
      lastHlc: r.last_hlc,
    })),
    lastSku: rows.length > options.limit ? (page.at(-1)?.sku ?? null) : null,
  };
};
