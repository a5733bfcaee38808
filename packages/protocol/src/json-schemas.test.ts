import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type InventoryEvent, parseEvent, readableSchemas } from '@stocknerve/domain';
import { eventFactory, stockAdjustedV1Arb, worldArb } from '@stocknerve/domain/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Heartbeat } from './heartbeat.js';
import { generateSchemaFiles, SCHEMA_BASE_URI, schemaFileName } from './json-schemas.js';
import { KV_VALUE_SCHEMAS, type KvValue } from './kv-values.js';
import { KV_BUCKETS, type KvBucket } from './names.js';

const schemaDir = fileURLToPath(new URL('../../../docs/schemas/', import.meta.url));
const generated = generateSchemaFiles();

type Schema = { [key: string]: unknown };
const schemaOf = (file: string): Schema => JSON.parse(generated.get(file) ?? 'null') as Schema;
const eventSchemaOf = (e: { type: string; version: number }) => schemaOf(schemaFileName(e.type, e.version));

const ANNOTATIONS = new Set(['$schema', '$id', 'title', 'description', 'deprecated', '$comment', 'format', 'default']);

const typeOk = (type: string, value: unknown): boolean => {
  switch (type) {
    case 'null':
      return value === null;
    case 'boolean':
      return typeof value === 'boolean';
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return Number.isInteger(value);
    case 'array':
      return Array.isArray(value);
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    default:
      throw new Error(`unsupported type ${type}`);
  }
};

/**
 * A deliberately small JSON Schema checker for exactly the keywords the generator emits (no validator
 * is a dependency of the project). An unknown keyword fails loudly rather than passing silently.
 * Returns the failures as `path: problem`.
 */
const check = (schema: Schema, value: unknown, path = '(root)'): string[] => {
  const errors: string[] = [];
  const fail = (problem: string) => errors.push(`${path}: ${problem}`);
  for (const [keyword, arg] of Object.entries(schema)) {
    if (ANNOTATIONS.has(keyword)) continue;
    switch (keyword) {
      case 'type': {
        const types = Array.isArray(arg) ? (arg as string[]) : [arg as string];
        if (!types.some((t) => typeOk(t, value))) fail(`not of type ${types.join('|')}`);
        break;
      }
      case 'const':
        if (value !== arg) fail(`must be ${JSON.stringify(arg)}`);
        break;
      case 'enum':
        if (!(arg as unknown[]).includes(value)) fail(`must be one of ${JSON.stringify(arg)}`);
        break;
      case 'pattern':
        if (typeof value === 'string' && !new RegExp(arg as string, 'u').test(value)) fail(`does not match ${arg}`);
        break;
      case 'minLength':
      case 'maxLength':
        if (typeof value === 'string') {
          const n = [...value].length;
          if (keyword === 'minLength' ? n < (arg as number) : n > (arg as number)) fail(`${keyword} ${arg}`);
        }
        break;
      case 'minimum':
      case 'maximum':
      case 'exclusiveMinimum':
      case 'exclusiveMaximum':
        if (typeof value === 'number') {
          const a = arg as number;
          const ok =
            keyword === 'minimum'
              ? value >= a
              : keyword === 'maximum'
                ? value <= a
                : keyword === 'exclusiveMinimum'
                  ? value > a
                  : value < a;
          if (!ok) fail(`${keyword} ${a}`);
        }
        break;
      case 'minItems':
      case 'maxItems':
        if (
          Array.isArray(value) &&
          (keyword === 'minItems' ? value.length < (arg as number) : value.length > (arg as number))
        )
          fail(`${keyword} ${arg}`);
        break;
      case 'items':
        if (!Array.isArray(value)) break;
        if (arg === false) {
          const allowed = ((schema.prefixItems as Schema[] | undefined) ?? []).length;
          if (value.length > allowed) fail(`at most ${allowed} items`);
        } else for (const [i, v] of value.entries()) errors.push(...check(arg as Schema, v, `${path}.${i}`));
        break;
      case 'prefixItems':
        if (Array.isArray(value))
          for (const [i, sub] of (arg as Schema[]).entries())
            if (i < value.length) errors.push(...check(sub, value[i], `${path}.${i}`));
        break;
      case 'properties':
        if (typeOk('object', value))
          for (const [name, sub] of Object.entries(arg as Record<string, Schema>)) {
            const v = (value as Record<string, unknown>)[name];
            if (v !== undefined) errors.push(...check(sub, v, path === '(root)' ? name : `${path}.${name}`));
          }
        break;
      case 'required':
        if (typeOk('object', value))
          for (const name of arg as string[]) if (!(name in (value as object))) fail(`missing required ${name}`);
        break;
      case 'anyOf':
      case 'oneOf': {
        const passing = (arg as Schema[]).filter((s) => check(s, value, path).length === 0).length;
        if (keyword === 'anyOf' ? passing === 0 : passing !== 1) fail(`${keyword}: ${passing} branches match`);
        break;
      }
      default:
        throw new Error(`the test's checker does not know JSON Schema keyword "${keyword}"`);
    }
  }
  return errors;
};

