import { describe, expect, it } from 'vitest';
import { countLinks, isStale, linkStatusOf } from './link-status.js';

const MIN = 60_000;

describe('link status', () => {
  it('online within the stale period, stale after it, offline after 6 periods or never heard', () => {
    expect(linkStatusOf(5 * MIN, 5 * MIN)).toBe('online');
    expect(linkStatusOf(5 * MIN + 1, 5 * MIN)).toBe('stale');
    expect(linkStatusOf(30 * MIN, 5 * MIN)).toBe('stale');
    expect(linkStatusOf(30 * MIN + 1, 5 * MIN)).toBe('offline');
    expect(linkStatusOf(null, 5 * MIN)).toBe('offline');
  });

  it('stale (the API flag) is anything not online, so its count is the stale plus offline of the reports', () => {
    const ages = [0, 6 * MIN, null, 40 * MIN, 2 * MIN];
    const counts = countLinks(ages.map((a) => linkStatusOf(a, 5 * MIN)));
    expect(counts).toEqual({ online: 2, stale: 1, offline: 2 });
    expect(ages.filter((a) => isStale(a, 5 * MIN))).toHaveLength(counts.stale + counts.offline);
  });
});
