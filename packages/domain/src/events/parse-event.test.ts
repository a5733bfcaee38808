import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { DecidedEvent } from '../deciders/decision.js';
import { eventFactory } from '../testing/event-factory.js';
import {
  HUB_EVENT_TYPES,
  type ParseResult,
  parseEvent,
  parseEventJson,
  readableSchemas,
  STORE_EVENT_TYPES,
} from './registry.js';

// Every event a node or the hub reads goes through parseEvent: bad input is a value with a reason
// and a message that names the field, never an exception.

const lines = [
  { sku: 'SKU-1', qty: 2 },
  { sku: 'SKU-2', qty: 1 },
];

/** One valid event of every type, at its current version. */
const samples: Record<string, DecidedEvent> = {
  SaleRecorded: {
    type: 'SaleRecorded',
    data: {
      receiptId: 'R-1',
      currency: 'EUR',
      lines: lines.map((l) => ({ ...l, unitPriceCents: 100 })),
      totalCents: 300,
      tenders: [
        { method: 'card', amountCents: 100 },
        { method: 'cash', amountCents: 200, givenCents: 500 },
      ],
    },
  },
  ReturnRecorded: {
    type: 'ReturnRecorded',
    data: { returnId: 'RET-1', receiptId: 'R-1', lines: lines.map((l) => ({ ...l, restockTo: 'sellable' as const })) },
  },
  GoodsReceived: { type: 'GoodsReceived', data: { purchaseOrderId: 'PO-1', lines } },
  TransferShipped: { type: 'TransferShipped', data: { transferId: 'T-1', to: 'store-2', lines } },
  TransferReceived: { type: 'TransferReceived', data: { transferId: 'T-1', from: 'store-2', lines } },
  StockAdjusted: {
    type: 'StockAdjusted',
    data: {
      adjustmentId: 'A-1',
      reason: 'correction',
      note: 'recount',
      lines: [
        { sku: 'SKU-1', delta: -2 },
        { sku: 'SKU-2', delta: 1 },
      ],
    },
  },
  CycleCounted: {
    type: 'CycleCounted',
    data: {
      countId: 'C-1',
      area: 'aisle 1',
      lines: [
        { sku: 'SKU-1', countedQty: 0 },
        { sku: 'SKU-2', countedQty: 4 },
      ],
    },
  },
  PickupPicked: { type: 'PickupPicked', data: { pickupId: 'P-1', lines } },
  PickupHandedOver: { type: 'PickupHandedOver', data: { pickupId: 'P-1', lines } },
  PickupRejected: {
    type: 'PickupRejected',
    data: { pickupId: 'P-1', reason: 'item-not-found', note: 'gone', missing: [{ sku: 'SKU-1', qty: 1 }] },
  },
  LocationDefined: {
    type: 'LocationDefined',
    data: { location: 'store-1', region: 'north', kind: 'store', name: 'One', geo: { lat: 52.5, lon: 13.4 } },
  },
  CatalogItemUpserted: {
    type: 'CatalogItemUpserted',
    data: {
      sku: 'SKU-1',
      name: 'Mug',
      barcode: '4006381333931',
      priceCents: 899,
      currency: 'EUR',
      category: 'kitchen',
    },
  },
  SafetyStockSet: { type: 'SafetyStockSet', data: { sku: 'SKU-1', location: 'store-1', qty: 2 } },
  ChannelAllocationSet: {
    type: 'ChannelAllocationSet',
    data: { channel: 'web', sku: 'SKU-1', rule: { kind: 'share', share: 0.5 } },
  },
  ReservationPlaced: {
    type: 'ReservationPlaced',
    data: {
      reservationId: 'RES-1',
      channel: 'web',
      location: 'store-1',
      lines,
      expiresAt: '2026-01-02T00:00:00.000Z',
      idempotencyKey: 'K-1',
    },
  },
  ReservationConfirmed: { type: 'ReservationConfirmed', data: { reservationId: 'RES-1' } },
  ReservationReleased: { type: 'ReservationReleased', data: { reservationId: 'RES-1', reason: 'cancelled' } },
  ReservationExpired: { type: 'ReservationExpired', data: { reservationId: 'RES-1' } },
  PickupOrderPlaced: {
    type: 'PickupOrderPlaced',
    data: { pickupId: 'P-1', channel: 'web', location: 'store-1', orderRef: 'W-1', customerName: 'Ada', lines },
  },
  IncidentRecorded: {
    type: 'IncidentRecorded',
    data: {
      incidentId: 'INC-1',
      kind: 'oversell',
      location: 'store-1',
      sku: 'SKU-1',
      shortfall: 1,
      affected: [{ kind: 'reservation', id: 'RES-1', qty: 1 }],
      proposal: { location: 'store-2', available: 3, distanceKm: 4.2 },
      triggeredBy: 'evt-1',
      note: 'late sale',
    },
  },
};