/** JSON as it travels: what a third party would validate. */
const wire = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

const store = eventFactory({ location: 'store-001', node: 'store-001-t1' });
const hub = eventFactory({ location: 'hub', node: 'hub' });
const realEvents: InventoryEvent[] = [
  store.next({
    type: 'SaleRecorded',
    data: {
      receiptId: 'R-2026-0001',
      currency: 'EUR',
      lines: [
        { sku: 'SKU-1', qty: 2, unitPriceCents: 499 },
        { sku: 'SKU-2', qty: 1, unitPriceCents: 1299 },
      ],
      totalCents: 2297,
      tenders: [
        { method: 'card', amountCents: 2000 },
        { method: 'cash', amountCents: 297, givenCents: 500 },
      ],
    },
  }),
  store.next({
    type: 'ReturnRecorded',
    data: { returnId: 'RET-1', receiptId: 'R-2026-0001', lines: [{ sku: 'SKU-1', qty: 1, restockTo: 'damaged' }] },
  }),
  store.next({
    type: 'StockAdjusted',
    data: { adjustmentId: 'ADJ-1', reason: 'correction', lines: [{ sku: 'SKU-1', delta: 3 }] },
  }),
  store.next({
    type: 'CycleCounted',
    data: { countId: 'CNT-1', area: 'aisle 4', lines: [{ sku: 'SKU-2', countedQty: 0 }] },
  }),
  store.next({
    type: 'PickupRejected',
    data: { pickupId: 'PU-1', reason: 'item-not-found', missing: [{ sku: 'SKU-2', qty: 1 }] },
  }),
  hub.next({
    type: 'ReservationPlaced',
    data: {
      reservationId: 'res-1',
      channel: 'web',
      location: null,
      lines: [{ sku: 'SKU-1', qty: 1 }],
      expiresAt: '2026-01-01T00:15:00.000Z',
      idempotencyKey: 'cart-77',
    },
  }),
  hub.next({ type: 'ChannelAllocationSet', data: { channel: 'web', sku: null, rule: { kind: 'share', share: 0.5 } } }),
  hub.next({
    type: 'IncidentRecorded',
    data: {
      incidentId: 'inc-1',
      kind: 'oversell',
      location: 'store-001',
      sku: 'SKU-1',
      shortfall: 1,
      affected: [{ kind: 'reservation', id: 'res-1', qty: 1 }],
      proposal: null,
      triggeredBy: 'some-event',
    },
  }),
];

/** StockAdjusted v1 as a store node wrote it before v2 existed. */
const storedV1 = {
  id: '019b76db-9a48-7c1e-8a3f-2b4c6d8e0f12',
  location: 'store-1',
  node: 'store-1-t1',
  seq: 42,
  hlc: '001767225662024-000000-store-1-t1',
  occurredAt: '2026-01-01T00:01:02.024Z',
  correlationId: 'corr-store-1-t1-42',
  type: 'StockAdjusted',
  version: 1,
  data: { adjustmentId: 'ADJ-7', sku: 'SKU-1', delta: -3, reason: 'damage' },
};

