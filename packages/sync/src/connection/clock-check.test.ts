import { describe, expect, it } from 'vitest';
import { clockCheckOf } from './clock-check.js';

describe('the clock check', () => {
  it('takes the hub’s reading as half-way through the round trip', () => {
    expect(clockCheckOf(10_000, 10_200, { now: 10_100, maxSkewMs: 300_000 })).toEqual({
      skewMs: 0,
      maxSkewMs: 300_000,
      roundTripMs: 200,
      checkedAt: 10_200,
      ok: true,
    });
  });

  it('says how far ahead or behind this terminal is, and whether the hub accepts it', () => {
    const hour = 3_600_000;
    const ahead = clockCheckOf(5 * hour, 5 * hour + 40, { now: 2 * hour - 12 * 60_000, maxSkewMs: 300_000 });
    expect(ahead).toMatchObject({ skewMs: 3 * hour + 12 * 60_000 + 20, ok: false });
    expect(clockCheckOf(0, 0, { now: 300_001, maxSkewMs: 300_000 })).toMatchObject({ skewMs: -300_001, ok: false });
    expect(clockCheckOf(0, 0, { now: 300_000, maxSkewMs: 300_000 })).toMatchObject({ ok: true });
  });
});
