import { hlcWallMsOf } from '@stocknerve/domain';
import { cellLedger, explainOnHand } from '../views/history.js';
import { queryOf, type ReportContext, regionFilter, skuHref } from './report-context.js';
import type { CellMetrics, Snapshot } from './report-data.js';
import type { ReportQuery } from './report-filters.js';
import {
  type Chart,
  type Column,
  countKpi,
  type FilterField,
  type Report,
  type ReportTable,
  type Section,
} from './report-model.js';
import { daysOfCover, velocityOf } from './stock-health.js';

/** Catalog search results shown at most. */
const SEARCH_LIMIT = 50;
/** Best sellers listed when no SKU is chosen. */
const TOP_SELLERS = 25;

const skuColumns = (region: string | undefined): Column[] => [
  { key: 'sku', label: 'SKU', kind: 'text', href: (r) => skuHref(String(r.sku), { region }) },
  { key: 'name', label: 'Name', kind: 'text' },
  { key: 'category', label: 'Category', kind: 'text' },
];

/** Searches the catalog by SKU or name (case-insensitive, contains). */
const searchCatalog = (snap: Snapshot, text: string) => {
  const needle = text.toLowerCase();
  return [...snap.catalog.values()]
    .filter((c) => c.sku.toLowerCase().includes(needle) || c.name.toLowerCase().includes(needle))
    .sort((a, b) => a.sku.localeCompare(b.sku))
    .slice(0, SEARCH_LIMIT);
};

/**
 * On hand per location over time, replayed from the movements ledger in HLC (merge) order: a count
 * sets the level, every on-hand movement after it moves it. Each series ends at `nowMs` at today's level.
 */
const onHandHistory = (rc: ReportContext, sku: string, locations: readonly string[], nowMs: number): Chart => {
  const level = new Map<string, number>();
  const points = new Map<number, Map<string, number>>();
  // Each location's level depends only on its own movements: read them cell by cell, in ledger order.
  for (const location of locations) {
    const rows = cellLedger(rc.hub.store, location, sku).filter((r) => r.bucket !== 'damaged');
    for (const r of rows) {
      const next = r.bucket === 'count' ? (r.countedQty ?? 0) : (level.get(location) ?? 0) + r.delta;
      level.set(location, next);
      const x = hlcWallMsOf(r.hlc) / 1000;
      const at = points.get(x) ?? new Map<string, number>();
      at.set(location, next);
      points.set(x, at);
    }
  }
  const end = nowMs / 1000;
  const xs = [...points.keys()].sort((a, b) => a - b);
  if (xs.length > 0 && (xs.at(-1) ?? 0) < end) xs.push(end);
  const shown = locations.filter((l) => level.has(l));
  return {
    id: 'on-hand-history',
    title: 'On hand over time',
    description:
      'Step chart of on hand per location, replayed from the movements ledger (counts reset the level). Today’s figures are in the Locations table.',
    style: 'step',
    yLabel: 'Units on hand',
    yKind: 'int',
    x: xs,
    series: shown.map((location) => {
      let last: number | null = null;
      return {
        label: location,
        values: xs.map((x) => {
          const v = points.get(x)?.get(location);
          if (v !== undefined) last = v;
          return last;
        }),
      };
    }),
  };
};

const explainTable = (rc: ReportContext, location: string, sku: string): { table: ReportTable; note: Section } => {
  const explained = explainOnHand(rc.hub.store, location, sku);
  const nodes = new Map(cellLedger(rc.hub.store, location, sku).map((l) => [l.eventId, l.node]));
  let running = explained.count?.qty ?? 0;
  const rows = [
    ...(explained.count
      ? [
          {
            step: 1,
            at: explained.count.occurredAt,
            event: 'CycleCounted',
            node: nodes.get(explained.count.eventId) ?? null,
            counted: explained.count.qty,
            change: null,
            onHand: explained.count.qty,
            eventId: explained.count.eventId,
          },
        ]
      : []),
    ...explained.movements.map((m, i) => {
      running += m.delta;
      return {
        step: i + (explained.count ? 2 : 1),
        at: m.occurredAt,
        event: m.type,
        node: nodes.get(m.eventId) ?? null,
        counted: null,
        change: m.delta,
        onHand: running,
        eventId: m.eventId,
      };
    }),
  ];
  const when = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
  const base = explained.count
    ? `Counted ${explained.count.qty} on ${when(explained.count.occurredAt)}`
    : 'Never counted: starts at 0';
  const moved = explained.sum - (explained.count?.qty ?? 0);
  return {
    table: {
      id: 'explain',
      title: `Why ${location} has ${explained.onHand} on hand`,
      description: 'The latest cycle count and every on-hand movement after it, in merge (HLC) order.',
      columns: [
        { key: 'step', label: '#', kind: 'int' },
        { key: 'at', label: 'Happened at', kind: 'datetime' },
        { key: 'event', label: 'Event', kind: 'text' },
        { key: 'node', label: 'Node', kind: 'text' },
        { key: 'counted', label: 'Counted', kind: 'int' },
        { key: 'change', label: 'Change', kind: 'int' },
        { key: 'onHand', label: 'On hand after', kind: 'int' },
        { key: 'eventId', label: 'Event id', kind: 'text' },
      ],
      rows,
      empty: 'No count and no movement: nothing was ever on hand here.',
    },
    note: {
      kind: 'note',
      id: 'explain-sum',
      tone: explained.consistent ? 'good' : 'bad',
      text: `${base}, then ${explained.movements.length} movement(s) adding ${moved > 0 ? '+' : ''}${moved}: ${explained.sum}. The views hold ${explained.onHand} on hand${explained.consistent ? ': they agree.' : ': they DISAGREE, rebuild the views.'}`,
    },
  };
};

