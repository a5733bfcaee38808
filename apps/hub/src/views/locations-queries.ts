import type { LocationInfo } from '@stocknerve/domain';
import type { SqlStore } from '../store/sql-store.js';
import { type FreshnessPolicy, locationFreshness } from './freshness.js';
import { sqlInventoryView } from './sql-inventory-view.js';

export interface LocationWithFreshness extends LocationInfo {
  readonly lastHeardAt: string | null;
  readonly ageMs: number | null;
  readonly stale: boolean;
}

/** Every defined location with when the hub last heard from it. */
export const locationsWithFreshness = (
  store: SqlStore,
  policy: FreshnessPolicy,
  nowMs: number,
): LocationWithFreshness[] => {
  const freshness = locationFreshness(store, policy, nowMs);
  return sqlInventoryView(store)
    .locations()
    .map((l) => {
      const f = freshness.get(l.location);
      return {
        ...l,
        lastHeardAt: f?.lastHeardMs == null ? null : new Date(f.lastHeardMs).toISOString(),
        ageMs: f?.ageMs ?? null,
        stale: f?.stale ?? true,
      };
    });
};
