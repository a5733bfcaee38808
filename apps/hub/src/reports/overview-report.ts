import type { SkuLine } from '@stocknerve/domain';
import {
  categoryFilter,
  LOCATION_COLUMNS,
  locationCells,
  locationLinks,
  queryOf,
  type ReportContext,
  regionFilter,
} from './report-context.js';
import type { ReportQuery } from './report-filters.js';
import { type Column, countKpi, type Report, type ReportTable, type Row } from './report-model.js';

interface Tally {
  skuLocations: number;
  stockouts: number;
  belowSafety: number;
  overstock: number;
  unitsToday: number;
  revenueToday: number;
  reservations: Set<string>;
  reservedUnits: number;
  pickups: Set<string>;
  incidents: number;
}

const emptyTally = (): Tally => ({
  skuLocations: 0,
  stockouts: 0,
  belowSafety: 0,
  overstock: 0,
  unitsToday: 0,
  revenueToday: 0,
  reservations: new Set(),
  reservedUnits: 0,
  pickups: new Set(),
  incidents: 0,
});

/** Rolls a location's tally up into its region's, or a region's into the network's. */
const addTally = (sum: Tally, t: Tally): void => {
  sum.skuLocations += t.skuLocations;
  sum.stockouts += t.stockouts;
  sum.belowSafety += t.belowSafety;
  sum.overstock += t.overstock;
  sum.unitsToday += t.unitsToday;
  sum.revenueToday += t.revenueToday;
  for (const id of t.reservations) sum.reservations.add(id);
  sum.reservedUnits += t.reservedUnits;
  for (const id of t.pickups) sum.pickups.add(id);
  sum.incidents += t.incidents;
};

const FIGURE_COLUMNS: readonly Column[] = [
  { key: 'skuLocations', label: 'SKU-locations', kind: 'int', help: 'SKUs with a stock record at the locations' },
  { key: 'stockouts', label: 'Stockouts', kind: 'int', help: 'On hand 0 or below' },
  { key: 'belowSafety', label: 'Below safety', kind: 'int', help: 'On hand above 0 but under its safety stock' },
  {
    key: 'overstock',
    label: 'Overstock',
    kind: 'int',
    help: 'Stores only: over 60 days of cover at the 28-day velocity, or on hand over 4× the 28-day sales',
  },
  { key: 'unitsToday', label: 'Units today', kind: 'int' },
  { key: 'revenueToday', label: 'Revenue today', kind: 'money' },
  { key: 'openReservations', label: 'Reservations', kind: 'int', help: 'Open reservations: placed or confirmed' },
  { key: 'reservedUnits', label: 'Reserved', kind: 'int', help: 'Units the open reservations hold' },
  { key: 'openPickups', label: 'Pickups', kind: 'int', help: 'Open click-and-collect orders: placed or picked' },
  { key: 'incidents', label: 'Incidents', kind: 'int', help: 'Oversells and rejected pickups recorded' },
];

const figures = (t: Tally): Row => ({
  skuLocations: t.skuLocations,
  stockouts: t.stockouts,
  belowSafety: t.belowSafety,
  overstock: t.overstock,
  unitsToday: t.unitsToday,
  revenueToday: t.revenueToday,
  openReservations: t.reservations.size,
  reservedUnits: t.reservedUnits,
  openPickups: t.pickups.size,
  incidents: t.incidents,
});

/**
 * Network overview: per region and per location, stock health (stockouts, below safety, overstock),
 * today's sales, open reservations and pickups and incidents, with region and category filters.
 */
