// JSON Schemas of the wire contract (docs/schemas), generated from the zod schemas so that they can
// never say something the hub does not check. `pnpm schemas` writes them; json-schemas.test.ts fails
// when the committed files are stale.
import { HUB_EVENT_TYPES, readableSchemas, STORE_EVENT_TYPES } from '@stocknerve/domain';
import { z } from 'zod';
import { Heartbeat } from './heartbeat.js';
import { NETWORK_KEY } from './kv-keys.js';
import { KV_VALUE_SCHEMAS } from './kv-values.js';
import { KV_BUCKETS, type KvBucket } from './names.js';
import { heartbeatSubject, hubEventSubject, storeEventSubject } from './subjects.js';

/** Base of every schema's `$id`. */
export const SCHEMA_BASE_URI = 'https://stocknerve.dev/schemas/';
/** Where the files live, relative to the repository root. */
export const SCHEMA_DIR = 'docs/schemas';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** One sentence per event type and version: the schema's `description`. Every readable one needs one. */
const TYPE_DESCRIPTIONS: Record<string, string> = {
  'SaleRecorded@1':
    'A receipt rung up at the till, without how it was paid. Superseded by v2 and no longer written, but still readable: the hub upcasts it to v2 without tenders.',
  'SaleRecorded@2':
    'A receipt rung up at the till: every line leaves on hand at the location. tenders says how it was paid (their amounts add up to totalCents; for cash, givenCents minus amountCents is the change); absent when the payment was not recorded.',
  'ReturnRecorded@1':
    'A customer return, optionally against a receipt: every line goes back to sellable on hand or into damaged (restockTo).',
  'GoodsReceived@1':
    'Goods received from a supplier against a purchase order: every line adds to on hand; expectedQty records a discrepancy.',
  'TransferShipped@1':
    'Goods leave this location towards another one (to): on hand goes down here and the units are in transit towards the destination.',
  'TransferReceived@1':
    'Goods of a transfer arrive here (from): on hand goes up by the received qty (which may differ from what shipped, 0 allowed) and the in-transit hold ends.',
  'StockAdjusted@1':
    'Single-SKU stock adjustment. Superseded by v2 and no longer written, but still readable: the hub upcasts it to v2 with one line.',
  'StockAdjusted@2':
    'A stock adjustment of one or more SKUs with a reason: on hand changes by delta, and for damage damaged changes by -delta. By convention damage, theft and expiry are negative and found positive; the hub applies the sign as given.',
  'CycleCounted@1':
    "A cycle count: the absolute sellable quantity counted at the event's HLC. It sets on hand as of that instant, whatever order the surrounding deltas arrive in.",
  'PickupPicked@1': "Click-and-collect: staff picked the order's items off the shelf.",
  'PickupHandedOver@1': 'Click-and-collect: the customer took the goods; they leave on hand here and the hold ends.',
  'PickupRejected@1':
    'Click-and-collect: the store cannot fulfil the order; the hold ends and the hub records an incident.',
  'LocationDefined@1':
    'Master data (hub): a store or warehouse, its region and optional position. Store events of a location are accepted only once it is defined.',
  'CatalogItemUpserted@1': 'Catalog master data (hub): name, barcode, price and category of a SKU.',
  'SafetyStockSet@1': 'Units of a SKU kept back from every channel at a location (hub).',
  'ChannelAllocationSet@1':
    "How much of the network's sellable stock a channel may promise (hub), for one SKU or (sku null) as the channel's default: a share 0..1 or a cap.",
  'ReservationPlaced@1':
    'A hold on stock for an online cart or marketplace order (hub), at one location or (location null) network-wide, until expiresAt unless confirmed.',
  'ReservationConfirmed@1': 'The order was paid (hub): the hold no longer expires.',
  'ReservationReleased@1': 'The hold is given back (hub): cancelled, or fulfilled by a shipment recorded elsewhere.',
  'ReservationExpired@1': 'The hold reached its expiresAt unconfirmed and is given back (hub).',
  'PickupOrderPlaced@1':
    'A click-and-collect order routed to a store (hub): reserves stock there until handed over or rejected.',
  'IncidentRecorded@1':
    'Something reconciliation or a store found wrong (oversell, rejected pickup), with who is affected and a proposed fix (hub).',
};

