import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deliveryOf } from './delivery-info.js';

const token = fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/);
const nanosArb = fc.bigInt({ min: 0n, max: 4_000_000_000_000_000_000n });

describe("a JetStream delivery's reply subject", () => {
  it('gives the stream seq, the stored time floored to the ms, and the pending count, in both forms', () => {
    fc.assert(
      fc.property(
        fc.record({
          stream: token,
          consumer: token,
          delivered: fc.integer({ min: 1, max: 1000 }),
          seq: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
          dseq: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
          nanos: nanosArb,
          pending: fc.integer({ min: 0, max: 2 ** 40 }),
          domain: fc.option(fc.tuple(token, token, token), { nil: undefined }),
        }),
        (d) => {
          const tail = [d.stream, d.consumer, d.delivered, d.seq, d.dseq, d.nanos, d.pending];
          const reply = d.domain
            ? ['$JS', 'ACK', d.domain[0], d.domain[1], ...tail, d.domain[2]].join('.')
            : ['$JS', 'ACK', ...tail].join('.');
          expect(deliveryOf(reply)).toEqual({
            streamSeq: d.seq,
            storedMs: Number(d.nanos / 1_000_000n),
            pending: d.pending,
          });
        },
      ),
    );
  });

  it('is not read from anything else', () => {
    for (const reply of ['', '_INBOX.abc', '$JS.ACK.s.c.1.2.3', '$JS.API.s.c.1.2.3.4.5', '$JS.ACK.s.c.1.x.3.4.5'])
      expect(deliveryOf(reply)).toBeUndefined();
  });
});
