import {
  cellKey,
  distanceKm,
  foldEvents,
  type InventoryEvent,
  type InventoryState,
  initialInventoryState,
  type LocationInfo,
  stockFiguresOf,
} from '@stocknerve/domain';
import { daysOfCover, replenishmentNeed, stockHealthOf, surplusOf, velocityOf } from '../stock-health.js';
import type { SeededHub } from './seeded-hub.js';

// What the reports should show, computed without the hub: the domain's pure fold of the events the
// hub was sent, and the sale, return and handover events themselves for (net) sales. Only the definitions (stock-health.ts,
// unit-tested on their own) are shared with the code under test.

const DAY_MS = 86_400_000;

/** One stock cell as the pure fold sees it, with the report definitions applied. */
export interface ExpectedCell {
  readonly location: string;
  readonly region: string;
  readonly kind: 'store' | 'warehouse';
  readonly sku: string;
  readonly category: string | undefined;
  readonly onHand: number;
  readonly reserved: number;
  readonly safetyStock: number;
  readonly inTransit: number;
  readonly damaged: number;
  readonly sold: number;
  readonly velocity: number;
  readonly cover: number | null;
  readonly health: ReturnType<typeof stockHealthOf>;
}

/** The expected figures of a seeded hub. */
export interface Expected {
  readonly today: string;
  /** First day of the velocity window (UTC), YYYY-MM-DD. */
  readonly from: string;
  readonly state: InventoryState;
  readonly cells: readonly ExpectedCell[];
  readonly locations: readonly LocationInfo[];
  /** Till sales: units and revenue (cents) per `${day}/${location}/${sku}`. */
  readonly sales: ReadonlyMap<string, { units: number; revenue: number }>;
  /**
   * Net sales per `${day}/${location}`: till sales, plus click-and-collect handovers, minus returns
   * (handovers and returns at the catalog price), with the units returned.
   */
  readonly netSales: ReadonlyMap<string, { units: number; revenue: number; returned: number }>;
  readonly categoryOf: ReadonlyMap<string, string | undefined>;
  /** Folds only the events that happened at or before `ms` (by HLC): on hand as of then. */
  onHandAsOf(location: string, sku: string, ms: number): number;
}

