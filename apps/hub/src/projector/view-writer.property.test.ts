import {
  foldEvents,
  type InventoryEvent,
  initialInventoryState,
  inventoryView,
  stockFiguresOf,
} from '@stocknerve/domain';
import { interleavingArb, permutationArb, withRedeliveriesArb, worldArb } from '@stocknerve/domain/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LEDGER_EPOCH_EVENTS } from '../store/ledger-epochs.js';
import { projectEvents } from '../testing/project-events.js';
import { stockFiguresByCell } from '../views/dump-views.js';
import { nodeWatermark } from '../views/node-status.js';
import { sqlInventoryView } from '../views/sql-inventory-view.js';

// Stream seqs far apart, so that the events fall into several ledger epochs (a late count then has
// to find the movements after it in earlier epochs).
const streamSeqOf = (i: number) => 1 + i * Math.floor(LEDGER_EPOCH_EVENTS / 3);

// Batches of 5: node status and daily sales are aggregated within a batch and across them.
const project = (events: readonly InventoryEvent[]) => projectEvents(events, { streamSeqOf, batch: 5 });

/** Another id for the same event (a node that numbered two events alike): the k-th impostor. */
const impostorOf = (e: InventoryEvent, k: number): InventoryEvent => {
  const tail = (0xa00000000000 + k).toString(16);
  return { ...e, id: `${e.id.slice(0, 24)}${tail === e.id.slice(24) ? 'b'.repeat(12) : tail}` };
};

/**
 * The arrival order with re-sends of some events and impostors of others, anywhere after the event
 * they copy (as JetStream orders them: a copy is published after its original).
 */
const withResendsAndImpostorsArb = (order: readonly InventoryEvent[]): fc.Arbitrary<InventoryEvent[]> =>
  order.length === 0
    ? fc.constant([])
    : fc
        .array(fc.record({ of: fc.nat(order.length - 1), after: fc.nat(order.length), impostor: fc.boolean() }), {
          maxLength: 12,
        })
        .map((extras) => {
          const arrival = [...order];
          extras.forEach((x, k) => {
            const e = order[x.of] as InventoryEvent;
            const original = arrival.indexOf(e);
            const at = original + 1 + (x.after % (arrival.length - original));
            arrival.splice(at, 0, x.impostor ? impostorOf(e, k) : e);
          });
          return arrival;
        });

/** Every cell either side knows, with the other side's figures (zeros where it has none). */
const compareWithPureFold = (events: readonly InventoryEvent[], arrival: readonly InventoryEvent[]) => {
  const pure = foldEvents(events, initialInventoryState());
  const db = project(arrival);
  const sql = stockFiguresByCell(db);
  const cells = new Set([...pure.cells.keys(), ...pure.safetyStock.keys(), ...sql.keys()]);
  for (const key of cells) {
    const [location, sku] = key.split('/') as [string, string];
    const expected = stockFiguresOf(pure, sku, location);
    const actual = sql.get(key) ?? { onHand: 0, reserved: 0, damaged: 0, inTransit: 0, safetyStock: 0 };
    expect(actual, key).toEqual(expected);
  }
  const pureView = inventoryView(pure);
  const sqlView = sqlInventoryView(db);
  for (const id of pure.reservations.keys())
    expect(sqlView.reservation(id)?.status).toBe(pureView.reservation(id)?.status);
  for (const [id, p] of pure.pickups) {
    expect(sqlView.pickup(id)?.completion?.kind ?? null, id).toBe(p.completion?.kind ?? null);
    expect(sqlView.pickup(id)?.order?.lines ?? null, id).toEqual(p.order ? [...p.order.lines] : null);
  }
  // Every node's seqs 1..n all arrived (in some order): the watermark is n, with no gaps left.
  const lastSeq = new Map<string, number>();
  for (const e of events) lastSeq.set(e.node, Math.max(lastSeq.get(e.node) ?? 0, e.seq));
  for (const [node, seq] of lastSeq)
    expect(nodeWatermark(db, node), node).toMatchObject({ watermark: seq, maxSeq: seq, gaps: [] });
  for (const sku of new Set([...pure.networkReserved.keys()]))
    expect(sqlView.networkReserved(sku), sku).toBe(pureView.networkReserved(sku));
  db.close();
};

// The hub's SQL projection must say exactly what the domain's pure fold says, whatever the
// arrival order the network produces and however often JetStream redelivers.
describe('the SQL views equal the pure projection', () => {
  it('for any interleaving of the nodes’ streams (hub facts included)', () => {
    fc.assert(
      fc.property(
        worldArb({ hub: true }).chain((w) => interleavingArb(w.streams).map((arrival) => ({ w, arrival }))),
        ({ w, arrival }) => compareWithPureFold(w.streams.flat(), arrival),
      ),
      { numRuns: 150 },
    );
  });

  it('for store events in any order at all (counts are placed by HLC)', () => {
    fc.assert(
      fc.property(
        worldArb().chain((w) => permutationArb(w.streams.flat()).map((arrival) => ({ w, arrival }))),
        ({ w, arrival }) => compareWithPureFold(w.streams.flat(), arrival),
      ),
      { numRuns: 150 },
    );
  });

  // The dedupe keeps one event per node seq: the first to arrive. The same id again is a re-send;
  // another id under a seq already applied is a node's mistake, refused (dead-lettered). In stream
  // order the node's watermark tells; out of order (store events) the seqs applied above it do.
  const classifiesArrivals = (arrivalArb: fc.Arbitrary<{ events: InventoryEvent[]; arrival: InventoryEvent[] }>) =>
    fc.assert(
      fc.property(arrivalArb, ({ events, arrival }) => {
        const first = new Map<string, string>();
        const expected = arrival.map((e) => {
          const key = `${e.node}#${e.seq}`;
          const id = first.get(key);
          if (id === undefined) {
            first.set(key, e.id);
            return 'applied';
          }
          return id === e.id ? 'duplicate' : 'seq-conflict';
        });
        const outcomes: string[] = [];
        projectEvents(arrival, { streamSeqOf, batch: 5, onOutcome: (_, o) => outcomes.push(o) }).close();
        expect(outcomes).toEqual(expected);
        // An impostor carries the same facts as the event it copies, so the views are the pure
        // fold of the original events.
        compareWithPureFold(events, arrival);
      }),
      { numRuns: 100 },
    );

  it('keeps the first arrival of each node seq (stream order): the same id is a duplicate, another a seq conflict', () =>
    classifiesArrivals(
      worldArb({ hub: true }).chain((w) =>
        interleavingArb(w.streams).chain((order) =>
          withResendsAndImpostorsArb(order).map((arrival) => ({ events: w.streams.flat(), arrival })),
        ),
      ),
    ));

  it('keeps the first arrival of each node seq (any order, seqs applied above a gap)', () =>
    classifiesArrivals(
      worldArb().chain((w) =>
        permutationArb(w.streams.flat()).chain((order) =>
          withResendsAndImpostorsArb(order).map((arrival) => ({ events: w.streams.flat(), arrival })),
        ),
      ),
    ));

  it('with redeliveries of any event', () => {
    fc.assert(
      fc.property(
        worldArb({ hub: true }).chain((w) =>
          interleavingArb(w.streams).chain((order) => withRedeliveriesArb(order).map((arrival) => ({ w, arrival }))),
        ),
        ({ w, arrival }) => compareWithPureFold(w.streams.flat(), arrival),
      ),
      { numRuns: 100 },
    );
  });
});
