import { describe, expect, it } from 'vitest';
import { compareHlcText, parseHlc } from '../hlc.js';
import { deterministicEventId } from '../ids.js';
import { eventFactory } from './event-factory.js';

const received = { type: 'GoodsReceived' as const, data: { purchaseOrderId: 'PO', lines: [{ sku: 'S', qty: 1 }] } };

describe('eventFactory', () => {
  it('stamps gap-free seq from 1 and strictly increasing HLCs from its simulated clock', () => {
    const factory = eventFactory({ location: 'store-1', node: 'store-1-t1', startMs: 1_000, stepMs: 0 });
    const events = [factory.next(received), factory.next(received), factory.next(received)];
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(events.map((e) => parseHlc(e.hlc))).toEqual([
      { wallMs: 1_000, counter: 0, node: 'store-1-t1' },
      { wallMs: 1_000, counter: 1, node: 'store-1-t1' },
      { wallMs: 1_000, counter: 2, node: 'store-1-t1' },
    ]);
    expect(factory.lastSeq).toBe(3);
    expect(factory.clock).toEqual({ wallMs: 1_000, counter: 2, node: 'store-1-t1' });
  });

  it('advances the wall clock by stepMs per event (default 1 s from 2026-01-01)', () => {
    const [first, second] = ((f) => [f.next(received), f.next(received)])(eventFactory({ location: 'l', node: 'n' }));
    expect(first?.occurredAt).toBe('2026-01-01T00:00:01.000Z');
    expect(second?.occurredAt).toBe('2026-01-01T00:00:02.000Z');
    expect(compareHlcText(first?.hlc ?? '', second?.hlc ?? '')).toBe(-1);
  });

  it('gives deterministic, distinct ids per node and seq', () => {
    expect(deterministicEventId(5, 'n', 1)).toBe(deterministicEventId(5, 'n', 1));
    expect(deterministicEventId(5, 'n', 1)).not.toBe(deterministicEventId(5, 'n', 2));
    expect(deterministicEventId(5, 'n', 1)).not.toBe(deterministicEventId(5, 'm', 1));
    const a = eventFactory({ location: 'l', node: 'n' }).next(received);
    const b = eventFactory({ location: 'l', node: 'n' }).next(received);
    expect(a).toEqual(b);
  });

  it('lets a test override envelope fields', () => {
    const event = eventFactory({ location: 'l', node: 'n' }).next(received, {
      causationId: 'CMD-1',
      correlationId: 'c-9',
    });
    expect(event).toMatchObject({ causationId: 'CMD-1', correlationId: 'c-9' });
  });
});