/** The pure fold of everything the seeded hub was sent (master data, store events, hub decisions). */
export const expectedFigures = (seeded: SeededHub): Expected => {
  const nowMs = seeded.now();
  const todayStart = Math.floor(nowMs / DAY_MS) * DAY_MS;
  const today = new Date(todayStart).toISOString().slice(0, 10);
  const from = new Date(todayStart - 27 * DAY_MS).toISOString().slice(0, 10);
  const all: InventoryEvent[] = [...seeded.net.masterEvents, ...seeded.published, ...seeded.hubEvents];
  const state = foldEvents(all, initialInventoryState());
  const locations = [...state.locations.values()];
  const locationById = new Map(locations.map((l) => [l.location, l]));
  const categoryOf = new Map([...state.catalog.values()].map((c) => [c.sku, c.category]));

  const sales = new Map<string, { units: number; revenue: number }>();
  const soldInWindow = new Map<string, number>();
  for (const e of seeded.published) {
    if (e.type !== 'SaleRecorded') continue;
    const day = e.occurredAt.slice(0, 10);
    for (const l of e.data.lines) {
      const key = `${day}/${e.location}/${l.sku}`;
      const s = sales.get(key) ?? { units: 0, revenue: 0 };
      s.units += l.qty;
      s.revenue += l.qty * l.unitPriceCents;
      sales.set(key, s);
      if (day >= from && day <= today) {
        const cell = cellKey(e.location, l.sku);
        soldInWindow.set(cell, (soldInWindow.get(cell) ?? 0) + l.qty);
      }
    }
  }

  const netSales = new Map<string, { units: number; revenue: number; returned: number }>();
  const addNet = (day: string, location: string, units: number, revenue: number, returned = 0) => {
    const n = netSales.get(`${day}/${location}`) ?? { units: 0, revenue: 0, returned: 0 };
    n.units += units;
    n.revenue += revenue;
    n.returned += returned;
    netSales.set(`${day}/${location}`, n);
  };
  const priceOf = (sku: string) => state.catalog.get(sku)?.priceCents ?? 0;
  for (const e of seeded.published) {
    const day = e.occurredAt.slice(0, 10);
    if (e.type === 'SaleRecorded')
      for (const l of e.data.lines) addNet(day, e.location, l.qty, l.qty * l.unitPriceCents);
    else if (e.type === 'ReturnRecorded')
      for (const l of e.data.lines) addNet(day, e.location, -l.qty, -l.qty * priceOf(l.sku), l.qty);
    else if (e.type === 'PickupHandedOver')
      for (const l of e.data.lines) {
        addNet(day, e.location, l.qty, l.qty * priceOf(l.sku));
        if (day >= from && day <= today) {
          const cell = cellKey(e.location, l.sku);
          soldInWindow.set(cell, (soldInWindow.get(cell) ?? 0) + l.qty);
        }
      }
  }

  const keys = new Set([...state.cells.keys(), ...state.safetyStock.keys()]);
  const cells: ExpectedCell[] = [];
  for (const key of keys) {
    const [location, sku] = key.split('/') as [string, string];
    const info = locationById.get(location);
    if (!info) continue;
    const f = stockFiguresOf(state, sku, location);
    const sold = soldInWindow.get(key) ?? 0;
    const velocity = velocityOf(sold);
    cells.push({
      location,
      region: info.region,
      kind: info.kind,
      sku,
      category: categoryOf.get(sku),
      onHand: f.onHand,
      reserved: f.reserved,
      safetyStock: f.safetyStock,
      inTransit: f.inTransit,
      damaged: f.damaged,
      sold,
      velocity,
      cover: daysOfCover(f.onHand, velocity),
      health: stockHealthOf({ onHand: f.onHand, safetyStock: f.safetyStock, sold, kind: info.kind }),
    });
  }

  return {
    today,
    from,
    state,
    cells,
    locations,
    sales,
    netSales,
    categoryOf,
    onHandAsOf: (location, sku, ms) => {
      const bound = `${String(Math.floor(ms)).padStart(15, '0')}-999999-~`;
      const upTo = all.filter((e) => e.hlc <= bound && (e.location === location || e.node === 'hub'));
      return stockFiguresOf(foldEvents(upTo, initialInventoryState()), sku, location).onHand;
    },
  };
};

/** A suggested transfer as the replenishment page should list it. */
export interface ExpectedTransfer {
  readonly location: string;
  readonly sku: string;
  readonly need: number;
  readonly from: string | null;
  readonly transfer: number | null;
}

/**
 * Every stockout, and the store SKUs under `threshold` days of cover, with the nearest same-region location that has surplus
 * (a location that covers the whole need first, else any with surplus).
 */
export const expectedReplenishment = (
  expected: Expected,
  threshold: number,
  filter: { region?: string; category?: string } = {},
): ExpectedTransfer[] => {
  const byCell = new Map(expected.cells.map((c) => [cellKey(c.location, c.sku), c]));
  const locationById = new Map(expected.locations.map((l) => [l.location, l]));
  return expected.cells
    .filter(
      (c) =>
        (filter.region === undefined || c.region === filter.region) &&
        (filter.category === undefined || c.category === filter.category) &&
        (c.health === 'stockout' || (c.kind === 'store' && c.velocity > 0 && c.cover !== null && c.cover < threshold)),
    )
    .map((c) => {
      const need = replenishmentNeed(c, c.velocity);
      const here = locationById.get(c.location);
      const candidates = expected.locations
        .filter((l) => here && l.region === here.region && l.location !== c.location)
        .map((l) => {
          const other = byCell.get(cellKey(l.location, c.sku));
          return {
            location: l.location,
            surplus: other ? surplusOf(other, other.velocity) : 0,
            distance: here ? (distanceKm(here, l) ?? Number.POSITIVE_INFINITY) : Number.POSITIVE_INFINITY,
          };
        })
        .sort((a, b) => a.distance - b.distance);
      const source =
        need > 0 ? (candidates.find((s) => s.surplus >= need) ?? candidates.find((s) => s.surplus >= 1)) : undefined;
      return {
        location: c.location,
        sku: c.sku,
        need: Math.max(0, need),
        from: source?.location ?? null,
        transfer: source ? Math.min(need, source.surplus) : null,
      };
    });
};
