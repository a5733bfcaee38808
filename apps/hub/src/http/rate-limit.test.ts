import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limit.js';

describe('token bucket', () => {
  const clock = () => {
    let ms = 0;
    return { now: () => ms, advance: (by: number) => (ms += by) };
  };

  it('lets a burst through, then one request per 1/rate seconds, and says how long to wait', () => {
    const c = clock();
    const limiter = new RateLimiter({ perSecond: 2, burst: 3 }, c.now);
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a')]).toEqual([0, 0, 0]);
    expect(limiter.take('a')).toBeCloseTo(0.5);
    expect(limiter.take('b')).toBe(0);
    c.advance(250);
    expect(limiter.wait('a')).toBeCloseTo(0.25);
    c.advance(250);
    expect(limiter.wait('a')).toBe(0);
    expect(limiter.take('a')).toBe(0);
    expect(limiter.take('a')).toBeGreaterThan(0);
    c.advance(60_000);
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a'), limiter.take('a') > 0]).toEqual([0, 0, 0, true]);
  });

  it('does nothing at rate 0', () => {
    const limiter = new RateLimiter({ perSecond: 0, burst: 1 });
    for (let i = 0; i < 100; i++) expect(limiter.take('a')).toBe(0);
    expect(limiter.enabled).toBe(false);
  });
});
