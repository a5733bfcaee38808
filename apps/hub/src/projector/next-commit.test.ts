import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nextCommitAt } from './projector.js';

describe('when a caught-up projector commits next', () => {
  it('at once after a long quiet spell (the first message of the day is not held back)', () => {
    expect(nextCommitAt({ endedAt: Number.NEGATIVE_INFINITY, tookMs: 0, events: 0 })).toBe(Number.NEGATIVE_INFINITY);
    expect(nextCommitAt({ endedAt: 1_000, tookMs: 0.4, events: 3 })).toBeLessThan(1_001);
  });

  it('leaves the thread twice as long as the last flush took, and never more than 250 ms', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1e7, noNaN: true }),
        fc.double({ min: 0, max: 10_000, noNaN: true }),
        (endedAt, tookMs) => {
          // A batch large enough that its own work could take that long.
          const at = nextCommitAt({ endedAt, tookMs, events: 100_000 });
          expect(at - endedAt).toBeCloseTo(Math.min(250, 2 * tookMs), 6);
        },
      ),
    );
  });

  it('does not wait for what a small flush spent off its core: 55 events that took 40 ms are taken as 15.75', () => {
    expect(nextCommitAt({ endedAt: 1_000, tookMs: 40, events: 55 })).toBeCloseTo(1_000 + 2 * (2 + 0.25 * 55), 6);
    fc.assert(
      fc.property(fc.double({ min: 0, max: 10_000, noNaN: true }), fc.nat(20_000), (tookMs, events) => {
        const wait = nextCommitAt({ endedAt: 0, tookMs, events });
        expect(wait).toBeLessThanOrEqual(2 * tookMs + 1e-9);
        expect(wait).toBeLessThanOrEqual(2 * (2 + 0.25 * events) + 1e-9);
        expect(wait).toBeLessThanOrEqual(250);
      }),
    );
  });
});