/**
 * Rules the hub enforces that JSON Schema cannot express (zod refinements), by the path of the
 * refined value. Every refinement found in a schema needs an entry: adding or removing one in the
 * domain changes the generated text, so the docs cannot silently drift.
 */
const REFINEMENT_RULES: Record<string, string> = {
  '.data.lines': 'No SKU may appear twice in lines.',
  '.data.delta': 'delta must not be 0.',
  '.data.lines[].delta': 'No delta may be 0.',
  '.data.tenders[]': 'givenCents is only for cash and must be at least amountCents.',
};

interface ZodDefLike {
  readonly type: string;
  readonly checks?: readonly { readonly _zod: { readonly def: { readonly check: string } } }[];
  readonly shape?: Record<string, z.ZodType>;
  readonly element?: z.ZodType;
  readonly innerType?: z.ZodType;
  readonly options?: readonly z.ZodType[];
  readonly in?: z.ZodType;
  readonly out?: z.ZodType;
}

/** Paths of every custom refinement (refine, superRefine) inside a schema, in declaration order. */
const refinementPaths = (schema: z.ZodType, path = '', out: string[] = []): string[] => {
  const def = (schema as unknown as { _zod: { def: ZodDefLike } })._zod.def;
  if (def.checks?.some((c) => c._zod.def.check === 'custom') && !out.includes(path)) out.push(path);
  if (def.shape) for (const [key, value] of Object.entries(def.shape)) refinementPaths(value, `${path}.${key}`, out);
  if (def.element) refinementPaths(def.element, `${path}[]`, out);
  if (def.innerType) refinementPaths(def.innerType, path, out);
  for (const option of def.options ?? []) refinementPaths(option, path, out);
  if (def.in) refinementPaths(def.in, path, out);
  if (def.out) refinementPaths(def.out, path, out);
  return out;
};

/** The refinement rules of a schema in words; throws when one has no description yet. */
const refinementRules = (schema: z.ZodType, name: string): string[] =>
  refinementPaths(schema).map((path) => {
    const rule = REFINEMENT_RULES[path];
    if (!rule) throw new Error(`json-schemas: describe the refinement at ${path} of ${name} in REFINEMENT_RULES`);
    return rule;
  });

/** What each envelope field means: the same text as docs/wire-protocol.md. */
const ENVELOPE_DESCRIPTIONS: Record<string, string> = {
  id: 'Event id: a lower-case UUID, UUIDv7 recommended (time-sortable). Also the Nats-Msg-Id header. Never reused.',
  location: "Where the fact happened; `hub` for the hub's own events.",
  node: "The terminal that recorded it; `hub` for the hub's own events.",
  seq: 'Per-node sequence number: gap-free from 1, never reused, even after a reinstall of the same node id.',
  hlc: 'Hybrid logical clock `<15-digit wall ms>-<6-digit counter>-<node>`; the node part must equal `node`. Plain string order is the merge order.',
  occurredAt: 'Wall-clock time for humans: ISO 8601 in UTC with a `Z` suffix (no offsets).',
  correlationId: 'Ties together every event of one business operation, from the terminal to the hub.',
  causationId: 'The event or command that caused this one, when there is one. Omit it rather than sending null.',
  type: 'Event type.',
  version: 'Schema version of this event type.',
  data: 'The fact itself; its fields depend on type and version.',
};

const HEARTBEAT_DESCRIPTIONS: Record<string, string> = {
  node: 'The terminal sending it; the last token of the subject.',
  location: 'Its location; the second-to-last token of the subject.',
  region: 'The region of its location; the third-to-last token of the subject.',
  pending: 'Events recorded locally and not yet acknowledged by JetStream (PubAck).',
  oldestPendingAgeMs: 'Age in ms of the oldest of them; null when none is pending.',
  lastAckedSeq: 'Highest own seq the node holds a PubAck for (0 before the first).',
  appVersion: 'Software name and version of the node, for support (at most 50 characters).',
};

