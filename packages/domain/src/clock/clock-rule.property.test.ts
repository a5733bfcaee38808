import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { initialInventoryState } from '../projection/state.js';
import { stockFiguresOf } from '../projection/view.js';
import { permutationArb } from '../testing/arbitraries.js';
import {
  CLOCK_WORLD_LOCATION,
  CLOCK_WORLD_SKUS,
  type ClockWorld,
  clockWorldArb,
  FAST_NODE,
  skewBeyond,
  type WorldStep,
} from '../testing/clock-worlds.js';
import { clockVerdictOf, foldStoredEvents, type StoredEvent } from './clock-rule.js';

// One terminal's clock is ahead (from just past the bound to a clock set decades ahead); the others
// are right. Whatever the fast clock says, the hub's figures must stay those of the real world.

const BOUND = 5 * 60_000;
const RUNS = { numRuns: 200 };

const onHandBySku = (stream: readonly StoredEvent[]) => {
  const state = foldStoredEvents(stream, initialInventoryState(), BOUND);
  return CLOCK_WORLD_SKUS.map((sku) => stockFiguresOf(state, sku, CLOCK_WORLD_LOCATION).onHand);
};

/** On hand walked through the steps in the order they really happened, skipping `skip`. */
const physical = (steps: readonly WorldStep[], skip: (s: WorldStep) => boolean) =>
  CLOCK_WORLD_SKUS.map((sku) =>
    steps
      .filter((s) => s.sku === sku && !skip(s))
      .sort((a, b) => a.realMs - b.realMs)
      .reduce((onHand, s) => (s.count ? s.delta : onHand + s.delta), 0),
  );

const isFast = (s: WorldStep) => s.event.node === FAST_NODE;

describe('a clock ahead of the stream never pins a cell', () => {
  it('its counts are held and its movements placed at their store time: the figures are the real world’s without its counts', () => {
    fc.assert(
      fc.property(clockWorldArb({ skewMs: skewBeyond(BOUND), fastOnline: true }), (world) => {
        for (const s of world.steps.filter(isFast))
          expect(clockVerdictOf(s.event, s.storedMs, BOUND).kind).toBe(s.count ? 'held' : 'placed-at-store-time');
        expect(onHandBySku(world.stream)).toEqual(physical(world.steps, (s) => isFast(s) && s.count));
      }),
      RUNS,
    );
  });

  it('whatever it recorded and whenever it arrived, a later correct count and the movements after it are the figure', () => {
    fc.assert(
      fc.property(
        clockWorldArb({ skewMs: [0, skewBeyond(BOUND)[1]], fastOnline: false, settleAfterMs: BOUND }),
        (world) => {
          const settled = world.steps.filter((s) => s.count && !isFast(s)).slice(-CLOCK_WORLD_SKUS.length);
          const settledAt = Math.min(...settled.map((s) => s.realMs));
          const expected = CLOCK_WORLD_SKUS.map(
            (sku) =>
              20 +
              world.steps
                .filter((s) => s.sku === sku && s.realMs > settledAt && !s.count)
                .reduce((n, s) => n + s.delta, 0),
          );
          expect(onHandBySku(world.stream)).toEqual(expected);
        },
      ),
      RUNS,
    );
  });
});

describe('movements always count', () => {
  it('without counts, on hand is the sum of every movement, whatever each clock said', () => {
    fc.assert(
      fc.property(clockWorldArb({ skewMs: [0, skewBeyond(BOUND)[1]], fastOnline: false, counts: false }), (world) => {
        expect(onHandBySku(world.stream)).toEqual(physical(world.steps, () => false));
      }),
      RUNS,
    );
  });
});

describe('replay', () => {
  const worlds = fc.oneof(
    clockWorldArb({ skewMs: skewBeyond(BOUND), fastOnline: true }),
    clockWorldArb({ skewMs: [0, skewBeyond(BOUND)[1]], fastOnline: false }),
  );
  const withOrder = (w: fc.Arbitrary<ClockWorld>) =>
    w.chain((world) => permutationArb(world.stream).map((order) => ({ world, order })));

  it('gives the same figures however the stored messages are delivered: the verdict depends only on each message', () => {
    fc.assert(
      fc.property(withOrder(worlds), ({ world, order }) => {
        expect(onHandBySku(order)).toEqual(onHandBySku(world.stream));
      }),
      RUNS,
    );
  });

  it('gives the same whole state twice over (a rebuild sees the same store times)', () => {
    fc.assert(
      fc.property(worlds, (world) => {
        const once = foldStoredEvents(world.stream, initialInventoryState(), BOUND);
        const again = foldStoredEvents(world.stream, initialInventoryState(), BOUND);
        expect(again).toEqual(once);
      }),
      { numRuns: 50 },
    );
  });
});
