import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { InventoryEvent } from '../events/registry.js';
import { interleavingArb, permutationArb, type World, withRedeliveriesArb, worldArb } from '../testing/arbitraries.js';
import { foldEvents } from './apply-event.js';
import { initialInventoryState } from './state.js';
import { stockFiguresOf } from './view.js';

// Nodes record offline and sync in any order; the hub and every node must still agree on the stock.
// Each world is 2-4 store nodes at 1-2 locations (plus the hub, where stated), each with its own
// ordered stream of events and its own clock, so the HLCs of different nodes interleave.

const RUNS = { numRuns: 150 };

/** Every stock figure of every (location, sku) of the world, after folding the events. */
const figures = (world: World, events: readonly InventoryEvent[]) => {
  const state = foldEvents(events, initialInventoryState());
  return world.locations.flatMap((location) =>
    world.skus.map((sku) => ({ location, sku, ...stockFiguresOf(state, sku, location) })),
  );
};

/** Node by node, each in its own order: one valid delivery to compare every other against. */
const inNodeOrder = (world: World) => world.streams.flat();

const withDelivery = (world: fc.Arbitrary<World>, delivery: (w: World) => fc.Arbitrary<InventoryEvent[]>) =>
  world.chain((w) => delivery(w).map((events) => ({ world: w, events })));

describe('arrival-order independence', () => {
  it('any interleaving that keeps each node’s own order gives the same figures (with the hub)', () => {
    fc.assert(
      fc.property(
        withDelivery(worldArb({ hub: true }), (w) => interleavingArb(w.streams)),
        ({ world, events }) => {
          expect(figures(world, events)).toEqual(figures(world, inNodeOrder(world)));
        },
      ),
      RUNS,
    );
  });

  it('even a fully random permutation of store events gives the same figures (counts are placed by HLC)', () => {
    fc.assert(
      fc.property(
        withDelivery(worldArb(), (w) => permutationArb(inNodeOrder(w))),
        ({ world, events }) => {
          expect(figures(world, events)).toEqual(figures(world, inNodeOrder(world)));
        },
      ),
      RUNS,
    );
  });
});

describe('idempotency', () => {
  it('redelivered events change nothing (with the hub)', () => {
    fc.assert(
      fc.property(
        withDelivery(worldArb({ hub: true }), (w) => interleavingArb(w.streams).chain(withRedeliveriesArb)),
        ({ world, events }) => {
          expect(figures(world, events)).toEqual(figures(world, inNodeOrder(world)));
        },
      ),
      RUNS,
    );
  });

  it('duplicates of store events anywhere, in any order, change nothing', () => {
    fc.assert(
      fc.property(
        withDelivery(worldArb(), (w) => withRedeliveriesArb(inNodeOrder(w)).chain(permutationArb)),
        ({ world, events }) => {
          expect(events.length).toBeGreaterThanOrEqual(inNodeOrder(world).length);
          expect(figures(world, events)).toEqual(figures(world, inNodeOrder(world)));
        },
      ),
      RUNS,
    );
  });
});

/**
 * What the figures must be without counts, summed straight from the events: on hand = received −
 * sold + returned to sellable ± adjustments − shipped + transfers received − handed over; damaged =
 * returned as damaged + damage adjustments; in transit = shipped towards here, not yet received.
 */
const expectedWithoutCounts = (events: readonly InventoryEvent[]) => {
  const onHand = new Map<string, number>();
  const damaged = new Map<string, number>();
  const inTransit = new Map<string, number>();
  const add = (map: Map<string, number>, location: string, sku: string, qty: number) =>
    map.set(`${location}/${sku}`, (map.get(`${location}/${sku}`) ?? 0) + qty);
  const received = new Set(events.filter((e) => e.type === 'TransferReceived').map((e) => e.data.transferId));
  for (const e of events) {
    switch (e.type) {
      case 'GoodsReceived':
        for (const l of e.data.lines) add(onHand, e.location, l.sku, l.qty);
        break;
      case 'SaleRecorded':
        for (const l of e.data.lines) add(onHand, e.location, l.sku, -l.qty);
        break;
      case 'ReturnRecorded':
        for (const l of e.data.lines) add(l.restockTo === 'sellable' ? onHand : damaged, e.location, l.sku, l.qty);
        break;
      case 'StockAdjusted':
        for (const l of e.data.lines) {
          add(onHand, e.location, l.sku, l.delta);
          if (e.data.reason === 'damage') add(damaged, e.location, l.sku, -l.delta);
        }
        break;
      case 'TransferShipped':
        for (const l of e.data.lines) {
          add(onHand, e.location, l.sku, -l.qty);
          if (!received.has(e.data.transferId)) add(inTransit, e.data.to, l.sku, l.qty);
        }
        break;
      case 'TransferReceived':
        for (const l of e.data.lines) add(onHand, e.location, l.sku, l.qty);
        break;
      case 'PickupHandedOver':
        for (const l of e.data.lines) add(onHand, e.location, l.sku, -l.qty);
        break;
      default:
        break;
    }
  }
  return { onHand, damaged, inTransit };
};

describe('conservation', () => {
  it('without counts, every unit is accounted for by the events that moved it', () => {
    fc.assert(
      fc.property(
        withDelivery(worldArb({ counts: false, hub: true }), (w) => interleavingArb(w.streams)),
        ({ world, events }) => {
          const expected = expectedWithoutCounts(events);
          for (const f of figures(world, events)) {
            const key = `${f.location}/${f.sku}`;
            expect(f.onHand, `on hand ${key}`).toBe(expected.onHand.get(key) ?? 0);
            expect(f.damaged, `damaged ${key}`).toBe(expected.damaged.get(key) ?? 0);
            expect(f.inTransit, `in transit ${key}`).toBe(expected.inTransit.get(key) ?? 0);
          }
        },
      ),
      RUNS,
    );
  });
});
