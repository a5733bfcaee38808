// One definition of a location's link to the hub, shared by the availability API's stale flag and
// every report, so that the same network shows the same counts everywhere.

/** A location (or node) not heard from for more than this many stale periods is offline. Default 6 (30 min with the 5 min default). */
export const OFFLINE_AFTER_STALE_PERIODS = 6;

/**
 * What a manager needs to know about a store's link to the hub:
 * - `online`: heard from within `staleAfterMs` (the hub's trust setting, default 5 min);
 * - `stale`: not heard from for longer, so the hub holds back a buffer of its stock from promises;
 * - `offline`: never heard from, or silent for more than 6 stale periods.
 */
export type LinkStatus = 'online' | 'stale' | 'offline';

/** The link status of something last heard `ageMs` ago (null: never). */
export const linkStatusOf = (ageMs: number | null, staleAfterMs: number): LinkStatus => {
  if (ageMs === null || ageMs > staleAfterMs * OFFLINE_AFTER_STALE_PERIODS) return 'offline';
  return ageMs > staleAfterMs ? 'stale' : 'online';
};

/** Whether the hub should stop trusting a location's stock in full: anything not online (stale or offline). */
export const isStale = (ageMs: number | null, staleAfterMs: number): boolean =>
  linkStatusOf(ageMs, staleAfterMs) !== 'online';

/** How many of the given statuses are online, stale and offline. */
export const countLinks = (statuses: Iterable<LinkStatus>): Record<LinkStatus, number> => {
  const counts: Record<LinkStatus, number> = { online: 0, stale: 0, offline: 0 };
  for (const s of statuses) counts[s]++;
  return counts;
};
