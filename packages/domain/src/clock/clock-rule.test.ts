import { describe, expect, it } from 'vitest';
import type { DecidedEvent } from '../deciders/decision.js';
import { HUB_LOCATION, HUB_NODE } from '../events/envelope.js';
import { eventFactory } from '../testing/event-factory.js';
import { givenStored } from '../testing/specs.js';
import { clockVerdictOf, DEFAULT_MAX_CLOCK_SKEW_MS, IN_TIME, placedEvent } from './clock-rule.js';

// A till whose clock is far ahead stamps HLCs that beat every later real movement: a count from it
// would pin its cell. The hub judges each store event against the time the stream stored it, which
// every replay sees the same.

const T0 = Date.UTC(2026, 5, 1, 9);
const MIN = 60_000;
const HOUR = 60 * MIN;

const counted = (qty: number, countId = `C-${qty}`): DecidedEvent => ({
  type: 'CycleCounted',
  data: { countId, lines: [{ sku: 'SKU-1', countedQty: qty }] },
});
const received = (qty: number, purchaseOrderId = `PO-${qty}`): DecidedEvent => ({
  type: 'GoodsReceived',
  data: { purchaseOrderId, lines: [{ sku: 'SKU-1', qty }] },
});
const sold = (qty: number, receiptId = `R-${qty}`): DecidedEvent => ({
  type: 'SaleRecorded',
  data: { receiptId, currency: 'EUR', lines: [{ sku: 'SKU-1', qty, unitPriceCents: 100 }], totalCents: qty * 100 },
});

/** An event of `node` at store-1 whose clock read `clockMs` when it was recorded. */
const recorded = (clockMs: number, decided: DecidedEvent, node = 'store-1-t1') =>
  eventFactory({ location: 'store-1', node, startMs: clockMs, stepMs: 0 }).next(decided);

/** Stored `at` (ms) by the stream, recorded by a correct clock at the same moment. */
const onTime = (at: number, decided: DecidedEvent, node = 'store-1-t2') => ({
  event: recorded(at, decided, node),
  storedMs: at,
});

const FUTURE = Date.UTC(2099, 0, 1);

describe('the clock rule', () => {
  it('applies an event recorded at most the bound ahead of its store time as it is', () => {
    const event = recorded(T0 + DEFAULT_MAX_CLOCK_SKEW_MS, counted(4));
    expect(clockVerdictOf(event, T0, DEFAULT_MAX_CLOCK_SKEW_MS)).toBe(IN_TIME);
    expect(
      givenStored([onTime(T0 - MIN, received(10))])
        .when(event, T0)
        .figures('SKU-1', 'store-1').onHand,
    ).toBe(4);
  });

  it('applies events of clocks behind, or of nodes that were offline, as they are', () => {
    const offline = recorded(T0 - 3 * HOUR, sold(2));
    expect(clockVerdictOf(offline, T0, DEFAULT_MAX_CLOCK_SKEW_MS)).toBe(IN_TIME);
  });

  it('holds a count from a clock more than the bound ahead: it is not applied', () => {
    const then = givenStored([onTime(T0, received(10))]).when(recorded(FUTURE, counted(3)), T0 + MIN);
    expect(then.verdict).toEqual({ kind: 'held', aheadMs: FUTURE - T0 - MIN });
    expect(then.figures('SKU-1', 'store-1').onHand).toBe(10);
  });

  it('so a future-dated count does not hide the real movements after it', () => {
    const then = givenStored([
      onTime(T0, received(10)),
      { event: recorded(FUTURE, counted(3)), storedMs: T0 + MIN },
      onTime(T0 + 2 * MIN, sold(4)),
    ]).when(recorded(T0 + 3 * MIN, received(5, 'PO-later')), T0 + 3 * MIN);
    expect(then.figures('SKU-1', 'store-1').onHand).toBe(10 - 4 + 5);
  });

  it('counts a movement from a clock ahead, placed at its store time', () => {
    const sale = recorded(FUTURE, sold(2));
    const then = givenStored([onTime(T0, received(10))]).when(sale, T0 + MIN);
    expect(then.verdict).toEqual({
      kind: 'placed-at-store-time',
      aheadMs: FUTURE - T0 - MIN,
      hlc: `${String(T0 + MIN).padStart(15, '0')}${sale.hlc.slice(15)}`,
    });
    expect(then.figures('SKU-1', 'store-1').onHand).toBe(8);
  });

  it('so a real count after its store time subsumes it, and one before leaves it on top', () => {
    const sale = { event: recorded(FUTURE, sold(2)), storedMs: T0 + 2 * MIN };
    const countAfter = givenStored([onTime(T0, received(10)), sale]).when(
      recorded(T0 + 3 * MIN, counted(7), 'store-1-t2'),
      T0 + 3 * MIN,
    );
    expect(countAfter.figures('SKU-1', 'store-1').onHand).toBe(7);
    const countBefore = givenStored([onTime(T0, received(10)), onTime(T0 + MIN, counted(9))]).when(
      sale.event,
      sale.storedMs,
    );
    expect(countBefore.figures('SKU-1', 'store-1').onHand).toBe(7);
  });

  it('places its day at the store time too, when its own time is as far ahead', () => {
    const sale = recorded(FUTURE, sold(1));
    const verdict = clockVerdictOf(sale, T0, DEFAULT_MAX_CLOCK_SKEW_MS);
    expect(placedEvent(sale, verdict, T0, DEFAULT_MAX_CLOCK_SKEW_MS).occurredAt).toBe(new Date(T0).toISOString());
  });

  it('never judges the hub’s own events', () => {
    const hub = eventFactory({ location: HUB_LOCATION, node: HUB_NODE, startMs: FUTURE }).next({
      type: 'SafetyStockSet',
      data: { sku: 'SKU-1', location: 'store-1', qty: 2 },
    });
    expect(clockVerdictOf(hub, T0, DEFAULT_MAX_CLOCK_SKEW_MS)).toBe(IN_TIME);
  });

  it('remembers a held count: sent again, it is still not applied', () => {
    const count = recorded(FUTURE, counted(3));
    const then = givenStored([onTime(T0, received(10)), { event: count, storedMs: T0 + MIN }]).when(
      count,
      T0 + 5 * MIN,
    );
    expect(then.figures('SKU-1', 'store-1').onHand).toBe(10);
  });

  it('takes its bound from the hub’s configuration', () => {
    const count = recorded(T0 + 2 * MIN, counted(3));
    expect(givenStored([], MIN).when(count, T0).verdict.kind).toBe('held');
    expect(givenStored([], 3 * MIN).when(count, T0).verdict.kind).toBe('in-time');
  });
});
