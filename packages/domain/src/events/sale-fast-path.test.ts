import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eventFactory } from '../testing/event-factory.js';
import { parseEvent } from './registry.js';
import { plainSale } from './sale-fast-path.js';
import { SaleRecorded } from './store-events.js';

const lineArb = fc.record({
  sku: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,10}$/),
  qty: fc.integer({ min: 1, max: 1_000_000 }),
  unitPriceCents: fc.nat({ max: 1_000_000 }),
});

/** Valid sales, as a node writes them (through JSON, as the hub reads them). */
const saleArb = fc
  .record({
    lines: fc.uniqueArray(lineArb, { minLength: 1, maxLength: 5, selector: (l) => l.sku }),
    receiptId: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,20}$/),
    startMs: fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2090, 0, 1) }),
    causation: fc.option(fc.constantFrom('R-1', 'cmd:42'), { nil: undefined }),
  })
  .map(({ lines, receiptId, startMs, causation }) => {
    const till = eventFactory({ location: 'store-1', node: 'store-1-t1', startMs });
    const sale = till.next({
      type: 'SaleRecorded',
      data: { receiptId, currency: 'EUR', totalCents: lines.reduce((s, l) => s + l.qty * l.unitPriceCents, 0), lines },
    });
    return JSON.parse(JSON.stringify(causation ? { ...sale, causationId: causation } : sale)) as Record<
      string,
      unknown
    >;
  });

/** A value near what a field holds, or anything at all. */
const oddValueArb = fc.oneof(
  fc.anything(),
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom(
    '',
    'EUR',
    'eur',
    'SKU-1',
    'store-1',
    '2026-02-29T10:00:00.000Z',
    '2026-11-29T10:00:00Z',
    -1,
    0,
    1.5,
    2 ** 53,
  ),
);

type Path = readonly (string | number)[];
const pathsOf = (value: unknown, prefix: Path = []): Path[] =>
  typeof value === 'object' && value !== null
    ? Object.keys(value).flatMap((k) => {
        const key = Array.isArray(value) ? Number(k) : k;
        return [[...prefix, key], ...pathsOf((value as Record<string, unknown>)[k], [...prefix, key])];
      })
    : [];

/** A sale with one field replaced, removed, or one key added somewhere. */
const mutatedSaleArb = saleArb.chain((sale) =>
  fc
    .record({
      path: fc.constantFrom(...pathsOf(sale)),
      how: fc.constantFrom('replace', 'delete', 'add'),
      value: oddValueArb,
      key: fc.constantFrom('extra', 'sku', 'qty', 'causationId', '__proto__'),
    })
    .map(({ path, how, value, key }) => {
      const copy = structuredClone(sale);
      let parent: Record<string | number, unknown> = copy;
      for (const step of path.slice(0, -1)) parent = parent[step] as Record<string | number, unknown>;
      const last = path[path.length - 1] as string | number;
      if (how === 'replace') parent[last] = value;
      else if (how === 'delete') delete parent[last];
      else if (typeof parent[last] === 'object' && parent[last] !== null)
        Object.defineProperty(parent[last], key, { value, enumerable: true, configurable: true, writable: true });
      return copy;
    }),
);

describe('the sale fast path', () => {
  it('takes a valid sale as it is (unless its date is left to zod), and zod returns the same event', () => {
    fc.assert(
      fc.property(saleArb, (sale) => {
        // February 29th is left to zod's date rule (it exists in leap years only).
        expect(plainSale(sale)).toBe(String(sale.occurredAt).slice(5, 10) === '02-29' ? undefined : sale);
        expect(SaleRecorded.parse(sale)).toEqual(sale);
        expect(parseEvent(sale)).toEqual({ ok: true, event: sale });
      }),
      { numRuns: 300 },
    );
  });

  it('takes every date of every month that zod takes, February 29th excepted, and no other', () => {
    const [sale] = fc.sample(saleArb, { numRuns: 1, seed: 7 }) as [Record<string, unknown>];
    const pad = (n: number) => String(n).padStart(2, '0');
    let taken = 0;
    for (const year of [2000, 2023, 2024, 2026, 2100])
      for (let month = 0; month <= 13; month++)
        for (let day = 0; day <= 32; day++) {
          const at = { ...sale, occurredAt: `${year}-${pad(month)}-${pad(day)}T23:59:59.999Z` };
          const zodTakes = SaleRecorded.safeParse(at).success;
          const fast = plainSale(at) !== undefined;
          if (month === 2 && day === 29) expect(fast, at.occurredAt).toBe(false);
          else expect(fast, at.occurredAt).toBe(zodTakes);
          if (fast) taken++;
        }
    expect(taken).toBe(5 * 365);
  });

  it('takes nothing that zod would refuse or change', () => {
    let taken = 0;
    fc.assert(
      fc.property(mutatedSaleArb, (raw) => {
        if (plainSale(raw) === undefined) return;
        taken++;
        const checked = SaleRecorded.safeParse(raw);
        expect(checked.success, JSON.stringify(raw)).toBe(true);
        expect(checked.data).toEqual(raw);
      }),
      { numRuns: 3000 },
    );
    // Some mutations keep a sale valid (another valid value, an absent causationId): the property
    // is not checked on an empty set.
    expect(taken).toBeGreaterThan(0);
  });

  it('leaves the rest to zod, which names what is wrong as before', () => {
    fc.assert(
      fc.property(mutatedSaleArb, (raw) => {
        const result = parseEvent(raw);
        const checked = SaleRecorded.safeParse(raw);
        expect(result.ok).toBe(checked.success);
      }),
      { numRuns: 500 },
    );
  });
});
