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
