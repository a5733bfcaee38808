import type { HubContext } from '../hub-context.js';
import { type DayUnits, type HandedOverPickup, handedOverPickups, returnedUnits } from '../views/sales-queries.js';
import {
  daysOfCover,
  type SalesWindow,
  type StockHealth,
  salesWindow,
  stockHealthOf,
  velocityOf,
} from './stock-health.js';

/** A defined store or warehouse, as the locations view holds it. */
export interface LocationRow {
  readonly location: string;
  readonly region: string;
  readonly kind: 'store' | 'warehouse';
  readonly name: string;
  readonly lat: number | null;
  readonly lon: number | null;
}

/** A catalog item, as the catalog view holds it. */
export interface CatalogRow {
  readonly sku: string;
  readonly name: string;
  readonly category: string | null;
  readonly priceCents: number;
  readonly currency: string;
}

/** One SKU at one location, with its sales over the window and what they mean. */
export interface CellMetrics {
  readonly location: string;
  readonly sku: string;
  readonly onHand: number;
  readonly reserved: number;
  /** Units set aside as damaged (returned damaged or written off as damage): not sellable, still held. */
  readonly damaged: number;
  readonly safetyStock: number;
  readonly inTransit: number;
  /** Units sold in the velocity window: at the till and handed over to click-and-collect customers. */
  readonly sold: number;
  /** Units per day over the window. */
  readonly velocity: number;
  readonly cover: number | null;
  readonly health: StockHealth;
}

/** What several reports read, loaded once per projector checkpoint and day. */
export interface Snapshot {
  readonly checkpoint: number;
  readonly window: SalesWindow;
  readonly locations: readonly LocationRow[];
  readonly locationById: ReadonlyMap<string, LocationRow>;
  readonly catalog: ReadonlyMap<string, CatalogRow>;
  /** Every stock cell of a defined location. */
  readonly cells: readonly CellMetrics[];
  /** The currency most of the catalog is priced in (revenue is summed without converting). */
  readonly currency: string;
  /** Units customers returned in the window, per day, location and SKU. */
  readonly returns: readonly DayUnits[];
  /** Click-and-collect orders handed over in the window. */
  readonly handovers: readonly HandedOverPickup[];
}

/**
 * Returned units per (day, location, SKU), read on from the last checkpoint only: applied_events
 * grows in stream order, and a return's lines cost a ledger range read each, too many to read again
 * whenever a sale moves the checkpoint.
 */
const returnsLedger = (ctx: HubContext) => {
  let upTo = 0;
  let byKey = new Map<string, DayUnits>();
  return (checkpoint: number, fromDay: string): DayUnits[] => {
    // A rebuild replays from the start: read everything again.
    if (checkpoint < upTo) {
      upTo = 0;
      byKey = new Map();
    }
    for (const r of returnedUnits(ctx.store, upTo, checkpoint)) {
      const key = `${r.day}\u0000${r.location}\u0000${r.sku}`;
      const prev = byKey.get(key);
      byKey.set(key, prev ? { ...prev, units: prev.units + r.units } : r);
    }
    upTo = checkpoint;
    return [...byKey.values()].filter((r) => r.day >= fromDay);
  };
};

/**
 * Loads the shared figures, memoised on the projector checkpoint (and the day): every browser that a
 * live update refreshes at the same moment reuses one read of the ~30k stock cells.
 */
export const snapshotSource = (ctx: HubContext) => {
  let cached: Snapshot | undefined;
  const returns = returnsLedger(ctx);
  return (): Snapshot => {
    const checkpoint = ctx.projector.checkpoint;
    const window = salesWindow(ctx.now());
    if (cached && cached.checkpoint === checkpoint && cached.window.today === window.today) return cached;
    cached = loadSnapshot(ctx, checkpoint, window, returns(checkpoint, window.from));
    return cached;
  };
};

const loadSnapshot = (
  ctx: HubContext,
  checkpoint: number,
  window: SalesWindow,
  returns: readonly DayUnits[],
): Snapshot => {
  const { store } = ctx;
  const locations = store.all<LocationRow>(
    'SELECT location, region, kind, name, lat, lon FROM locations ORDER BY region, location',
  );
  const locationById = new Map(locations.map((l) => [l.location, l]));
  const catalogRows = store.all<{
    sku: string;
    name: string;
    category: string | null;
    price_cents: number;
    currency: string;
  }>('SELECT sku, name, category, price_cents, currency FROM catalog');
  const catalog = new Map(
    catalogRows.map((c) => [
      c.sku,
      { sku: c.sku, name: c.name, category: c.category, priceCents: c.price_cents, currency: c.currency },
    ]),
  );
  const currencies = new Map<string, number>();
  for (const c of catalogRows) currencies.set(c.currency, (currencies.get(c.currency) ?? 0) + 1);
  const currency = [...currencies].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'EUR';
  const rows = store.all<{
    location: string;
    sku: string;
    on_hand: number;
    reserved: number;
    damaged: number;
    safety_stock: number;
    in_transit: number;
    sold: number;
  }>(
    `SELECT s.location, s.sku, s.on_hand, s.reserved, s.damaged, s.safety_stock, s.in_transit, COALESCE(d.units, 0) AS sold
     FROM stock s LEFT JOIN (
       SELECT location, sku, SUM(units) AS units FROM daily_sales WHERE day >= ? AND day <= ? GROUP BY location, sku
     ) d ON d.location = s.location AND d.sku = s.sku`,
    window.from,
    window.today,
  );
  const handovers = handedOverPickups(store, window.from).filter((p) => p.day <= window.today);
  const handedOver = new Map<string, number>();
  for (const p of handovers)
    for (const l of p.lines)
      handedOver.set(`${p.location}/${l.sku}`, (handedOver.get(`${p.location}/${l.sku}`) ?? 0) + l.qty);
  const cells: CellMetrics[] = [];
  for (const row of rows) {
    const location = locationById.get(row.location);
    if (!location) continue;
    const r = { ...row, sold: row.sold + (handedOver.get(`${row.location}/${row.sku}`) ?? 0) };
    const velocity = velocityOf(r.sold, window.days);
    cells.push({
      location: r.location,
      sku: r.sku,
      onHand: r.on_hand,
      reserved: r.reserved,
      damaged: r.damaged,
      safetyStock: r.safety_stock,
      inTransit: r.in_transit,
      sold: r.sold,
      velocity,
      cover: daysOfCover(r.on_hand, velocity),
      health: stockHealthOf({ onHand: r.on_hand, safetyStock: r.safety_stock, sold: r.sold, kind: location.kind }),
    });
  }
  return { checkpoint, window, locations, locationById, catalog, cells, currency, returns, handovers };
};
