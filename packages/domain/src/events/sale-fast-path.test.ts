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
    // Absent (payment not recorded), or a split of card, other and cash with or without change.
    tenders: fc.option(
      fc.array(
        fc.oneof(
          fc.record({
            method: fc.constantFrom('card', 'other', 'cash' as const),
            amountCents: fc.nat({ max: 100_000 }),
          }),
          fc
            .record({ amountCents: fc.nat({ max: 100_000 }), changeCents: fc.nat({ max: 10_000 }) })
            .map(({ amountCents, changeCents }) => ({
              method: 'cash' as const,
              amountCents,
              givenCents: amountCents + changeCents,
            })),
        ),
        { maxLength: 4 },
      ),
      { nil: undefined },
    ),
  })
  .map(({ lines, receiptId, startMs, causation, tenders }) => {
    const till = eventFactory({ location: 'store-1', node: 'store-1-t1', startMs });
    const totalCents = lines.reduce((s, l) => s + l.qty * l.unitPriceCents, 0);
    const sale = till.next({
      type: 'SaleRecorded',
      data: tenders
        ? { receiptId, currency: 'EUR', totalCents, lines, tenders }
        : { receiptId, currency: 'EUR', totalCents, lines },
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
    'cash',
    'card',
    'cheque',
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
      key: fc.constantFrom('extra', 'sku', 'qty', 'causationId', 'givenCents', 'tenders', '__proto__'),
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

  it('leaves a v1 sale to zod and the upcaster, which read it as v2 without tenders', () => {
    const [sale] = fc.sample(saleArb, { numRuns: 1, seed: 3 }) as [Record<string, unknown>];
    const { tenders: _, ...v1data } = sale.data as Record<string, unknown>;
    const v1 = { ...sale, version: 1, data: v1data };
    expect(plainSale(v1)).toBeUndefined();
    expect(parseEvent(v1)).toEqual({ ok: true, event: { ...v1, version: 2 }, upcastFrom: 1 });
  });

  it('leaves change on a card, or cash given short of its amount, to zod, which refuses it', () => {
    const [sale] = fc.sample(saleArb, { numRuns: 1, seed: 3 }) as [Record<string, unknown>];
    for (const tender of [
      { method: 'card', amountCents: 100, givenCents: 200 },
      { method: 'cash', amountCents: 100, givenCents: 50 },
      { method: 'cheque', amountCents: 100 },
    ]) {
      const raw = { ...sale, data: { ...(sale.data as object), tenders: [tender] } };
      expect(plainSale(raw)).toBeUndefined();
      expect(parseEvent(raw)).toMatchObject({ ok: false, reason: 'invalid-data' });
    }
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
