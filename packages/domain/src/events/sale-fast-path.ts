import type { InventoryEvent } from './registry.js';

// Nearly every message the hub applies is a sale. Validating it with zod costs about 4 µs, most of
// it building a copy of an object that is already right. This check accepts a sale only when zod
// would accept it AND return an equal object: every rule below is the schema's rule or a stricter
// one, and anything it is unsure of (an unknown key, a 29th of a month, a fraction of a second that
// is not 3 digits) is left to zod, which then accepts or names what is wrong exactly as before.

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const slug = /^[a-z0-9][a-z0-9-]{0,63}$/;
const reference = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;
const hlc = /^(\d{15})-(\d{6})-([a-z0-9][a-z0-9-]{0,63})$/;
const sku = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const currency = /^[A-Z]{3}$/;
// Days 01-28 exist in every month; other dates go to zod's own date-time rule.
const utcMillis = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|1\d|2[0-8])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;

const ENVELOPE_KEYS = 10;
const SALE_DATA_KEYS = 4;
const SALE_LINE_KEYS = 3;
const MAX_LINES = 1000;
const MAX_QTY = 1_000_000;

type Fields = Record<string, unknown>;

// Plain objects only (what JSON.parse makes): anything else is zod's to judge.
const isObject = (v: unknown): v is Fields =>
  typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;
const matches = (v: unknown, pattern: RegExp): boolean => typeof v === 'string' && pattern.test(v);
const isCents = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) >= 0;
const keyCount = (o: Fields): number => {
  let n = 0;
  for (const _ in o) n++;
  return n;
};

const isSaleLine = (line: unknown): boolean =>
  isObject(line) &&
  keyCount(line) === SALE_LINE_KEYS &&
  matches(line.sku, sku) &&
  Number.isSafeInteger(line.qty) &&
  (line.qty as number) > 0 &&
  (line.qty as number) <= MAX_QTY &&
  isCents(line.unitPriceCents);

const areSaleLines = (lines: unknown): boolean => {
  if (!Array.isArray(lines) || lines.length < 1 || lines.length > MAX_LINES) return false;
  // No holes and no named properties (zod's copy would have neither).
  if (Object.getPrototypeOf(lines) !== Array.prototype || Object.keys(lines).length !== lines.length) return false;
  for (const line of lines) if (!isSaleLine(line)) return false;
  if (lines.length === 1) return true;
  return new Set(lines.map((l: Fields) => l.sku)).size === lines.length;
};

/**
 * `raw` itself when it is a current-version SaleRecorded that the schema accepts unchanged (no key
 * it would strip); undefined when zod has to decide.
 */
export const plainSale = (raw: unknown): InventoryEvent | undefined => {
  if (!isObject(raw) || raw.type !== 'SaleRecorded' || raw.version !== 1) return undefined;
  if (keyCount(raw) !== (raw.causationId === undefined ? ENVELOPE_KEYS : ENVELOPE_KEYS + 1)) return undefined;
  if (raw.causationId !== undefined && !matches(raw.causationId, reference)) return undefined;
  const data = raw.data;
  const ok =
    matches(raw.id, uuid) &&
    matches(raw.location, slug) &&
    matches(raw.node, slug) &&
    Number.isSafeInteger(raw.seq) &&
    (raw.seq as number) >= 1 &&
    matches(raw.hlc, hlc) &&
    matches(raw.occurredAt, utcMillis) &&
    matches(raw.correlationId, reference) &&
    isObject(data) &&
    keyCount(data) === SALE_DATA_KEYS &&
    matches(data.receiptId, reference) &&
    matches(data.currency, currency) &&
    isCents(data.totalCents) &&
    areSaleLines(data.lines);
  return ok ? (raw as InventoryEvent) : undefined;
};
