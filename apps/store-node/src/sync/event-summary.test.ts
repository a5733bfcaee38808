import { describe, expect, it } from 'vitest';
import { eventSummary } from './event-summary.js';

describe('eventSummary', () => {
  it('names the document and its size', () => {
    expect(eventSummary({ data: { receiptId: 'R-1', lines: [{}, {}] } })).toBe('R-1 · 2 lines');
    expect(eventSummary({ data: { transferId: 'T-1', to: 'store-002', lines: [{}] } })).toBe(
      'T-1 · 1 line · to store-002',
    );
    expect(eventSummary({ data: { pickupId: 'pk-1', reason: 'item-not-found' } })).toBe('pk-1 · item-not-found');
  });
});