/** Schema keywords first in this order, then any other key alphabetically: stable, readable output. */
const KEY_ORDER = [
  '$schema',
  '$id',
  'title',
  'description',
  'deprecated',
  '$comment',
  'type',
  'const',
  'enum',
  'format',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'exclusiveMinimum',
  'maximum',
  'exclusiveMaximum',
  'minItems',
  'maxItems',
  'items',
  'properties',
  'required',
  'additionalProperties',
  'anyOf',
  'oneOf',
  'allOf',
  '$defs',
];
const rank = (key: string) => {
  const i = KEY_ORDER.indexOf(key);
  return i === -1 ? KEY_ORDER.length : i;
};

/** Reorders the keys of a schema (recursively); property maps keep their declaration order. */
const canonical = (value: Json, isPropertyMap = false): Json => {
  if (Array.isArray(value)) return value.map((v) => canonical(v));
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value);
  if (!isPropertyMap) keys.sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  const out: JsonObject = {};
  for (const key of keys)
    out[key] = canonical(value[key] as Json, !isPropertyMap && (key === 'properties' || key === '$defs'));
  return out;
};

const toJsonSchema = (schema: z.ZodType): JsonObject =>
  z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }) as JsonObject;

const describeProperties = (schema: JsonObject, descriptions: Record<string, string>) => {
  const properties = schema.properties as Record<string, JsonObject> | undefined;
  for (const [name, text] of Object.entries(descriptions)) {
    const property = properties?.[name];
    if (!property) throw new Error(`json-schemas: no property "${name}" to describe`);
    property.description = text;
  }
};

/**
 * What each KV bucket holds, and its key (docs/wire-protocol.md, section 13). Ids in keys are written
 * with kvToken: a character outside [-_A-Za-z0-9] becomes =XX.
 */
const KV_DESCRIPTIONS: Record<KvBucket, { readonly key: string; readonly text: string }> = {
  stock: {
    key: '<location>.<sku>',
    text: "One cell's stock figures: on hand, reserved, damaged, in transit, safety stock and available (on hand − reserved − safety stock, may be negative).",
  },
  catalog: { key: '<sku>', text: 'A catalog item: name, barcode, price and category.' },
  locations: {
    key: '<location>',
    text: 'A store or warehouse with its region: the region a node uses in its subjects comes from here.',
  },
  pickups: {
    key: '<location>.<pickupId>',
    text: 'A click-and-collect order routed to the location, published once the order is known, with its progress.',
  },
  reservations: {
    key: `<location|${NETWORK_KEY}>.<reservationId>`,
    text: `A hold on stock for a channel, at a location or (key prefix ${NETWORK_KEY}) network-wide, with its status.`,
  },
  watermarks: {
    key: '<node>',
    text: "Which of a node's seqs the hub applied: watermark (every seq up to it), maxSeq and the gaps between. A node re-sends what is missing (anti-entropy).",
  },
};

/** `Type.vN.json` (and `heartbeat.v1.json`, `inv_stock.v1.json`...). */
export const schemaFileName = (name: string, version: number) => `${name}.v${version}.json`;

export interface SchemaIndexEntry {
  readonly name: string;
  readonly version: number;
  /** Written by current producers (false: only still readable). */
  readonly current: boolean;
  readonly kind: 'event' | 'heartbeat' | 'kv-value';
  readonly producer: 'store' | 'hub';
  /** Subject pattern it travels on (for a KV value, the subject of its key). */
  readonly subject: string;
  readonly file: string;
  readonly $id: string;
}

const STORE_SUBJECT = storeEventSubject('<region>', '<location>', '<node>');
const HUB_SUBJECT = hubEventSubject();
const HEARTBEAT_SUBJECT = heartbeatSubject('<region>', '<location>', '<node>');

const finish = (schema: JsonObject, head: JsonObject): string =>
  `${JSON.stringify(canonical({ ...schema, ...head }), null, 2)}\n`;

/**
 * Every file of docs/schemas with its exact text, keyed by file name (index.json included). Pure and
 * deterministic: the same source gives byte-identical output.
 */
