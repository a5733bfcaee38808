import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compareHlc,
  compareHlcText,
  formatHlc,
  type Hlc,
  HlcText,
  hlcDriftMs,
  hlcNow,
  hlcReceive,
  hlcWallMsOf,
  hlcZero,
  isHlcOfNode,
  parseHlc,
} from './hlc.js';
import { hlcArb, slugArb } from './testing/arbitraries.js';

const at = (wallMs: number, counter: number, node = 'n1'): Hlc => ({ wallMs, counter, node });
const after = (a: Hlc, b: Hlc) => compareHlc(a, b) === 1;

describe('hlcNow', () => {
  it('takes the wall clock when it is ahead of the last timestamp', () => {
    expect(hlcNow(at(100, 7), 250)).toEqual(at(250, 0));
  });

  it('ticks the counter when the wall clock has not moved', () => {
    expect(hlcNow(at(100, 7), 100)).toEqual(at(100, 8));
  });

  it('ticks the counter when the wall clock went backwards', () => {
    expect(hlcNow(at(100, 7), 40)).toEqual(at(100, 8));
  });

  it('rolls a full counter over to the next millisecond', () => {
    expect(hlcNow(at(100, 999_999), 100)).toEqual(at(101, 0));
  });

  it('starts from zero for a fresh node', () => {
    expect(hlcZero('store-1-t1')).toEqual({ wallMs: 0, counter: 0, node: 'store-1-t1' });
  });

  it('is strictly monotonic whatever the wall clock does', () => {
    fc.assert(
      fc.property(
        hlcArb(fc.constant('n1')),
        fc.array(fc.integer({ min: 0, max: 10 ** 14 }), { maxLength: 30 }),
        (start, walls) => {
          let last = { ...start, wallMs: Math.min(start.wallMs, 10 ** 14) };
          for (const wall of walls) {
            const next = hlcNow(last, wall);
            expect(after(next, last)).toBe(true);
            expect(next.wallMs).toBeGreaterThanOrEqual(wall);
            expect(next.node).toBe('n1');
            last = next;
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('hlcReceive', () => {
  it('orders the next local event after a remote timestamp from a fast clock', () => {
    const local = hlcReceive(at(100, 3, 'a'), at(500, 9, 'b'), 200);
    expect(local).toEqual(at(500, 10, 'a'));
  });

  it('takes the larger counter plus one when both clocks are in the same millisecond', () => {
    expect(hlcReceive(at(100, 3, 'a'), at(100, 9, 'b'), 100)).toEqual(at(100, 10, 'a'));
    expect(hlcReceive(at(100, 12, 'a'), at(100, 9, 'b'), 50)).toEqual(at(100, 13, 'a'));
  });

  it('ticks the local counter when the local clock is ahead', () => {
    expect(hlcReceive(at(300, 3, 'a'), at(100, 9, 'b'), 200)).toEqual(at(300, 4, 'a'));
  });

  it('resets the counter when the wall clock is ahead of both', () => {
    expect(hlcReceive(at(100, 3, 'a'), at(200, 9, 'b'), 900)).toEqual(at(900, 0, 'a'));
  });

  it('rolls a full counter over to the next millisecond', () => {
    expect(hlcReceive(at(100, 1, 'a'), at(100, 999_999, 'b'), 100)).toEqual(at(101, 0, 'a'));
  });

  it('is after both the local and the remote timestamp, and keeps the local node', () => {
    const small = fc.integer({ min: 0, max: 10 ** 14 });
    fc.assert(
      fc.property(hlcArb(fc.constant('a')), hlcArb(fc.constant('b')), small, (local, remote, wall) => {
        const l = { ...local, wallMs: local.wallMs % 10 ** 14 };
        const r = { ...remote, wallMs: remote.wallMs % 10 ** 14 };
        const next = hlcReceive(l, r, wall);
        expect(after(next, l)).toBe(true);
        expect(compareHlc({ ...next, node: r.node }, r)).toBe(1);
        expect(next.node).toBe('a');
      }),
      { numRuns: 200 },
    );
  });
});

describe('compareHlc', () => {
  it('orders by wall ms, then counter, then node', () => {
    expect(compareHlc(at(1, 9, 'z'), at(2, 0, 'a'))).toBe(-1);
    expect(compareHlc(at(2, 1, 'a'), at(2, 0, 'z'))).toBe(1);
    expect(compareHlc(at(2, 1, 'a'), at(2, 1, 'b'))).toBe(-1);
    expect(compareHlc(at(2, 1, 'a'), at(2, 1, 'a'))).toBe(0);
  });

  it('is a total order: antisymmetric, transitive, and 0 only for equal timestamps', () => {
    const node = fc.constantFrom('a', 'a-b', 'b', 'store-1');
    const small = fc.record({ wallMs: fc.integer({ min: 0, max: 3 }), counter: fc.integer({ min: 0, max: 2 }), node });
    fc.assert(
      fc.property(small, small, small, (a, b, c) => {
        expect(compareHlc(a, b)).toBe(-compareHlc(b, a) || 0);
        expect(compareHlc(a, b) === 0).toBe(a.wallMs === b.wallMs && a.counter === b.counter && a.node === b.node);
        if (compareHlc(a, b) <= 0 && compareHlc(b, c) <= 0) expect(compareHlc(a, c)).toBeLessThanOrEqual(0);
      }),
      { numRuns: 200 },
    );
  });
});

describe('the text form', () => {
  it('is fixed width: 15-digit ms, 6-digit counter, node', () => {
    expect(formatHlc(at(1_767_225_600_000, 42, 'store-1-t1'))).toBe('001767225600000-000042-store-1-t1');
  });

  it('orders as strings exactly as compareHlc orders the timestamps', () => {
    fc.assert(
      fc.property(hlcArb(), hlcArb(), (a, b) => {
        expect(compareHlcText(formatHlc(a), formatHlc(b))).toBe(compareHlc(a, b));
      }),
      { numRuns: 200 },
    );
  });

  it('orders as strings like compareHlc also for near-equal timestamps and prefix node ids', () => {
    const node = fc.constantFrom('a', 'a-b', 'a0', 'b', 'store-1', 'store-10');
    const near = fc.record({ wallMs: fc.integer({ min: 9, max: 11 }), counter: fc.integer({ min: 9, max: 11 }), node });
    fc.assert(
      fc.property(near, near, (a, b) => {
        expect(compareHlcText(formatHlc(a), formatHlc(b))).toBe(compareHlc(a, b));
      }),
      { numRuns: 200 },
    );
  });

  it('gives its wall clock without a parse, as parseHlc does', () => {
    fc.assert(
      fc.property(hlcArb(), (h) => {
        expect(hlcWallMsOf(formatHlc(h))).toBe(h.wallMs);
        expect(hlcWallMsOf(formatHlc(h))).toBe(parseHlc(formatHlc(h))?.wallMs);
      }),
      { numRuns: 200 },
    );
  });

  it("tells its node without a parse, as parseHlc's node does (suffixes and prefixes of it too)", () => {
    const nodeLike = (node: string) =>
      fc.oneof(
        fc.constant(node),
        slugArb(),
        fc.constant(node.slice(1)),
        fc.constant(`${node}0`),
        fc.constant(`0-${node}`),
      );
    fc.assert(
      fc.property(
        hlcArb().chain((h) => fc.tuple(fc.constant(h), nodeLike(h.node))),
        ([h, node]) => {
          expect(isHlcOfNode(formatHlc(h), node)).toBe(parseHlc(formatHlc(h))?.node === node);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('parses back to the same timestamp', () => {
    fc.assert(
      fc.property(hlcArb(), (h) => {
        expect(parseHlc(formatHlc(h))).toEqual(h);
        expect(HlcText.safeParse(formatHlc(h)).success).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('rejects text that is not an HLC', () => {
    for (const text of ['', '1-2-n', '001767225600000-000042', '001767225600000-42-n', '001767225600000-000042-N']) {
      expect(parseHlc(text)).toBeUndefined();
      expect(HlcText.safeParse(text).success).toBe(false);
    }
  });

  it('accepts every node id the id schema accepts', () => {
    fc.assert(
      fc.property(slugArb(), (node) => {
        expect(parseHlc(formatHlc(at(1, 2, node)))?.node).toBe(node);
      }),
      { numRuns: 100 },
    );
  });
});

describe('hlcDriftMs', () => {
  it('is positive for a timestamp ahead of the wall clock', () => {
    expect(hlcDriftMs(at(1_500, 0), 1_000)).toBe(500);
    expect(hlcDriftMs(at(1_000, 0), 1_500)).toBe(-500);
  });
});
