import { z } from 'zod';
import { EnvelopeHead } from './envelope.js';
import { hubEventSchemas } from './hub-events.js';
import { describeIssues, type FieldIssue, fieldIssues } from './issues.js';
import { plainSale } from './sale-fast-path.js';
import { SaleRecordedV1, StockAdjustedV1, storeEventSchemas } from './store-events.js';

/** Every event type at its current schema version. */
export const InventoryEvent = z.discriminatedUnion('type', [...storeEventSchemas, ...hubEventSchemas]);
export type InventoryEvent = z.infer<typeof InventoryEvent>;
export type EventType = InventoryEvent['type'];
export type EventOf<T extends EventType> = Extract<InventoryEvent, { type: T }>;

/** Types recorded by store nodes (offline-capable). */
export const STORE_EVENT_TYPES: ReadonlySet<string> = new Set(storeEventSchemas.map((s) => s.shape.type.value));
/** Types decided and recorded by the hub. */
export const HUB_EVENT_TYPES: ReadonlySet<string> = new Set(hubEventSchemas.map((s) => s.shape.type.value));

/** Turns a stored event of an older version into the next version. */
interface Upcaster {
  readonly schema: z.ZodType;
  readonly up: (old: never) => unknown;
}

const currentSchemas = new Map<string, z.ZodType<InventoryEvent>>(
  [...storeEventSchemas, ...hubEventSchemas].map((s) => [s.shape.type.value, s as z.ZodType<InventoryEvent>]),
);
const currentVersions = new Map<string, number>(
  [...storeEventSchemas, ...hubEventSchemas].map((s) => [s.shape.type.value, s.shape.version.value]),
);

/** Older versions still readable, keyed `type@version`; each upcasts to version + 1. */
const upcasters = new Map<string, Upcaster>([
  [
    'SaleRecorded@1',
    {
      schema: SaleRecordedV1,
      // v1 never said how the sale was paid: it stays without tenders rather than with a guessed one.
      up: (old: z.infer<typeof SaleRecordedV1>) => ({ ...old, version: 2 }),
    },
  ],
  [
    'StockAdjusted@1',
    {
      schema: StockAdjustedV1,
      up: (old: z.infer<typeof StockAdjustedV1>) => {
        const { sku, delta, reason, adjustmentId } = old.data;
        return { ...old, version: 2, data: { adjustmentId, reason, lines: [{ sku, delta }] } };
      },
    },
  ],
]);

/** The current schema version of an event type, or undefined for an unknown type. */
export const currentVersionOf = (type: string): number | undefined => currentVersions.get(type);

/** Every (type, version) this code can read, oldest first per type: for docs and JSON Schemas. */
export const readableSchemas = (): { type: string; version: number; schema: z.ZodType; current: boolean }[] => {
  const out: { type: string; version: number; schema: z.ZodType; current: boolean }[] = [];
  for (const [type, schema] of currentSchemas) {
    const version = currentVersions.get(type) ?? 1;
    for (let v = 1; v < version; v++) {
      const up = upcasters.get(`${type}@${v}`);
      if (up) out.push({ type, version: v, schema: up.schema, current: false });
    }
    out.push({ type, version, schema, current: true });
  }
  return out;
};

/** Why a message is not a usable event; the projector dead-letters with this reason. */
export type RejectReason = 'invalid-json' | 'invalid-envelope' | 'unknown-type' | 'unknown-version' | 'invalid-data';

export type ParseResult =
  | { readonly ok: true; readonly event: InventoryEvent; readonly upcastFrom?: number }
  | { readonly ok: false; readonly reason: RejectReason; readonly message: string; readonly issues: FieldIssue[] };

const reject = (reason: RejectReason, issues: FieldIssue[]): ParseResult => ({
  ok: false,
  reason,
  issues,
  message: describeIssues(issues),
});

/**
 * Validates a stored or received event and upcasts an older version to the current one. Never
 * throws: bad input is a value with a reason and a message naming the field.
 */
export const parseEvent = (raw: unknown): ParseResult => {
  // Nearly every event is of a current version and valid: a plain sale needs no schema pass at all
  // (sale-fast-path.ts), any other such event only its own schema (envelope included). Anything else
  // takes the careful path below, which names what is wrong.
  const sale = plainSale(raw);
  if (sale) return { ok: true, event: sale };
  const schemaOfRaw = currentSchemaOf(raw);
  if (schemaOfRaw) {
    const parsed = schemaOfRaw.safeParse(raw);
    if (parsed.success) return { ok: true, event: parsed.data };
  }
  const head = EnvelopeHead.safeParse(raw);
  if (!head.success) return reject('invalid-envelope', fieldIssues(head.error));
  const { type, version } = head.data;
  const current = currentVersions.get(type);
  const schema = currentSchemas.get(type);
  if (current === undefined || !schema)
    return reject('unknown-type', [{ path: 'type', message: `unknown event type "${type}"` }]);
  if (version > current)
    return reject('unknown-version', [
      { path: 'version', message: `${type} version ${version} is newer than this reader (${current})` },
    ]);
  let value: unknown = raw;
  for (let v = version; v < current; v++) {
    const upcaster = upcasters.get(`${type}@${v}`);
    if (!upcaster)
      return reject('unknown-version', [{ path: 'version', message: `${type} version ${v} is no longer readable` }]);
    const old = upcaster.schema.safeParse(value);
    if (!old.success) return reject('invalid-data', fieldIssues(old.error));
    value = upcaster.up(old.data as never);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) return reject('invalid-data', fieldIssues(parsed.error));
  return version < current ? { ok: true, event: parsed.data, upcastFrom: version } : { ok: true, event: parsed.data };
};

/** The schema of `raw`'s type when `raw` says it is of that type's current version. */
const currentSchemaOf = (raw: unknown): z.ZodType<InventoryEvent> | undefined => {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const { type, version } = raw as { type?: unknown; version?: unknown };
  if (typeof type !== 'string' || version !== currentVersions.get(type)) return undefined;
  return currentSchemas.get(type);
};

/** Parses JSON text, then the event; invalid JSON is a value too. */
export const parseEventJson = (text: string): ParseResult => {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return reject('invalid-json', [{ path: '(root)', message: `not JSON: ${(error as Error).message}` }]);
  }
  return parseEvent(raw);
};
