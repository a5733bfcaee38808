import type { CatalogItem } from '@stocknerve/domain';
import type { SqlStore } from '../store/sql-store.js';

export interface CatalogPage {
  readonly items: readonly CatalogItem[];
  /** Last SKU of this page when more follow, else null. */
  readonly lastSku: string | null;
}

/** One page of the catalog, ordered by SKU, after `after`. */
export const catalogPage = (
  store: SqlStore,
  options: { readonly after?: string | undefined; readonly limit: number },
): CatalogPage => {
  const rows = store.all<{
    sku: string;
    name: string;
    barcode: string | null;
    price_cents: number;
    currency: string;
    category: string | null;
  }>('SELECT * FROM catalog WHERE sku > ? ORDER BY sku LIMIT ?', options.after ?? '', options.limit + 1);
  const page = rows.slice(0, options.limit);
  return {
    items: page.map((r) => ({
      sku: r.sku,
      name: r.name,
      ...(r.barcode === null ? {} : { barcode: r.barcode }),
      priceCents: r.price_cents,
      currency: r.currency,
      ...(r.category === null ? {} : { category: r.category }),
    })),
    lastSku: rows.length > options.limit ? (page.at(-1)?.sku ?? null) : null,
  };
};
