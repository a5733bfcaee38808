import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StreamMessage } from './apply-batch.js';
import { MessageBatch } from './message-batch.js';

const messageArb = fc.record({
  subject: fc.constantFrom('stocknerve.events.store.eu.s01.n1', 'stocknerve.events.store.eu.s02.n7', 'x'),
  seq: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
  storedMs: fc.integer({ min: 0, max: 2 ** 50 }),
  body: fc.uint8Array({ maxLength: 3000 }),
});

const plain = (m: StreamMessage) => ({ ...m, body: [...m.body] });

describe('a batch of stream messages', () => {
  it('gives back every message as it was pushed, in order, however many and however large', () => {
    fc.assert(
      fc.property(fc.array(messageArb, { maxLength: 1500 }), (messages) => {
        const batch = new MessageBatch();
        for (const m of messages) batch.push(m.subject, m.seq, m.storedMs, m.body);
        expect(batch.length).toBe(messages.length);
        expect(batch.lastSeq).toBe(messages.at(-1)?.seq ?? 0);
        expect([...batch].map(plain)).toEqual(messages.map(plain));
      }),
      { numRuns: 30 },
    );
  });

  it('copies each body: the buffer a client read it from can be reused', () => {
    const socket = new Uint8Array([1, 2, 3]);
    const batch = new MessageBatch();
    batch.push('s', 1, 10, socket);
    socket.fill(9);
    expect([...batch.at(0).body]).toEqual([1, 2, 3]);
  });

  it('keeps one copy of each subject across the batches that share a pool', () => {
    const pool = new Map<string, string>();
    const a = new MessageBatch(pool);
    const b = new MessageBatch(pool);
    a.push(['stocknerve', 'events', 'n1'].join('.'), 1, 0, new Uint8Array());
    b.push(['stocknerve', 'events', 'n1'].join('.'), 2, 0, new Uint8Array());
    expect(pool.size).toBe(1);
    expect(b.at(0).subject).toBe(pool.get('stocknerve.events.n1'));
  });

  it('is empty after clear, and holds the next messages as a new batch would', () => {
    const batch = new MessageBatch();
    for (let seq = 1; seq <= 3000; seq++) batch.push(`s${seq % 7}`, seq, seq, new Uint8Array(600).fill(seq % 251));
    expect(batch.clear()).toBe(true);
    expect(batch.length).toBe(0);
    expect(batch.lastSeq).toBe(0);
    expect([...batch]).toEqual([]);
    batch.push('t', 9, 1, new Uint8Array([4, 5]));
    expect([...batch].map(plain)).toEqual([{ subject: 't', seq: 9, storedMs: 1, body: [4, 5] }]);
  });

  it('says not to keep it once it has grown past 32 MB', () => {
    const batch = new MessageBatch();
    batch.push('s', 1, 1, new Uint8Array(33 << 20));
    expect(batch.clear()).toBe(false);
  });

  it('refuses to read past its end', () => {
    const batch = new MessageBatch();
    expect(() => batch.at(0)).toThrow(RangeError);
  });
});
