import { isStale, type LocationTrust } from '@stocknerve/domain';
import type { SqlStore } from '../store/sql-store.js';
import { readMemoOf } from './read-memo.js';

export interface LocationFreshness {
  readonly location: string;
  /** Last time the hub heard from any node of the location (event stored or heartbeat), ms; null: never. */
  readonly lastHeardMs: number | null;
  /** ms since then (null: never heard). */
  readonly ageMs: number | null;
  readonly stale: boolean;
}

export interface FreshnessPolicy {
  readonly staleAfterMs: number;
  readonly stalePolicy: 'buffer' | 'exclude';
  readonly staleBufferUnits: number;
}

/**
 * How long an answer is remembered while the views do not change, ms: the availability answers, and
 * "last heard" they are built on (heartbeats do not move the views' version, so age alone renews it).
 */
export const ANSWER_MAX_AGE_MS = 1000;

/** When the hub last heard from each defined location, and whether that is too long ago. */
export const locationFreshness = (
  db: SqlStore,
  policy: FreshnessPolicy,
  nowMs: number,
): Map<string, LocationFreshness> => {
  // Heartbeats do not move the store's version (SqlStore.runLive): what they say is read again
  // once this old, like the availability answers built on it.
  const rows = readMemoOf(db)
    .current()
    .getFresh('freshness:last-heard', nowMs, ANSWER_MAX_AGE_MS, () =>
      db.all<{ location: string; heard: number | null }>(
        `SELECT l.location AS location, MAX(h.heard) AS heard FROM locations l LEFT JOIN (
       SELECT location, last_heard_ms AS heard FROM node_status
       UNION ALL SELECT location, last_heartbeat_ms AS heard FROM node_heartbeats) h ON h.location = l.location
     GROUP BY l.location`,
      ),
    );
  return new Map(
    rows.map((r) => {
      const ageMs = r.heard === null ? null : Math.max(0, nowMs - r.heard);
      return [
        r.location,
        { location: r.location, lastHeardMs: r.heard, ageMs, stale: isStale(ageMs, policy.staleAfterMs) },
      ];
    }),
  );
};

/** Turns freshness into the ATP trust of each location: a stale one gets a buffer or is left out. */
export const trustFrom = (
  freshness: ReadonlyMap<string, LocationFreshness>,
  policy: FreshnessPolicy,
): ((location: string) => LocationTrust) => {
  // One object per kind: the availability API asks this of every location for every SKU it computes.
  const stale: LocationTrust =
    policy.stalePolicy === 'exclude' ? EXCLUDE : { kind: 'buffer', units: policy.staleBufferUnits };
  return (location) => {
    const f = freshness.get(location);
    return f && !f.stale ? FULL : stale;
  };
};

const FULL: LocationTrust = Object.freeze({ kind: 'full' });
const EXCLUDE: LocationTrust = Object.freeze({ kind: 'exclude' });
