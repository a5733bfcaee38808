import { type LinkStatus, linkStatusOf } from '@stocknerve/domain';
import type { HubContext } from '../hub-context.js';
import { locationFreshness } from '../views/freshness.js';
import { REPORTS_BASE } from './paths.js';
import type { LocationRow, Snapshot } from './report-data.js';
import type { Column, FilterField } from './report-model.js';

/** What every report builder gets: the hub and the shared figures of the current checkpoint. */
export interface ReportContext {
  readonly hub: HubContext;
  readonly snapshot: () => Snapshot;
}

/** The region select: every region with a location, or all. */
export const regionFilter = (snapshot: Snapshot, value: string | undefined): FilterField => ({
  name: 'region',
  label: 'Region',
  kind: 'select',
  value: value ?? '',
  options: [
    { value: '', label: 'All regions' },
    ...[...new Set(snapshot.locations.map((l) => l.region))].sort().map((r) => ({ value: r, label: r })),
  ],
});

/** The category select: every catalog category, or all. */
export const categoryFilter = (snapshot: Snapshot, value: string | undefined): FilterField => ({
  name: 'category',
  label: 'Category',
  kind: 'select',
  value: value ?? '',
  options: [
    { value: '', label: 'All categories' },
    ...[...new Set([...snapshot.catalog.values()].map((c) => c.category).filter((c): c is string => c !== null))]
      .sort()
      .map((c) => ({ value: c, label: c })),
  ],
});

/** Query parameters with the unset ones left out. */
export const queryOf = (values: Record<string, string | number | undefined>): Record<string, string> =>
  Object.fromEntries(
    Object.entries(values).flatMap(([k, v]) => (v === undefined || v === '' ? [] : [[k, String(v)] as const])),
  );

/** When the hub last heard from a location and what that makes its link. */
export interface LocationLink {
  readonly lastHeardMs: number | null;
  readonly ageMs: number | null;
  readonly status: LinkStatus;
}

/** How each defined location's link to the hub is doing, by the hub's freshness rules. */
export const locationLinks = (hub: HubContext, nowMs: number): Map<string, LocationLink> => {
  const freshness = locationFreshness(hub.store, hub.config, nowMs);
  return new Map(
    [...freshness].map(([location, f]) => [
      location,
      { lastHeardMs: f.lastHeardMs, ageMs: f.ageMs, status: linkStatusOf(f.ageMs, hub.config.staleAfterMs) },
    ]),
  );
};

/** SKU drill-down link. */
export const skuHref = (sku: string, extra: Record<string, string | undefined> = {}): string =>
  `${REPORTS_BASE}/sku?${new URLSearchParams(queryOf({ sku, ...extra })).toString()}`;

/** The columns that name a location in a table of locations, so every page lists them alike. */
export const LOCATION_COLUMNS: readonly Column[] = [
  { key: 'location', label: 'Location', kind: 'text' },
  { key: 'name', label: 'Name', kind: 'text' },
  { key: 'region', label: 'Region', kind: 'text' },
  { key: 'kind', label: 'Kind', kind: 'text' },
];

/** A location's cells for `LOCATION_COLUMNS`. */
export const locationCells = (l: LocationRow) => ({
  location: l.location,
  name: l.name,
  region: l.region,
  kind: l.kind,
});
