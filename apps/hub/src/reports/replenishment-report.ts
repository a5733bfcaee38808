import { cellKey, type InventoryView, type LocationInfo, nearestCover } from '@stocknerve/domain';
import { sqlInventoryView } from '../views/sql-inventory-view.js';
import { categoryFilter, queryOf, type ReportContext, regionFilter, skuHref } from './report-context.js';
import type { CellMetrics, Snapshot } from './report-data.js';
import type { ReportQuery } from './report-filters.js';
import { countKpi, type Report, type ReportTable } from './report-model.js';
import {
  DEFAULT_LOW_COVER_DAYS,
  replenishmentNeed,
  SURPLUS_COVER_DAYS,
  surplusOf,
  TARGET_COVER_DAYS,
} from './stock-health.js';

const NO_FIGURES = { onHand: 0, reserved: 0, damaged: 0, inTransit: 0, safetyStock: 0 };

/**
 * The domain's view with each location's *surplus* as its offerable stock, so that the domain's own
 * `nearestCover` (same region, nearest by great-circle distance) picks the transfer source.
 */
const surplusView = (rc: ReportContext, snap: Snapshot, surplus: ReadonlyMap<string, number>): InventoryView => {
  const infos: LocationInfo[] = snap.locations.map((l) => ({
    location: l.location,
    region: l.region,
    kind: l.kind,
    name: l.name,
    ...(l.lat !== null && l.lon !== null ? { geo: { lat: l.lat, lon: l.lon } } : {}),
  }));
  const byId = new Map(infos.map((l) => [l.location, l]));
  return {
    ...sqlInventoryView(rc.hub.store),
    location: (location) => byId.get(location),
    locations: () => infos,
    stock: (sku, location) => ({ ...NO_FIGURES, onHand: surplus.get(cellKey(location, sku)) ?? 0 }),
  };
};

/**
 * Low stock and replenishment: store SKUs that sell and have fewer days of cover than the threshold,
 * each with a suggested transfer from the nearest location of its region that has surplus (stock
 * beyond its reservations, safety stock and own 14 days of cover).
 */
export const replenishmentReport = (rc: ReportContext, q: ReportQuery): Report => {
  const snap = rc.snapshot();
  const nowMs = rc.hub.now();
  const threshold = q.days ?? DEFAULT_LOW_COVER_DAYS;
  const inCategory = (sku: string) => q.category === undefined || snap.catalog.get(sku)?.category === q.category;
  const surplus = new Map<string, number>();
  for (const c of snap.cells) {
    const s = surplusOf(c, c.velocity);
    if (s > 0) surplus.set(cellKey(c.location, c.sku), s);
  }
  const view = surplusView(rc, snap, surplus);
  // Every stockout is listed, at a warehouse or a SKU that sold nothing too, so that "Out of stock"
  // here is the overview's "Stockouts" for the same filters (one definition: the domain's stockHealthOf).
  const low: CellMetrics[] = snap.cells.filter((c) => {
    const l = snap.locationById.get(c.location);
    if (!l || (q.region !== undefined && l.region !== q.region) || !inCategory(c.sku)) return false;
    if (c.health === 'stockout') return true;
    return l.kind === 'store' && c.velocity > 0 && c.cover !== null && c.cover < threshold;
  });
  low.sort(
    (a, b) => (a.cover ?? 0) - (b.cover ?? 0) || b.velocity - a.velocity || a.location.localeCompare(b.location),
  );

  const rows = low.map((c) => {
    const need = replenishmentNeed(c, c.velocity);
    const source =
      need > 0 ? (nearestCover(view, c.location, c.sku, need) ?? nearestCover(view, c.location, c.sku, 1)) : null;
    const item = snap.catalog.get(c.sku);
    return {
      location: c.location,
      sku: c.sku,
      name: item?.name ?? null,
      onHand: c.onHand,
      inTransit: c.inTransit,
      velocity: c.velocity,
      cover: c.cover,
      need: Math.max(0, need),
      from: source?.location ?? null,
      distanceKm: source?.distanceKm ?? null,
      fromSurplus: source?.available ?? null,
      transfer: source ? Math.min(need, source.available) : null,
    };
  });
  const suggested = rows.filter((r) => r.transfer !== null);
  const table: ReportTable = {
    id: 'low-stock',
    title: `SKUs out of stock, or store SKUs under ${threshold} days of cover`,
    description: `Need: units to reach ${TARGET_COVER_DAYS} days of cover, counting stock in transit. From: nearest location in the same region with surplus beyond its own ${SURPLUS_COVER_DAYS} days of cover.`,
    columns: [
      { key: 'location', label: 'Location', kind: 'text' },
      { key: 'sku', label: 'SKU', kind: 'text', href: (r) => skuHref(String(r.sku), { location: String(r.location) }) },
      { key: 'name', label: 'Product', kind: 'text' },
      { key: 'onHand', label: 'On hand', kind: 'int' },
      { key: 'inTransit', label: 'In transit', kind: 'int' },
      { key: 'velocity', label: 'Per day', kind: 'decimal', help: 'Units sold per day over the last 28 days' },
      { key: 'cover', label: 'Cover (days)', kind: 'days', help: 'On hand ÷ units per day' },
      { key: 'need', label: 'Need', kind: 'int' },
      { key: 'from', label: 'From', kind: 'text' },
      { key: 'distanceKm', label: 'Distance', kind: 'km' },
      { key: 'fromSurplus', label: 'Its surplus', kind: 'int' },
      {
        key: 'transfer',
        label: 'Transfer',
        kind: 'int',
        help: 'Suggested: the need, or what the source can spare if less',
      },
    ],
    rows,
    empty: `No SKU is out of stock and no store SKU is under ${threshold} days of cover.`,
    tone: (r) => (Number(r.onHand) <= 0 ? 'bad' : undefined),
  };
  return {
    id: 'replenishment',
    title: 'Low stock and replenishment',
    intro: `Every SKU out of stock, and the store SKUs that sell and would run out within ${threshold} days at their ${snap.window.days}-day velocity, with a transfer from the nearest location that can spare stock. A SKU that sold nothing has no need to size a transfer by.`,
    asOf: new Date(nowMs).toISOString(),
    today: snap.window.today,
    checkpoint: snap.checkpoint,
    currency: snap.currency,
    filters: [
      regionFilter(snap, q.region),
      categoryFilter(snap, q.category),
      { name: 'days', label: 'Days of cover under', kind: 'number', value: String(threshold), min: 1, max: 90 },
    ],
    query: queryOf({ region: q.region, category: q.category, days: threshold }),
    sections: [
      {
        kind: 'kpis',
        items: [
          countKpi('low', `Out or under ${threshold} days`, rows.length, 'warn'),
          countKpi('out', 'Out of stock', low.filter((c) => c.health === 'stockout').length, 'bad'),
          { id: 'with-transfer', label: 'With a transfer suggestion', value: suggested.length, kind: 'int' },
          {
            id: 'transfer-units',
            label: 'Units to transfer',
            value: suggested.reduce((s, r) => s + (r.transfer ?? 0), 0),
            kind: 'int',
          },
        ],
      },
      { kind: 'table', table },
    ],
  };
};
