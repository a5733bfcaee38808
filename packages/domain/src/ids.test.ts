import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChannelId, EventId, LocationId, Quantity, Reference, Sku, uuidv7 } from './ids.js';
import { uuidMsArb, uuidRandomArb } from './testing/arbitraries.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('uuidv7', () => {
  it('is a lower-case UUID that the event id schema accepts', () => {
    fc.assert(
      fc.property(uuidMsArb(), uuidRandomArb(), (ms, random) => {
        const id = uuidv7(ms, random);
        expect(id).toMatch(UUID);
        expect(EventId.safeParse(id).success).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('carries version 7 and the RFC 9562 variant bits', () => {
    fc.assert(
      fc.property(uuidMsArb(), uuidRandomArb(), (ms, random) => {
        const hex = uuidv7(ms, random).replaceAll('-', '');
        expect(hex[12]).toBe('7');
        expect(Number.parseInt(hex[16] ?? '', 16) & 0b1100).toBe(0b1000);
      }),
      { numRuns: 200 },
    );
  });

  it('starts with the unix time in ms, big-endian over 48 bits', () => {
    const id = uuidv7(Date.UTC(2026, 0, 1), new Uint8Array(10));
    expect(id.replaceAll('-', '').slice(0, 12)).toBe(Date.UTC(2026, 0, 1).toString(16).padStart(12, '0'));
    expect(id).toBe('019b76da-a800-7000-8000-000000000000');
  });

  it('sorts by time: a later millisecond always gives a larger id, whatever the random bytes', () => {
    fc.assert(
      fc.property(uuidMsArb(), uuidMsArb(), uuidRandomArb(), uuidRandomArb(), (a, b, ra, rb) => {
        fc.pre(a !== b);
        const [early, late] = a < b ? [a, b] : [b, a];
        expect(uuidv7(early, ra) < uuidv7(late, rb)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('is deterministic in its inputs and uses the random bytes', () => {
    const random = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(uuidv7(5, random)).toBe(uuidv7(5, random));
    expect(uuidv7(5, random)).not.toBe(uuidv7(5, new Uint8Array(10)));
  });

  it('refuses fewer than 10 random bytes', () => {
    expect(() => uuidv7(1, new Uint8Array(9))).toThrow(RangeError);
  });
});

describe('identifier schemas', () => {
  it('accept subject-safe tokens', () => {
    expect(LocationId.safeParse('store-001').success).toBe(true);
    expect(Sku.safeParse('SKU_1-a').success).toBe(true);
    expect(ChannelId.safeParse('marketplace-a').success).toBe(true);
    expect(Reference('receiptId').safeParse('R:2026.01-7').success).toBe(true);
  });

  it.each([
    ['a location with a dot', LocationId, 'store.1', 'location must be'],
    ['a location in upper case', LocationId, 'Store-1', 'location must be'],
    ['a sku with a space', Sku, 'SKU 1', 'sku must be'],
    ['a sku that is a number', Sku, 42, 'sku must be a string'],
    ['a channel longer than 32', ChannelId, 'c'.repeat(33), 'channel must be'],
    ['a reference with a wildcard', Reference('receiptId'), 'R*1', 'receiptId must be'],
    ['an upper-case uuid', EventId, '019B7696-0000-7000-8000-000000000000', 'id must be a lower-case UUID'],
  ])('reject %s, naming the field', (_, schema, value, message) => {
    const result = schema.safeParse(value);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toContain(message);
  });

  it.each([
    [0, 'qty must be positive'],
    [-1, 'qty must be positive'],
    [1.5, 'qty must be a whole number'],
    [1_000_001, 'qty must be at most 1,000,000'],
    ['3', 'qty must be a number'],
  ])('reject the quantity %s', (value, message) => {
    expect(Quantity.safeParse(value).error?.issues[0]?.message).toBe(message);
  });
});
