import { describe, expect, it } from 'vitest';
import { stampEvent } from './stamp.js';

const envelope = {
  id: '019b76da-a800-7000-8000-000000000000',
  location: 'store-1',
  node: 'store-1-t1',
  seq: 1,
  hlc: '001767225600000-000000-store-1-t1',
  occurredAt: '2026-01-01T00:00:00.000Z',
  correlationId: 'corr-1',
};

describe('stampEvent', () => {
  it('wraps a decided fact in the envelope at the current schema version', () => {
    const event = stampEvent(
      { type: 'StockAdjusted', data: { adjustmentId: 'A-1', reason: 'found', lines: [{ sku: 'S', delta: 2 }] } },
      envelope,
    );
    expect(event).toEqual({
      ...envelope,
      type: 'StockAdjusted',
      version: 2,
      data: { adjustmentId: 'A-1', reason: 'found', lines: [{ sku: 'S', delta: 2 }] },
    });
  });

  it('refuses to produce an invalid event, naming the field', () => {
    expect(() =>
      stampEvent({ type: 'GoodsReceived', data: { purchaseOrderId: 'PO-1', lines: [{ sku: 'S', qty: 0 }] } }, envelope),
    ).toThrow(/stampEvent: invalid GoodsReceived: data\.lines\.0\.qty: qty must be positive/);
    expect(() =>
      stampEvent({ type: 'ReservationConfirmed', data: { reservationId: 'R-1' } }, { ...envelope, seq: 0 }),
    ).toThrow(/seq: seq starts at 1/);
  });
});
