import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nextCommitAt } from './projector.js';

describe('when a caught-up projector commits next', () => {
  it('at once after a long quiet spell (the first message of the day is not held back)', () => {
    expect(nextCommitAt({ endedAt: Number.NEGATIVE_INFINITY, tookMs: 0 })).toBe(Number.NEGATIVE_INFINITY);
    expect(nextCommitAt({ endedAt: 1_000, tookMs: 0.4 })).toBeLessThan(1_001);
  });

  it('leaves the thread twice as long as the last flush took, and never more than 250 ms', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1e7, noNaN: true }),
        fc.double({ min: 0, max: 10_000, noNaN: true }),
        (endedAt, tookMs) => {
          const at = nextCommitAt({ endedAt, tookMs });
          expect(at - endedAt).toBeCloseTo(Math.min(250, 2 * tookMs), 6);
        },
      ),
    );
  });
});
