/**
 * Exponential backoff with full jitter (ms): a fleet of terminals reconnecting after a hub outage
 * spreads out instead of arriving at once. Default 250 ms doubling up to 15 s.
 */
export const backoffMs = (attempt: number, baseMs = 250, maxMs = 15_000, random: () => number = Math.random): number =>
  Math.floor(random() * Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 20)));