/** A valid raw event (a plain JSON value) of the type at the version. */
const validRaw = (type: string, version: number): Record<string, unknown> => {
  const sample = samples[type];
  if (!sample) throw new Error(`no sample for ${type}`);
  const event = eventFactory({ location: 'store-1', node: 'store-1-t1' }).next(sample, { causationId: 'CMD-1' });
  const raw = JSON.parse(JSON.stringify(event));
  if (type === 'StockAdjusted' && version === 1)
    return { ...raw, version: 1, data: { adjustmentId: 'A-1', sku: 'SKU-1', delta: -2, reason: 'theft' } };
  if (type === 'SaleRecorded' && version === 1) {
    const { tenders: _, ...data } = raw.data;
    return { ...raw, version: 1, data };
  }
  return raw;
};

const withData = (raw: Record<string, unknown>, change: (data: Record<string, unknown>) => void) => {
  const copy = structuredClone(raw);
  change(copy.data as Record<string, unknown>);
  return copy;
};

/** Asserts a rejection for the reason whose message names the path (or a field under it). */
const expectRejected = (result: ParseResult, reason: string, path: string) => {
  expect(result.ok, `expected a rejection naming ${path}`).toBe(false);
  if (result.ok) return;
  expect(result.reason).toBe(reason);
  expect(result.issues.map((i) => i.path).some((p) => p === path || p.startsWith(`${path}.`))).toBe(true);
  expect(result.message).toContain(path);
};

const dataShapeOf = (schema: z.ZodType) =>
  (schema as unknown as { shape: { data: { shape: Record<string, z.ZodType> } } }).shape.data.shape;

it('has a sample of every event type', () => {
  expect(Object.keys(samples).sort()).toEqual([...STORE_EVENT_TYPES, ...HUB_EVENT_TYPES].sort());
});

describe.each(readableSchemas())('$type v$version', ({ type, version, schema, current }) => {
  const raw = validRaw(type, version);

  it('parses when valid', () => {
    const result = parseEvent(raw);
    expect(result).toMatchObject({ ok: true, event: { type, id: raw.id } });
    if (!current) expect(result).toMatchObject({ upcastFrom: version });
  });

  it.each(Object.keys(raw.data as object))('rejects data.%s of the wrong type, naming it', (field) => {
    expectRejected(
      parseEvent(
        withData(raw, (d) => {
          d[field] = true;
        }),
      ),
      'invalid-data',
      `data.${field}`,
    );
  });

  it.each(Object.keys(raw.data as object))('rejects data.%s missing unless it is optional', (field) => {
    const result = parseEvent(
      withData(raw, (d) => {
        delete d[field];
      }),
    );
    const optional = dataShapeOf(schema)[field]?.safeParse(undefined).success;
    if (optional) expect(result.ok).toBe(true);
    else expectRejected(result, 'invalid-data', `data.${field}`);
  });

  it.each([
    ['id', 'not-a-uuid'],
    ['id', '019B76DA-A800-7000-8000-000000000000'],
    ['location', 'Store 1'],
    ['node', ''],
    ['seq', 0],
    ['seq', 1.5],
    ['seq', '1'],
    ['hlc', 'yesterday'],
    ['hlc', '1767225600000-000001-store-1-t1'],
    ['occurredAt', '2026-01-01 10:00'],
    ['correlationId', undefined],
    ['causationId', 'has space'],
    ['version', 0],
    ['type', ''],
  ])('rejects an envelope with %s = %j', (field, value) => {
    const bad = { ...raw, [field]: value };
    if (value === undefined) delete bad[field];
    expectRejected(parseEvent(bad), 'invalid-envelope', field);
  });

  it('rejects a version newer than this reader', () => {
    const result = parseEvent({ ...raw, version: 99 });
    expectRejected(result, 'unknown-version', 'version');
    expect(result.ok || result.message).toMatch(/newer than this reader/);
  });

  it('rejects an unknown type', () => {
    expectRejected(parseEvent({ ...raw, type: `${type}Later` }), 'unknown-type', 'type');
  });

  it('never throws, whatever is put into its data', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (data) => {
        const result = parseEvent({ ...raw, data });
        if (!result.ok) expect(result.message).not.toBe('');
      }),
      { numRuns: 30 },
    );
  });
});

type Lines = { sku: string; qty?: number }[];
const linesOf = (raw: Record<string, unknown>) => (raw.data as { lines?: Lines }).lines;
const withLines = readableSchemas().filter(({ type, version }) => Array.isArray(linesOf(validRaw(type, version))));

