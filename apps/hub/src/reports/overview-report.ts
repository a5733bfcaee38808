import { countLinks, type SkuLine } from '@stocknerve/domain';
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
  returnedToday: number;
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
  returnedToday: 0,
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
  sum.returnedToday += t.returnedToday;
  for (const id of t.reservations) sum.reservations.add(id);
  sum.reservedUnits += t.reservedUnits;
  for (const id of t.pickups) sum.pickups.add(id);
  sum.incidents += t.incidents;
};

/** The channel of sales rung up at a store's till. */
const TILL_CHANNEL = 'store';
/** Returns, as a channel of negative sales. */
const RETURNS_CHANNEL = 'returns';
/** Till first, returns last, click-and-collect channels between. */
const channelRank = (channel: string): number => (channel === TILL_CHANNEL ? 0 : channel === RETURNS_CHANNEL ? 2 : 1);

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
  {
    key: 'unitsToday',
    label: 'Net units today',
    kind: 'int',
    help: 'Sold at the till and handed over to click-and-collect customers, minus units returned',
  },
  {
    key: 'revenueToday',
    label: 'Net sales today',
    kind: 'money',
    help: 'Till receipts and handed-over click-and-collect orders (at catalog price), minus returns (at catalog price)',
  },
  { key: 'returnedToday', label: 'Returned today', kind: 'int', help: 'Units customers brought back' },
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
  returnedToday: t.returnedToday,
  openReservations: t.reservations.size,
  reservedUnits: t.reservedUnits,
  openPickups: t.pickups.size,
  incidents: t.incidents,
});

