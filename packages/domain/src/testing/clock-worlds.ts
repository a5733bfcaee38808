import fc from 'fast-check';
import type { StoredEvent } from '../clock/clock-rule.js';
import type { DecidedEvent } from '../deciders/decision.js';
import type { InventoryEvent } from '../events/registry.js';
import { formatHlc } from '../hlc.js';
import { deterministicEventId } from '../ids.js';
import { stampEvent } from '../stamp.js';

// One store, two SKUs, two terminals with correct clocks and one whose clock is ahead. Each step
// happens at a real time; its node stamps it with its own clock and the stream stores it when the
// node gets it there (at once, or after a spell offline).

export const CLOCK_WORLD_LOCATION = 'store-1';
export const CLOCK_WORLD_SKUS = ['SKU-A', 'SKU-B'] as const;
/** The terminal whose clock is ahead. */
export const FAST_NODE = 'store-1-fast';
const CORRECT_NODES = ['store-1-t1', 'store-1-t2'] as const;

const MIN = 60_000;
const HOUR = 60 * MIN;
const YEAR = 365 * 24 * HOUR;
const START_MS = Date.UTC(2026, 3, 1, 8);
/** Steps happen this far apart (ms): every real time, and so every correct HLC, is distinct. */
const STEP_MS = 10_000;

/** One thing that happened, with its real time and when the stream stored it. */
export interface WorldStep {
  readonly event: InventoryEvent;
  readonly realMs: number;
  readonly storedMs: number;
  /** On-hand change of its SKU; for a count, the counted quantity. */
  readonly sku: string;
  readonly delta: number;
  readonly count: boolean;
}

export interface ClockWorld {
  /** How far ahead the fast terminal's clock is, ms. */
  readonly skewMs: number;
  /** Every step in the order it happened. */
  readonly steps: readonly WorldStep[];
  /** What the stream holds, in its order (by store time). */
  readonly stream: readonly StoredEvent[];
}

export interface ClockWorldOptions {
  /** The fast terminal's lead, ms: [min, max]. */
  readonly skewMs: readonly [number, number];
  /** Whether the fast terminal's events reach the stream as they happen (else after 0-3 h). */
  readonly fastOnline: boolean;
  /** Include counts (default true). */
  readonly counts?: boolean;
  /**
   * After everything else has reached the stream and `settleAfterMs` more have passed, a correct
   * terminal counts every SKU; then come movements only (from every terminal, online or not).
   */
  readonly settleAfterMs?: number;
}

type Action = { readonly k: 'receive' | 'sell' | 'adjust' | 'count'; readonly sku: string; readonly qty: number };

const actionArb = (counts: boolean): fc.Arbitrary<Action> =>
  fc.record({
    k: counts ? fc.constantFrom('receive', 'sell', 'adjust', 'count') : fc.constantFrom('receive', 'sell', 'adjust'),
    sku: fc.constantFrom(...CLOCK_WORLD_SKUS),
    qty: fc.integer({ min: 1, max: 9 }),
  });

const decidedOf = (a: Action, ref: string): { decided: DecidedEvent; delta: number } => {
  switch (a.k) {
    case 'receive':
      return {
        decided: { type: 'GoodsReceived', data: { purchaseOrderId: ref, lines: [{ sku: a.sku, qty: a.qty }] } },
        delta: a.qty,
      };
    case 'sell':
      return {
        decided: {
          type: 'SaleRecorded',
          data: {
            receiptId: ref,
            currency: 'EUR',
            lines: [{ sku: a.sku, qty: a.qty, unitPriceCents: 100 }],
            totalCents: a.qty * 100,
          },
        },
        delta: -a.qty,
      };
    case 'adjust': {
      const delta = a.qty % 2 === 0 ? a.qty : -a.qty;
      return {
        decided: {
          type: 'StockAdjusted',
          data: { adjustmentId: ref, reason: 'correction', lines: [{ sku: a.sku, delta }] },
        },
        delta,
      };
    }
    case 'count':
      return {
        decided: { type: 'CycleCounted', data: { countId: ref, lines: [{ sku: a.sku, countedQty: a.qty }] } },
        delta: a.qty,
      };
  }
};

const stepArb = (counts: boolean, fastOnline: boolean) =>
  fc
    .record({
      fast: fc.boolean(),
      correct: fc.constantFrom(...CORRECT_NODES),
      action: actionArb(counts),
      offline: fc.boolean(),
      delayMs: fc.integer({ min: 0, max: 3 * HOUR }),
    })
    .map((s) => ({ ...s, delayMs: (s.fast && fastOnline) || !s.offline ? 0 : s.delayMs }));

/** A world where one terminal's clock is ahead (see ClockWorldOptions). */
export const clockWorldArb = (options: ClockWorldOptions): fc.Arbitrary<ClockWorld> =>
  fc
    .record({
      skewMs: fc.integer({ min: options.skewMs[0], max: options.skewMs[1] }),
      before: fc.array(stepArb(options.counts ?? true, options.fastOnline), { maxLength: 30 }),
      after: fc.array(stepArb(false, options.fastOnline), { maxLength: options.settleAfterMs === undefined ? 0 : 12 }),
    })
    .map(({ skewMs, before, after }) => {
      const seqs = new Map<string, number>();
      const steps: WorldStep[] = [];
      const add = (node: string, action: Action, realMs: number, storedMs: number) => {
        const seq = (seqs.get(node) ?? 0) + 1;
        seqs.set(node, seq);
        const clockMs = node === FAST_NODE ? realMs + skewMs : realMs;
        const { decided, delta } = decidedOf(action, `${node}.${seq}`);
        const event = stampEvent(decided, {
          id: deterministicEventId(clockMs, node, seq),
          location: CLOCK_WORLD_LOCATION,
          node,
          seq,
          hlc: formatHlc({ wallMs: clockMs, counter: 0, node }),
          occurredAt: new Date(clockMs).toISOString(),
          correlationId: `corr-${node}-${seq}`,
        });
        steps.push({ event, realMs, storedMs, sku: action.sku, delta, count: action.k === 'count' });
      };
      let realMs = START_MS;
      for (const s of before) {
        realMs += STEP_MS;
        add(s.fast ? FAST_NODE : s.correct, s.action, realMs, realMs + s.delayMs);
      }
      if (options.settleAfterMs !== undefined) {
        realMs = Math.max(realMs, ...steps.map((s) => s.storedMs)) + options.settleAfterMs + STEP_MS;
        for (const sku of CLOCK_WORLD_SKUS) {
          realMs += STEP_MS;
          add(CORRECT_NODES[0], { k: 'count', sku, qty: 20 }, realMs, realMs);
        }
        for (const s of after) {
          realMs += STEP_MS;
          add(s.fast ? FAST_NODE : s.correct, s.action, realMs, realMs + s.delayMs);
        }
      }
      const stream = steps
        .map((s, i) => ({ s, i }))
        .sort((a, b) => a.s.storedMs - b.s.storedMs || a.i - b.i)
        .map(({ s }) => ({ event: s.event, storedMs: s.storedMs }));
      return { skewMs, steps, stream };
    });

/** Leads of the fast clock: just past the bound, hours, and decades (a clock set to 2099). */
export const skewBeyond = (maxSkewMs: number): readonly [number, number] => [maxSkewMs + 1, 75 * YEAR];