export const generateSchemaFiles = (): Map<string, string> => {
  const files = new Map<string, string>();
  const index: SchemaIndexEntry[] = [];
  const known = new Set<string>();
  for (const { type, version, schema, current } of readableSchemas()) {
    const key = `${type}@${version}`;
    known.add(key);
    const summary = TYPE_DESCRIPTIONS[key];
    if (!summary) throw new Error(`json-schemas: add a description of ${key} to TYPE_DESCRIPTIONS`);
    const producer = STORE_EVENT_TYPES.has(type) ? 'store' : 'hub';
    if (producer === 'hub' && !HUB_EVENT_TYPES.has(type)) throw new Error(`json-schemas: ${type} has no producer`);
    const json = toJsonSchema(schema);
    describeProperties(json, ENVELOPE_DESCRIPTIONS);
    const rules = refinementRules(schema, key);
    const subject = producer === 'store' ? STORE_SUBJECT : HUB_SUBJECT;
    const file = schemaFileName(type, version);
    const $id = `${SCHEMA_BASE_URI}${file}`;
    const description = [
      summary,
      `Published by ${producer === 'store' ? 'store nodes' : 'the hub only'} on ${subject}.`,
      ...(rules.length ? [`Also enforced by the hub: ${rules.join(' ')}`] : []),
      'Unknown fields are ignored. See docs/wire-protocol.md.',
    ].join(' ');
    files.set(
      file,
      finish(json, { $id, title: `${type} v${version}`, description, ...(current ? {} : { deprecated: true }) }),
    );
    index.push({ name: type, version, current, kind: 'event', producer, subject, file, $id });
  }
  for (const key of Object.keys(TYPE_DESCRIPTIONS))
    if (!known.has(key)) throw new Error(`json-schemas: ${key} is described but not readable; remove it`);

  if (refinementPaths(Heartbeat).length > 0) throw new Error('json-schemas: describe the heartbeat refinements');
  const heartbeat = toJsonSchema(Heartbeat);
  describeProperties(heartbeat, HEARTBEAT_DESCRIPTIONS);
  const hbFile = schemaFileName('heartbeat', 1);
  files.set(
    hbFile,
    finish(heartbeat, {
      $id: `${SCHEMA_BASE_URI}${hbFile}`,
      title: 'Heartbeat v1',
      description: `Liveness and sync backlog of a store node, published every 5 s over core NATS (not stored) on ${HEARTBEAT_SUBJECT}. The subject's location and node must match the body. See docs/wire-protocol.md.`,
    }),
  );
  index.push({
    name: 'heartbeat',
    version: 1,
    current: true,
    kind: 'heartbeat',
    producer: 'store',
    subject: HEARTBEAT_SUBJECT,
    file: hbFile,
    $id: `${SCHEMA_BASE_URI}${hbFile}`,
  });

  for (const [bucket, schema] of Object.entries(KV_VALUE_SCHEMAS) as [KvBucket, z.ZodType][]) {
    if (refinementPaths(schema).length > 0) throw new Error(`json-schemas: describe the refinements of ${bucket}`);
    const name = KV_BUCKETS[bucket];
    const { key, text } = KV_DESCRIPTIONS[bucket];
    const file = schemaFileName(name, 1);
    const $id = `${SCHEMA_BASE_URI}${file}`;
    files.set(
      file,
      finish(toJsonSchema(schema), {
        $id,
        title: `${name} value v1`,
        description: `${text} Published by the hub in the KV bucket ${name} under the key ${key}; asOf is when the hub published it. Unknown fields are ignored. See docs/wire-protocol.md.`,
      }),
    );
    index.push({
      name,
      version: 1,
      current: true,
      kind: 'kv-value',
      producer: 'hub',
      subject: `$KV.${name}.${key}`,
      file,
      $id,
    });
  }

  const indexJson = {
    $comment: 'Generated by `pnpm schemas` (packages/protocol) from the zod schemas: do not edit.',
    baseUri: SCHEMA_BASE_URI,
    schemas: index as unknown as Json,
  };
  files.set('index.json', `${JSON.stringify(indexJson, null, 2)}\n`);
  return files;
};
