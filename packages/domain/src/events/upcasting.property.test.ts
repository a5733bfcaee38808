import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { foldEvents } from '../projection/apply-event.js';
import { initialInventoryState } from '../projection/state.js';
import { stockFiguresOf } from '../projection/view.js';
import { stockAdjustedV1Arb } from '../testing/arbitraries.js';
import { type InventoryEvent, parseEvent, parseEventJson } from './registry.js';

const figuresAfter = (event: InventoryEvent, sku: string) =>
  stockFiguresOf(foldEvents([event], initialInventoryState()), sku, event.location);

describe('upcasting StockAdjusted v1 to v2', () => {
  it('keeps the envelope, sku, delta and reason of any valid v1 event', () => {
    fc.assert(
      fc.property(stockAdjustedV1Arb(), (v1) => {
        const result = parseEvent(v1);
        expect(result.ok).toBe(true);
        if (!result.ok || result.event.type !== 'StockAdjusted') return;
        const { data, ...envelope } = result.event;
        const { data: oldData, ...oldEnvelope } = v1;
        expect(result.upcastFrom).toBe(1);
        expect(envelope).toEqual({ ...oldEnvelope, version: 2 });
        expect(data).toEqual({
          adjustmentId: oldData.adjustmentId,
          reason: oldData.reason,
          lines: [{ sku: oldData.sku, delta: oldData.delta }],
        });
      }),
      { numRuns: 200 },
    );
  });

  it('projects the same figures as the equivalent v2 event', () => {
    fc.assert(
      fc.property(stockAdjustedV1Arb(), (v1) => {
        const { adjustmentId, reason, sku, delta } = v1.data;
        const v2 = { ...v1, version: 2, data: { adjustmentId, reason, lines: [{ sku, delta }] } };
        const fromV1 = parseEvent(v1);
        const fromV2 = parseEvent(v2);
        if (!fromV1.ok || !fromV2.ok) throw new Error('expected both to parse');
        expect(fromV2.upcastFrom).toBeUndefined();
        expect(figuresAfter(fromV1.event, sku)).toEqual(figuresAfter(fromV2.event, sku));
        expect(figuresAfter(fromV1.event, sku).onHand).toBe(delta);
      }),
      { numRuns: 200 },
    );
  });

  it('still projects from JSON text, as stored in a log', () => {
    fc.assert(
      fc.property(stockAdjustedV1Arb(), (v1) => {
        const result = parseEventJson(JSON.stringify(v1));
        if (!result.ok) throw new Error(result.message);
        expect(figuresAfter(result.event, v1.data.sku).onHand).toBe(v1.data.delta);
      }),
      { numRuns: 100 },
    );
  });
});