describe('docs/schemas', () => {
  it('is up to date with the zod schemas (run `pnpm schemas` when this fails)', () => {
    const stale: string[] = [];
    for (const [name, text] of generated) {
      const path = `${schemaDir}${name}`;
      if (!existsSync(path)) stale.push(`${name} (missing)`);
      else if (readFileSync(path, 'utf8') !== text) stale.push(`${name} (out of date)`);
    }
    for (const name of existsSync(schemaDir) ? readdirSync(schemaDir) : [])
      if (name.endsWith('.json') && !generated.has(name)) stale.push(`${name} (no longer generated)`);
    expect(stale).toEqual([]);
  });

  it('is deterministic', () => {
    expect(generateSchemaFiles()).toEqual(generated);
    for (const text of generated.values()) expect(text.endsWith('}\n')).toBe(true);
  });

  it('has one file per readable (type, version), the heartbeat, each KV value and an index naming them all', () => {
    const expected = [
      ...readableSchemas().map((s) => schemaFileName(s.type, s.version)),
      'heartbeat.v1.json',
      ...Object.values(KV_BUCKETS).map((bucket) => schemaFileName(bucket, 1)),
      'index.json',
    ];
    expect([...generated.keys()].sort()).toEqual(expected.sort());
    const index = JSON.parse(generated.get('index.json') ?? '{}') as { schemas: { file: string; $id: string }[] };
    expect(index.schemas.map((s) => s.file).sort()).toEqual(expected.filter((f) => f !== 'index.json').sort());
    for (const entry of index.schemas) expect(entry.$id).toBe(`${SCHEMA_BASE_URI}${entry.file}`);
  });

  it('gives every event schema its $id, title, description, type and version constants and envelope', () => {
    for (const { type, version, current } of readableSchemas()) {
      const schema = eventSchemaOf({ type, version });
      expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
      expect(schema.$id).toBe(`${SCHEMA_BASE_URI}${type}.v${version}.json`);
      expect(schema.title).toBe(`${type} v${version}`);
      expect(typeof schema.description).toBe('string');
      expect(schema.deprecated).toBe(current ? undefined : true);
      const properties = schema.properties as Record<string, Schema>;
      expect(properties.type?.const).toBe(type);
      expect(properties.version?.const).toBe(version);
      expect(schema.required).toEqual(
        expect.arrayContaining(['id', 'location', 'node', 'seq', 'hlc', 'occurredAt', 'correlationId', 'type']),
      );
      expect(schema.required).toEqual(expect.arrayContaining(['version', 'data']));
      expect(schema.required).not.toContain('causationId');
    }
  });
});

describe('rules JSON Schema cannot express', () => {
  it('are spelled out in the descriptions, found from the zod refinements', () => {
    expect(eventSchemaOf({ type: 'SaleRecorded', version: 1 }).description).toContain(
      'No SKU may appear twice in lines.',
    );
    expect(eventSchemaOf({ type: 'StockAdjusted', version: 1 }).description).toContain('delta must not be 0.');
    expect(eventSchemaOf({ type: 'ReservationConfirmed', version: 1 }).description).not.toContain('Also enforced');
  });
});

