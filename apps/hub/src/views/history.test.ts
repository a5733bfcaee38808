import {
  foldEvents,
  hlcWallMsOf,
  type InventoryEvent,
  initialInventoryState,
  stockFiguresOf,
} from '@stocknerve/domain';
import { permutationArb, worldArb } from '@stocknerve/domain/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LEDGER_EPOCH_EVENTS } from '../store/ledger-epochs.js';
import { projectEvents } from '../testing/project-events.js';
import { cellLedger, explainOnHand, hlcUpperBound, type LedgerLine, stockAsOf } from './history.js';

/** Applies the events in arrival order, the i-th at stream seq `streamSeqOf(i)`, in batches of 4. */
const project = (arrival: readonly InventoryEvent[], streamSeqOf: (i: number) => number) =>
  projectEvents(arrival, { streamSeqOf, batch: 4 });

/** A cell's ledger replayed in HLC order (a count sets the level): its on hand today. */
const replay = (lines: readonly LedgerLine[]) =>
  lines.reduce(
    (level, l) => (l.bucket === 'count' ? (l.countedQty ?? 0) : l.bucket === 'on_hand' ? level + l.delta : level),
    0,
  );

/** An answer without the stream seqs it names (they differ between the two projections). */
const withoutSeqs = (a: ReturnType<typeof stockAsOf>) => ({
  ...a,
  count: a.count ? { ...a.count, streamSeq: undefined } : null,
});

/** What the pure fold says a cell held once every event up to `ms` (by HLC) had happened. */
const pureAsOf = (events: readonly InventoryEvent[], location: string, sku: string, ms: number) => {
  const bound = hlcUpperBound(ms);
  const f = stockFiguresOf(
    foldEvents(
      events.filter((e) => e.hlc <= bound),
      initialInventoryState(),
    ),
    sku,
    location,
  );
  return { onHand: f.onHand, damaged: f.damaged };
};

// The ledger is split into epochs of the stream. Whether a cell's lines sit in one epoch or are
// spread over many (an offline count arriving epochs after the sales it covers), history and
// explain must answer as the pure fold does.
describe('history over the ledger epochs', () => {
  it('as-of and explain answer the same however the stream falls into epochs, and as the pure fold', () => {
    fc.assert(
      fc.property(
        worldArb().chain((w) => permutationArb(w.streams.flat()).map((arrival) => ({ w, arrival }))),
        ({ w, arrival }) => {
          const events = w.streams.flat();
          const oneEpoch = project(arrival, (i) => i + 1);
          const manyEpochs = project(arrival, (i) => 1 + i * Math.floor(LEDGER_EPOCH_EVENTS / 2));
          const times = [...new Set(events.flatMap((e) => [hlcWallMsOf(e.hlc) - 1, hlcWallMsOf(e.hlc)]))];
          for (const location of w.locations)
            for (const sku of w.skus) {
              for (const ms of times) {
                const spread = stockAsOf(manyEpochs, location, sku, ms);
                expect(withoutSeqs(spread), `${location}/${sku} at ${ms}`).toEqual(
                  withoutSeqs(stockAsOf(oneEpoch, location, sku, ms)),
                );
                expect(spread, `${location}/${sku} at ${ms}`).toMatchObject(pureAsOf(events, location, sku, ms));
              }
              const onHand = stockFiguresOf(foldEvents(events, initialInventoryState()), sku, location).onHand;
              const ledger = cellLedger(manyEpochs, location, sku);
              expect(ledger.map(({ streamSeq, ...line }) => line)).toEqual(
                cellLedger(oneEpoch, location, sku).map(({ streamSeq, ...line }) => line),
              );
              expect(replay(ledger), `${location}/${sku}`).toBe(onHand);
              const explained = explainOnHand(manyEpochs, location, sku);
              const single = explainOnHand(oneEpoch, location, sku);
              expect(explained.consistent, `${location}/${sku}`).toBe(true);
              expect(explained.onHand).toBe(onHand);
              expect(explained.count?.hlc ?? null).toBe(single.count?.hlc ?? null);
              expect(explained.movements.map((m) => [m.hlc, m.delta, m.eventId])).toEqual(
                single.movements.map((m) => [m.hlc, m.delta, m.eventId]),
              );
            }
          oneEpoch.close();
          manyEpochs.close();
        },
      ),
      { numRuns: 100 },
    );
  });
});