/**
 * SKU drill-down: on hand per location today and over time (time travel over the movements
 * ledger), sales velocity and days of cover, and the events that explain one location's on hand.
 * Without a SKU: a catalog search, or the best sellers of the window.
 */
export const skuReport = (rc: ReportContext, q: ReportQuery): Report => {
  const snap = rc.snapshot();
  const nowMs = rc.hub.now();
  const exact =
    q.q === undefined ? undefined : [...snap.catalog.keys()].find((s) => s.toLowerCase() === q.q?.toLowerCase());
  const sku = q.sku ?? exact;
  const locations = snap.locations.filter((l) => q.region === undefined || l.region === q.region);
  const inScope = new Set(locations.map((l) => l.location));
  const head = {
    id: 'sku' as const,
    asOf: new Date(nowMs).toISOString(),
    today: snap.window.today,
    checkpoint: snap.checkpoint,
    currency: snap.currency,
  };
  const searchField: FilterField = {
    name: 'q',
    label: 'SKU or name',
    kind: 'search',
    value: sku ?? q.q ?? '',
    placeholder: 'e.g. SKU-10001 or tent',
  };

  if (sku === undefined) {
    const results = q.q === undefined ? undefined : searchCatalog(snap, q.q);
    const sold = new Map<string, number>();
    if (!results)
      for (const c of snap.cells) if (inScope.has(c.location)) sold.set(c.sku, (sold.get(c.sku) ?? 0) + c.sold);
    const rows = results
      ? results.map((c) => ({ sku: c.sku, name: c.name, category: c.category }))
      : [...sold]
          .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
          .slice(0, TOP_SELLERS)
          .map(([s, units]) => ({
            sku: s,
            name: snap.catalog.get(s)?.name ?? null,
            category: snap.catalog.get(s)?.category ?? null,
            sold: units,
            velocity: velocityOf(units, snap.window.days),
          }));
    return {
      ...head,
      title: 'SKU drill-down',
      intro:
        'Pick a SKU to see its stock per location over time, its velocity and days of cover, and why a store has what it has.',
      filters: [searchField, regionFilter(snap, q.region)],
      query: queryOf({ q: q.q, region: q.region }),
      sections: [
        {
          kind: 'table',
          table: results
            ? {
                id: 'search',
                title: `Catalog matches for “${q.q}”`,
                columns: skuColumns(q.region),
                rows,
                empty: 'No SKU or name matches.',
              }
            : {
                id: 'top-sellers',
                title: `Best sellers, last ${snap.window.days} days`,
                columns: [
                  ...skuColumns(q.region),
                  { key: 'sold', label: `Units sold (${snap.window.days} d)`, kind: 'int' },
                  { key: 'velocity', label: 'Units per day', kind: 'decimal' },
                ],
                rows,
                empty: 'Nothing sold in the window.',
              },
        },
      ],
    };
  }

  const item = snap.catalog.get(sku);
  const cells = snap.cells
    .filter((c) => c.sku === sku && inScope.has(c.location))
    .sort((a, b) => a.location.localeCompare(b.location));
  const sum = (f: (c: CellMetrics) => number) => cells.reduce((s, c) => s + f(c), 0);
  const onHand = sum((c) => c.onHand);
  const sold = sum((c) => c.sold);
  const velocity = velocityOf(sold, snap.window.days);
  const explainAt =
    (q.location && cells.some((c) => c.location === q.location) ? q.location : undefined) ??
    [...cells].sort((a, b) => b.sold - a.sold || a.location.localeCompare(b.location))[0]?.location;

  const daily = new Map<string, number>();
  for (const d of rc.hub.store.all<{ day: string; location: string; units: number }>(
    'SELECT day, location, units FROM daily_sales WHERE sku = ? AND day >= ? AND day <= ?',
    sku,
    snap.window.from,
    snap.window.today,
  ))
    if (inScope.has(d.location)) daily.set(d.day, (daily.get(d.day) ?? 0) + d.units);
  for (const p of snap.handovers)
    if (inScope.has(p.location))
      for (const l of p.lines) if (l.sku === sku) daily.set(p.day, (daily.get(p.day) ?? 0) + l.qty);

  const locationTable: ReportTable = {
    id: 'locations',
    title: 'Locations',
    columns: [
      { key: 'location', label: 'Location', kind: 'text' },
      { key: 'name', label: 'Name', kind: 'text' },
      { key: 'region', label: 'Region', kind: 'text' },
      { key: 'onHand', label: 'On hand', kind: 'int' },
      { key: 'reserved', label: 'Reserved', kind: 'int' },
      {
        key: 'damaged',
        label: 'Damaged',
        kind: 'int',
        help: 'Returned damaged or written off as damage: held, not sellable, not in on hand',
      },
      { key: 'safetyStock', label: 'Safety stock', kind: 'int' },
      { key: 'inTransit', label: 'In transit', kind: 'int', help: 'Shipped towards this location, not received yet' },
      {
        key: 'sold',
        label: `Sold (${snap.window.days} d)`,
        kind: 'int',
        help: 'At the till and handed over to click-and-collect customers',
      },
      { key: 'velocity', label: 'Units per day', kind: 'decimal' },
      { key: 'cover', label: 'Days of cover', kind: 'days', help: 'On hand ÷ units per day; ∞ when nothing sold' },
      { key: 'health', label: 'Health', kind: 'status' },
    ],
    rows: cells.map((c) => ({
      location: c.location,
      name: snap.locationById.get(c.location)?.name ?? null,
      region: snap.locationById.get(c.location)?.region ?? null,
      onHand: c.onHand,
      reserved: c.reserved,
      damaged: c.damaged,
      safetyStock: c.safetyStock,
      inTransit: c.inTransit,
      sold: c.sold,
      velocity: c.velocity,
      cover: c.cover,
      health: c.health,
    })),
    empty: 'No location has a stock record for this SKU.',
    tone: (r) => (r.health === 'stockout' ? 'bad' : r.health === 'below-safety' ? 'warn' : undefined),
  };
  const explained = explainAt ? explainTable(rc, explainAt, sku) : undefined;

  return {
    ...head,
    title: item ? `${sku} · ${item.name}` : sku,
    intro: item
      ? `${item.category ?? 'uncategorised'} · ${(item.priceCents / 100).toFixed(2)} ${item.currency}`
      : 'This SKU is not in the catalog.',
    filters: [
      searchField,
      regionFilter(snap, q.region),
      {
        name: 'location',
        label: 'Explain location',
        kind: 'select',
        value: explainAt ?? '',
        options: cells.map((c) => ({
          value: c.location,
          label: snap.locationById.get(c.location)?.name ?? c.location,
        })),
      },
    ],
    query: queryOf({ sku, region: q.region, location: explainAt }),
    sections: [
      {
        kind: 'kpis',
        items: [
          { id: 'on-hand', label: 'On hand', value: onHand, kind: 'int' },
          countKpi(
            'damaged',
            'Damaged',
            sum((c) => c.damaged),
            'warn',
            'held, not sellable',
          ),
          { id: 'in-transit', label: 'In transit', value: sum((c) => c.inTransit), kind: 'int', hint: 'on its way' },
          { id: 'sold', label: `Sold, last ${snap.window.days} days`, value: sold, kind: 'int' },
          { id: 'velocity', label: 'Units per day', value: velocity, kind: 'decimal' },
          { id: 'cover', label: 'Days of cover', value: daysOfCover(onHand, velocity), kind: 'days' },
          countKpi('stockouts', 'Locations out of stock', cells.filter((c) => c.health === 'stockout').length, 'bad'),
        ],
      },
      {
        kind: 'chart',
        chart: onHandHistory(
          rc,
          sku,
          locations.map((l) => l.location),
          nowMs,
        ),
      },
      {
        kind: 'chart',
        chart: {
          id: 'daily-units',
          title: `Units sold per day, last ${snap.window.days} days`,
          description:
            'Bar chart of units sold per day (till and click-and-collect) at the locations shown; the total is in the Sold column.',
          style: 'bars',
          yLabel: 'Units sold',
          yKind: 'int',
          x: snap.window.dayList.map((d) => Date.parse(`${d}T00:00:00Z`) / 1000),
          series: [{ label: 'units sold', values: snap.window.dayList.map((d) => daily.get(d) ?? 0) }],
        },
      },
      { kind: 'table', table: locationTable },
      ...(explained ? [{ kind: 'table' as const, table: explained.table }, explained.note] : []),
    ],
  };
};