describe('the generated JSON Schemas accept real events', () => {
  it.each(realEvents.map((e) => [`${e.type} v${e.version}`, e] as const))('%s', (_, event) => {
    expect(parseEvent(wire(event)).ok).toBe(true);
    expect(check(eventSchemaOf(event), wire(event))).toEqual([]);
  });

  it('StockAdjusted v1 as stored before v2', () => {
    expect(parseEvent(storedV1).ok).toBe(true);
    expect(check(eventSchemaOf(storedV1), storedV1)).toEqual([]);
    expect(check(eventSchemaOf({ type: 'StockAdjusted', version: 2 }), storedV1)).not.toEqual([]);
  });

  it('a heartbeat', () => {
    const hb = {
      node: 'store-001-t1',
      location: 'store-001',
      region: 'north',
      pending: 0,
      oldestPendingAgeMs: null,
      lastAckedSeq: 7,
    };
    expect(Heartbeat.safeParse(hb).success).toBe(true);
    expect(check(schemaOf('heartbeat.v1.json'), hb)).toEqual([]);
    expect(check(schemaOf('heartbeat.v1.json'), { ...hb, pending: -1 })).toEqual(['pending: minimum 0']);
  });

  it('every event the hub accepts, in generated worlds (the JSON Schema is never stricter than the hub)', () => {
    fc.assert(
      fc.property(worldArb({ hub: true }), (world) => {
        for (const event of world.streams.flat()) expect(check(eventSchemaOf(event), wire(event))).toEqual([]);
      }),
      { numRuns: 50 },
    );
    fc.assert(
      fc.property(stockAdjustedV1Arb(), (event) => {
        expect(check(eventSchemaOf(event), wire(event))).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });
});

describe('the generated JSON Schemas reject what the hub rejects', () => {
  const sale = wire(realEvents[0]) as { type: string; version: number; data: Record<string, unknown> } & Record<
    string,
    unknown
  >;

  it.each([
    [
      'a missing data field',
      { ...sale, data: { ...sale.data, receiptId: undefined } },
      'data: missing required receiptId',
    ],
    ['a wrong version', { ...sale, version: 3 }, 'version: must be 2'],
    ['an upper-case id', { ...sale, id: String(sale.id).toUpperCase() }, 'id: does not match'],
    ['a malformed hlc', { ...sale, hlc: '2026-01-01T00:00:00Z' }, 'hlc: does not match'],
    ['an offset in occurredAt', { ...sale, occurredAt: '2026-01-01T01:00:00+01:00' }, 'occurredAt: does not match'],
    ['a dot in the node id', { ...sale, node: 'store.1' }, 'node: does not match'],
    ['no lines', { ...sale, data: { ...sale.data, lines: [] } }, 'data.lines: minItems 1'],
  ])('%s', (_, body, expected) => {
    const value = wire(body);
    expect(parseEvent(value).ok).toBe(false);
    expect(check(eventSchemaOf(sale), value).join('; ')).toContain(expected);
  });
});

/** One value of each bucket as the hub publishes it (docs/wire-protocol.md, section 13). */
const kvSamples: { [B in KvBucket]: KvValue<B> } = {
  stock: {
    location: 'store-001',
    sku: 'SKU-1001',
    onHand: 12,
    reserved: 2,
    damaged: 0,
    inTransit: 3,
    safetyStock: 1,
    available: 9,
    lastHlc: '001773483330123-000000-store-001-t1',
    asOf: '2026-03-14T10:15:31.000Z',
  },
  catalog: {
    sku: 'SKU-1001',
    name: 'Trail shoe 42',
    barcode: '3760001000016',
    priceCents: 8990,
    currency: 'EUR',
    category: null,
    asOf: '2026-03-14T10:15:31.000Z',
  },
  locations: {
    location: 'store-001',
    region: 'north',
    kind: 'store',
    name: 'Lille Centre',
    geo: { lat: 50.63, lon: 3.06 },
    asOf: '2026-03-14T10:15:31.000Z',
  },
  pickups: {
    pickupId: 'PU-1',
    order: { channel: 'web', location: 'store-001', orderRef: 'W-1', lines: [{ sku: 'SKU-1001', qty: 1 }] },
    picked: false,
    completion: { kind: 'rejected', reason: 'item-not-found' },
    status: 'rejected',
    placedAt: '2026-03-14T10:00:00.000Z',
    asOf: '2026-03-14T10:15:31.000Z',
  },
  reservations: {
    reservationId: 'res-1',
    channel: 'web',
    location: null,
    status: 'placed',
    expiresAt: '2026-03-14T10:30:00.000Z',
    lines: [{ sku: 'SKU-1001', qty: 2 }],
    asOf: '2026-03-14T10:15:31.000Z',
  },
  watermarks: {
    node: 'store-001-t1',
    location: 'store-001',
    watermark: 1,
    maxSeq: 3,
    gaps: [[2, 2]],
    eventsApplied: 2,
    asOf: '2026-03-14T10:15:31.000Z',
  },
};

const kvSchemaOf = (bucket: KvBucket) => schemaOf(schemaFileName(KV_BUCKETS[bucket], 1));

describe('KV values', () => {
  it.each(Object.keys(kvSamples) as KvBucket[])(
    '%s: the zod schema and the JSON Schema accept a published value',
    (bucket) => {
      const value = wire(kvSamples[bucket]);
      expect(KV_VALUE_SCHEMAS[bucket].safeParse(value).success).toBe(true);
      expect(check(kvSchemaOf(bucket), value)).toEqual([]);
    },
  );

  it.each([
    ['stock', { ...kvSamples.stock, onHand: undefined }, 'missing required onHand'],
    ['stock', { ...kvSamples.stock, onHand: 1.5 }, 'onHand: not of type integer'],
    ['catalog', { ...kvSamples.catalog, currency: 'eur' }, 'currency: does not match'],
    ['locations', { ...kvSamples.locations, kind: 'depot' }, 'kind: must be one of'],
    ['pickups', { ...kvSamples.pickups, status: 'lost' }, 'status: must be one of'],
    [
      'reservations',
      { ...kvSamples.reservations, lines: [{ sku: 'SKU-1001', qty: 0 }] },
      'lines.0.qty: exclusiveMinimum 0',
    ],
    ['watermarks', { ...kvSamples.watermarks, gaps: [[0, 2]] }, 'gaps.0.0: minimum 1'],
    ['watermarks', { ...kvSamples.watermarks, asOf: 'yesterday' }, 'asOf: does not match'],
  ] as const)('%s: both reject %j', (bucket, body, expected) => {
    const value = wire(body);
    expect(KV_VALUE_SCHEMAS[bucket].safeParse(value).success).toBe(false);
    expect(check(kvSchemaOf(bucket), value).join('; ')).toContain(expected);
  });

  it('an older catalog value without barcode or category reads as null', () => {
    const { barcode: _b, category: _c, ...older } = kvSamples.catalog;
    expect(KV_VALUE_SCHEMAS.catalog.parse(older)).toMatchObject({ barcode: null, category: null });
    expect(check(kvSchemaOf('catalog'), older)).toEqual([]);
  });
});