export const overviewReport = (rc: ReportContext, q: ReportQuery): Report => {
  const snap = rc.snapshot();
  const { store } = rc.hub;
  const nowMs = rc.hub.now();
  const inCategory = (sku: string) => q.category === undefined || snap.catalog.get(sku)?.category === q.category;
  const locations = snap.locations.filter((l) => q.region === undefined || l.region === q.region);
  const byLocation = new Map(locations.map((l) => [l.location, emptyTally()]));

  for (const c of snap.cells) {
    const t = byLocation.get(c.location);
    if (!t || !inCategory(c.sku)) continue;
    t.skuLocations++;
    if (c.health === 'stockout') t.stockouts++;
    else if (c.health === 'below-safety') t.belowSafety++;
    else if (c.health === 'overstock') t.overstock++;
  }

  // Summed per day and location in SQL: the window holds tens of thousands of (day, location, SKU) rows.
  const category = q.category ?? null;
  const daily = store.all<{ day: string; location: string; units: number; revenue: number }>(
    `SELECT d.day, d.location, SUM(d.units) AS units, SUM(d.revenue_cents) AS revenue FROM daily_sales d
     LEFT JOIN catalog c ON c.sku = d.sku
     WHERE d.day >= ? AND d.day <= ? AND (? IS NULL OR c.category = ?)
     GROUP BY d.day, d.location`,
    snap.window.from,
    snap.window.today,
    category,
    category,
  );
  const regions = [...new Set(locations.map((l) => l.region))].sort();
  const perDay = new Map<string, { units: number; revenue: number }>();
  for (const d of daily) {
    const location = snap.locationById.get(d.location);
    if (!location || !byLocation.has(d.location)) continue;
    const key = `${d.day}/${location.region}`;
    const cell = perDay.get(key) ?? { units: 0, revenue: 0 };
    cell.units += d.units;
    cell.revenue += d.revenue;
    perDay.set(key, cell);
    if (d.day === snap.window.today) {
      const t = byLocation.get(d.location);
      if (t) {
        t.unitsToday += d.units;
        t.revenueToday += d.revenue;
      }
    }
  }

  let networkWide = new Set<string>();
  let networkWideUnits = 0;
  for (const r of store.all<{ reservation_id: string; location: string | null; sku: string; qty: number }>(
    `SELECT r.reservation_id, r.location, l.sku, l.qty FROM reservations r
     JOIN reservation_lines l ON l.reservation_id = r.reservation_id
     WHERE r.status IN ('placed', 'confirmed')`,
  )) {
    if (!inCategory(r.sku)) continue;
    if (r.location === null) {
      networkWide.add(r.reservation_id);
      networkWideUnits += r.qty;
      continue;
    }
    const t = byLocation.get(r.location);
    if (!t) continue;
    t.reservations.add(r.reservation_id);
    t.reservedUnits += r.qty;
  }
  if (q.region !== undefined) {
    networkWide = new Set();
    networkWideUnits = 0;
  }
  for (const p of store.all<{ pickup_id: string; location: string | null; lines: string | null }>(
    "SELECT pickup_id, location, lines FROM pickups WHERE status IN ('placed', 'picked')",
  )) {
    const t = p.location === null ? undefined : byLocation.get(p.location);
    if (!t) continue;
    const lines = (JSON.parse(p.lines ?? '[]') as SkuLine[]).filter((l) => inCategory(l.sku));
    if (lines.length === 0) continue;
    t.pickups.add(p.pickup_id);
  }
  for (const i of store.all<{ location: string; sku: string }>('SELECT location, sku FROM incidents')) {
    const t = byLocation.get(i.location);
    if (t && inCategory(i.sku)) t.incidents++;
  }

  const links = locationLinks(rc.hub, nowMs);
  const regionTallies = new Map(regions.map((r) => [r, { tally: emptyTally(), stores: 0, notLive: 0 }]));
  for (const l of locations) {
    const t = byLocation.get(l.location);
    const r = regionTallies.get(l.region);
    if (!t || !r) continue;
    addTally(r.tally, t);
    if (l.kind === 'store') {
      r.stores++;
      if (links.get(l.location)?.status !== 'online') r.notLive++;
    }
  }
  const total = emptyTally();
  for (const { tally } of regionTallies.values()) addTally(total, tally);
  const storesNotLive = [...regionTallies.values()].reduce((s, r) => s + r.notLive, 0);

  const regionTable: ReportTable = {
    id: 'regions',
    title: 'Regions',
    columns: [
      { key: 'region', label: 'Region', kind: 'text' },
      { key: 'stores', label: 'Stores', kind: 'int' },
      { key: 'storesNotLive', label: 'Not live', kind: 'int', help: 'Stores stale or offline (see Store health)' },
      ...FIGURE_COLUMNS,
    ],
    rows: [...regionTallies].map(([region, r]) => ({
      region,
      stores: r.stores,
      storesNotLive: r.notLive,
      ...figures(r.tally),
    })),
    empty: 'No locations match the filters.',
    tone: (row) => (Number(row.storesNotLive) > 0 || Number(row.stockouts) > 0 ? 'warn' : undefined),
  };
  const locationTable: ReportTable = {
    id: 'locations',
    title: 'Stores and warehouses',
    columns: [
      ...LOCATION_COLUMNS,
      {
        key: 'link',
        label: 'Link',
        kind: 'status',
        help: 'online / stale / offline, from when the hub last heard from it',
      },
      ...FIGURE_COLUMNS,
    ],
    rows: locations.map((l) => ({
      ...locationCells(l),
      link: links.get(l.location)?.status ?? 'offline',
      ...figures(byLocation.get(l.location) ?? emptyTally()),
    })),
    empty: 'No locations match the filters.',
    tone: (row) => (row.link === 'offline' ? 'bad' : row.link === 'stale' ? 'warn' : undefined),
  };
  const dailyTable: ReportTable = {
    id: 'daily-sales',
    title: `Daily sales by region, last ${snap.window.days} days`,
    columns: [
      { key: 'day', label: 'Day (UTC)', kind: 'text' },
      ...regions.flatMap((region): Column[] => [
        { key: `${region}Units`, label: `${region} units`, kind: 'int' },
        { key: `${region}Revenue`, label: `${region} revenue`, kind: 'money' },
      ]),
    ],
    rows: [...snap.window.dayList].reverse().map((day) => ({
      day,
      ...Object.fromEntries(
        regions.flatMap((region) => {
          const d = perDay.get(`${day}/${region}`);
          return [
            [`${region}Units`, d?.units ?? 0],
            [`${region}Revenue`, d?.revenue ?? 0],
          ];
        }),
      ),
    })),
    empty: 'No sales in the window.',
  };

  return {
    id: 'overview',
    title: 'Network overview',
    intro: `Stock health, today's sales, open orders and incidents per region. Velocity and overstock use the last ${snap.window.days} days of sales; days are UTC.`,
    asOf: new Date(nowMs).toISOString(),
    today: snap.window.today,
    checkpoint: snap.checkpoint,
    currency: snap.currency,
    filters: [regionFilter(snap, q.region), categoryFilter(snap, q.category)],
    query: queryOf({ region: q.region, category: q.category }),
    sections: [
      {
        kind: 'kpis',
        items: [
          { id: 'units-today', label: 'Units today', value: total.unitsToday, kind: 'int' },
          { id: 'revenue-today', label: 'Revenue today', value: total.revenueToday, kind: 'money' },
          countKpi('stockouts', 'Stockouts', total.stockouts, 'bad'),
          countKpi('below-safety', 'Below safety', total.belowSafety, 'warn'),
          { id: 'overstock', label: 'Overstock', value: total.overstock, kind: 'int' },
          {
            id: 'open-reservations',
            label: 'Reservations',
            value: total.reservations.size + networkWide.size,
            kind: 'int',
            hint: `open · ${total.reservedUnits + networkWideUnits} units`,
          },
          { id: 'open-pickups', label: 'Pickups', value: total.pickups.size, kind: 'int', hint: 'open' },
          countKpi('incidents', 'Incidents', total.incidents, 'warn'),
          countKpi('stores-not-live', 'Stores offline', storesNotLive, 'bad', 'or stale'),
        ],
      },
      { kind: 'table', table: regionTable },
      {
        kind: 'chart',
        chart: {
          id: 'daily-revenue',
          title: `Daily revenue by region, last ${snap.window.days} days`,
          description: 'Line chart of revenue per day for each region; the same figures are in the Daily sales table.',
          style: 'line',
          yLabel: `Revenue (${snap.currency})`,
          yKind: 'money',
          x: snap.window.dayList.map((d) => Date.parse(`${d}T00:00:00Z`) / 1000),
          series: regions.map((region) => ({
            label: region,
            values: snap.window.dayList.map((day) => perDay.get(`${day}/${region}`)?.revenue ?? 0),
          })),
        },
      },
      { kind: 'table', table: locationTable },
      ...(networkWide.size > 0
        ? [
            {
              kind: 'note' as const,
              id: 'network-wide',
              text: `${networkWide.size} open network-wide reservation(s) holding ${networkWideUnits} unit(s) are not tied to a location: counted in the total above, not in the tables.`,
            },
          ]
        : []),
      { kind: 'table', table: dailyTable },
    ],
  };
};