describe.each(withLines)('lines of $type v$version', ({ type, version }) => {
  const raw = validRaw(type, version);

  it('rejects empty lines', () => {
    const result = parseEvent(
      withData(raw, (d) => {
        d.lines = [];
      }),
    );
    expectRejected(result, 'invalid-data', 'data.lines');
    expect(result.ok || result.message).toMatch(/at least one line/);
  });

  it('rejects two lines of the same SKU', () => {
    const result = parseEvent(
      withData(raw, (d) => {
        const [first] = d.lines as Lines;
        d.lines = [first, first];
      }),
    );
    expectRejected(result, 'invalid-data', 'data.lines');
    expect(result.ok || result.message).toMatch(/same sku twice/);
  });

  it('rejects a line with a bad sku', () => {
    const result = parseEvent(
      withData(raw, (d) => {
        const [first, second] = d.lines as Lines;
        d.lines = [first, { ...second, sku: 'SKU 2!' }];
      }),
    );
    expectRejected(result, 'invalid-data', 'data.lines.1.sku');
  });

  if (linesOf(raw)?.every((l) => 'qty' in l))
    it('rejects a negative quantity', () => {
      const result = parseEvent(
        withData(raw, (d) => {
          const [first, ...rest] = d.lines as Lines;
          d.lines = [{ ...first, qty: -1 }, ...rest];
        }),
      );
      expectRejected(result, 'invalid-data', 'data.lines.0.qty');
    });
});

describe('specific data rules', () => {
  const adjustment = validRaw('StockAdjusted', 2);

  // The sign rules belong to the decider (InvalidAdjustment); a stored fact is read as it is, so an
  // adjustment recorded under older rules or by another system stays readable.
  it.each([
    ['damage', 2],
    ['theft', 1],
    ['expiry', 1],
    ['found', -1],
  ])('reads a stored %s adjustment of %i even though the decider would refuse it today', (reason, delta) => {
    const result = parseEvent(
      withData(adjustment, (d) => {
        d.reason = reason;
        d.lines = [{ sku: 'SKU-2', delta }];
      }),
    );
    expect(result.ok).toBe(true);
  });

  it('rejects a zero adjustment', () => {
    expectRejected(
      parseEvent(
        withData(adjustment, (d) => {
          d.lines = [{ sku: 'SKU-1', delta: 0 }];
        }),
      ),
      'invalid-data',
      'data.lines.0.delta',
    );
  });

  it('rejects a StockAdjusted v1 with a zero delta, naming the v1 field', () => {
    expectRejected(
      parseEvent({ ...validRaw('StockAdjusted', 1), data: { adjustmentId: 'A', sku: 'S', delta: 0, reason: 'found' } }),
      'invalid-data',
      'data.delta',
    );
  });

  it('rejects a sale in a currency that is not an ISO code', () => {
    expectRejected(
      parseEvent(
        withData(validRaw('SaleRecorded', 1), (d) => {
          d.currency = 'euro';
        }),
      ),
      'invalid-data',
      'data.currency',
    );
  });

  it('rejects an allocation rule that is neither a share nor a cap', () => {
    expectRejected(
      parseEvent(
        withData(validRaw('ChannelAllocationSet', 1), (d) => {
          d.rule = { kind: 'share', share: 1.5 };
        }),
      ),
      'invalid-data',
      'data.rule',
    );
  });

  it('accepts a transfer received with zero of a line, but not a negative one', () => {
    const received = validRaw('TransferReceived', 1);
    expect(
      parseEvent(
        withData(received, (d) => {
          d.lines = [{ sku: 'SKU-1', qty: 0 }];
        }),
      ).ok,
    ).toBe(true);
  });
});

describe('not an event at all', () => {
  it.each([null, 42, 'SaleRecorded', [], {}])('rejects %j as an invalid envelope', (raw) => {
    const result = parseEvent(raw);
    expect(result).toMatchObject({ ok: false, reason: 'invalid-envelope' });
  });

  it('rejects text that is not JSON', () => {
    const result = parseEventJson('{"type": "SaleRecorded",');
    expect(result).toMatchObject({ ok: false, reason: 'invalid-json' });
    expect(result.ok || result.message).toMatch(/^\(root\): not JSON/);
  });

  it('parses JSON text of a valid event', () => {
    expect(parseEventJson(JSON.stringify(validRaw('GoodsReceived', 1))).ok).toBe(true);
  });

  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(fc.anything(), (raw) => {
        expect(parseEvent(raw).ok).toBe(false);
      }),
      { numRuns: 200 },
    );
    fc.assert(
      fc.property(fc.string(), (text) => {
        expect(parseEventJson(text).ok).toBe(false);
      }),
      { numRuns: 200 },
    );
  });
});