/**
 * Network overview: per region and per location, stock health (stockouts, below safety, overstock),
 * today's net sales (till, click-and-collect handovers, minus returns), open reservations and pickups
 * and incidents, with region and category filters.
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
  const channels = new Map<string, { unitsToday: number; salesToday: number; units: number; sales: number }>();
  // Net sales: till sales, plus click-and-collect handovers (a sale of the store that hands over),
  // minus returns. Neither a handover nor a return carries a price: both count at the catalog price.
  const addSale = (day: string, location: string, channel: string, units: number, revenue: number): void => {
    const where = snap.locationById.get(location);
    if (!where || !byLocation.has(location)) return;
    const key = `${day}/${where.region}`;
    const cell = perDay.get(key) ?? { units: 0, revenue: 0 };
    cell.units += units;
    cell.revenue += revenue;
    perDay.set(key, cell);
    const c = channels.get(channel) ?? { unitsToday: 0, salesToday: 0, units: 0, sales: 0 };
    c.units += units;
    c.sales += revenue;
    if (day === snap.window.today) {
      c.unitsToday += units;
      c.salesToday += revenue;
      const t = byLocation.get(location);
      if (t) {
        t.unitsToday += units;
        t.revenueToday += revenue;
        if (channel === RETURNS_CHANNEL) t.returnedToday -= units;
      }
    }
    channels.set(channel, c);
  };
  const priceOf = (sku: string): number => snap.catalog.get(sku)?.priceCents ?? 0;
  for (const d of daily) addSale(d.day, d.location, TILL_CHANNEL, d.units, d.revenue);
  for (const p of snap.handovers)
    for (const l of p.lines)
      if (inCategory(l.sku))
        addSale(p.day, p.location, `click-and-collect (${p.channel ?? 'unknown'})`, l.qty, l.qty * priceOf(l.sku));
  for (const r of snap.returns)
    if (inCategory(r.sku)) addSale(r.day, r.location, RETURNS_CHANNEL, -r.units, -r.units * priceOf(r.sku));

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
  const linkOf = (location: string) => links.get(location)?.status ?? 'offline';
  const regionTallies = new Map(regions.map((r) => [r, { tally: emptyTally(), stores: 0, notLive: 0 }]));
  for (const l of locations) {
    const t = byLocation.get(l.location);
    const r = regionTallies.get(l.region);
    if (!t || !r) continue;
    addTally(r.tally, t);
    if (l.kind === 'store') r.stores++;
    if (linkOf(l.location) !== 'online') r.notLive++;
  }
  const total = emptyTally();
  for (const { tally } of regionTallies.values()) addTally(total, tally);
  // Counted over the same locations as Store health (warehouses too), by the domain's one definition.
  const linkCounts = countLinks(locations.map((l) => linkOf(l.location)));

  const regionTable: ReportTable = {
    id: 'regions',
    title: 'Regions',
    columns: [
      { key: 'region', label: 'Region', kind: 'text' },
      { key: 'stores', label: 'Stores', kind: 'int' },
      {
        key: 'notLive',
        label: 'Not live',
        kind: 'int',
        help: 'Stores and warehouses stale or offline (see Store health)',
      },
      ...FIGURE_COLUMNS,
    ],
    rows: [...regionTallies].map(([region, r]) => ({
      region,
      stores: r.stores,
      notLive: r.notLive,
      ...figures(r.tally),
    })),
    empty: 'No locations match the filters.',
    tone: (row) => (Number(row.notLive) > 0 || Number(row.stockouts) > 0 ? 'warn' : undefined),
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
      link: linkOf(l.location),
      ...figures(byLocation.get(l.location) ?? emptyTally()),
    })),
    empty: 'No locations match the filters.',
    tone: (row) => (row.link === 'offline' ? 'bad' : row.link === 'stale' ? 'warn' : undefined),
  };
  const dailyTable: ReportTable = {
    id: 'daily-sales',
    title: `Daily net sales by region, last ${snap.window.days} days`,
    description: 'Till sales and click-and-collect handovers, minus returns.',
    columns: [
      { key: 'day', label: 'Day (UTC)', kind: 'text' },
      ...regions.flatMap((region): Column[] => [
        { key: `${region}Units`, label: `${region} net units`, kind: 'int' },
        { key: `${region}Revenue`, label: `${region} net sales`, kind: 'money' },
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

  const channelTable: ReportTable = {
    id: 'channels',
    title: 'Net sales by channel',
    description:
      'Click-and-collect orders count as sales of the store that hands them over, on the day it does; returns count against the store that takes them back.',
    columns: [
      { key: 'channel', label: 'Channel', kind: 'text' },
      { key: 'unitsToday', label: 'Units today', kind: 'int' },
      { key: 'salesToday', label: 'Sales today', kind: 'money' },
      { key: 'units', label: `Units, ${snap.window.days} d`, kind: 'int' },
      { key: 'sales', label: `Sales, ${snap.window.days} d`, kind: 'money' },
    ],
    rows: [
      ...[...channels]
        .sort(([a], [b]) => channelRank(a) - channelRank(b) || a.localeCompare(b))
        .map(([channel, c]) => ({ channel, ...c })),
      {
        channel: 'net',
        ...[...channels.values()].reduce(
          (sum, c) => ({
            unitsToday: sum.unitsToday + c.unitsToday,
            salesToday: sum.salesToday + c.salesToday,
            units: sum.units + c.units,
            sales: sum.sales + c.sales,
          }),
          { unitsToday: 0, salesToday: 0, units: 0, sales: 0 },
        ),
      },
    ],
    empty: 'No sales in the window.',
  };

  return {
    id: 'overview',
    title: 'Network overview',
    intro: `Stock health, today's net sales (till and click-and-collect, minus returns), open orders and incidents per region. Velocity and overstock use the last ${snap.window.days} days of sales; days are UTC.`,
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
          { id: 'units-today', label: 'Net units today', value: total.unitsToday, kind: 'int' },
          {
            id: 'revenue-today',
            label: 'Net sales today',
            value: total.revenueToday,
            kind: 'money',
            hint: `after ${total.returnedToday} unit(s) returned`,
          },
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
          countKpi('stale', 'Stale', linkCounts.stale, 'warn', 'stores and warehouses'),
          countKpi('offline', 'Offline', linkCounts.offline, 'bad', 'stores and warehouses'),
        ],
      },
      { kind: 'table', table: regionTable },
      {
        kind: 'chart',
        chart: {
          id: 'daily-revenue',
          title: `Daily net sales by region, last ${snap.window.days} days`,
          description:
            'Line chart of net sales per day for each region; the same figures are in the Daily net sales table.',
          style: 'line',
          yLabel: `Net sales (${snap.currency})`,
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
      { kind: 'table', table: channelTable },
      { kind: 'table', table: dailyTable },
    ],
  };
};
