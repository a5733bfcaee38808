import { hlcPattern } from '../hlc.js';
import { currencyPattern, MAX_LINE_QTY, referencePattern, skuPattern, slugPattern, uuidPattern } from '../ids.js';
import { MAX_LINES } from './lines.js';
import type { InventoryEvent } from './registry.js';
import { MAX_TENDERS } from './store-events.js';

// Nearly every message the hub applies is a sale. Validating it with zod is mostly building a copy
// of an object that is already right (docs/decisions/0007-sale-fast-path.md). This check accepts a sale only when zod
// would accept it AND return an equal object: every rule below is the schema's rule (the patterns
// and bounds are the schemas' own constants) or a stricter one, and anything it is unsure of (an
// unknown key, a 29th of February, a fraction of a second that is not 3 digits) is left to zod,
// which then accepts or names what is wrong exactly as before.

// Days 01-28 exist in every month, 29 and 30 in every month but February, 31 in the seven long
// months; February 29th (leap years) goes to zod's own date-time rule. (Leaving every day after the
// 28th to zod sent a whole day's sales down the slow path three days a month.)
const utcMillis =
  /^\d{4}-((0[1-9]|1[0-2])-(0[1-9]|1\d|2[0-8])|(0[13-9]|1[0-2])-(29|30)|(0[13578]|1[02])-31)T([01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;

const ENVELOPE_KEYS = 10;
// receiptId, currency, lines, totalCents, and tenders when the payment was recorded.
const SALE_DATA_KEYS = 4;
const SALE_VERSION = 2;
const SALE_LINE_KEYS = 3;

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
  matches(line.sku, skuPattern) &&
  Number.isSafeInteger(line.qty) &&
  (line.qty as number) > 0 &&
  (line.qty as number) <= MAX_LINE_QTY &&
  isCents(line.unitPriceCents);

const areSaleLines = (lines: unknown): boolean => {
  if (!Array.isArray(lines) || lines.length < 1 || lines.length > MAX_LINES) return false;
  // No holes and no named properties (zod's copy would have neither).
  if (Object.getPrototypeOf(lines) !== Array.prototype || Object.keys(lines).length !== lines.length) return false;
  for (const line of lines) if (!isSaleLine(line)) return false;
  if (lines.length === 1) return true;
  return new Set(lines.map((l: Fields) => l.sku)).size === lines.length;
};

// A cash tender with change carries givenCents (3 keys); any other tender has 2. A third key that is
// not a valid givenCents fails isCents and goes to zod.
const isTender = (t: unknown): boolean => {
  if (!isObject(t) || !isCents(t.amountCents)) return false;
  const keys = keyCount(t);
  if (keys === 2) return t.method === 'cash' || t.method === 'card' || t.method === 'other';
  return (
    keys === 3 && t.method === 'cash' && isCents(t.givenCents) && (t.givenCents as number) >= (t.amountCents as number)
  );
};

const areTenders = (tenders: unknown): boolean => {
  if (!Array.isArray(tenders) || tenders.length > MAX_TENDERS) return false;
  if (Object.getPrototypeOf(tenders) !== Array.prototype || Object.keys(tenders).length !== tenders.length)
    return false;
  for (const t of tenders) if (!isTender(t)) return false;
  return true;
};

/**
 * `raw` itself when it is a current-version SaleRecorded that the schema accepts unchanged (no key
 * it would strip); undefined when zod has to decide.
 */
export const plainSale = (raw: unknown): InventoryEvent | undefined => {
  if (!isObject(raw) || raw.type !== 'SaleRecorded' || raw.version !== SALE_VERSION) return undefined;
  if (keyCount(raw) !== (raw.causationId === undefined ? ENVELOPE_KEYS : ENVELOPE_KEYS + 1)) return undefined;
  if (raw.causationId !== undefined && !matches(raw.causationId, referencePattern)) return undefined;
  const data = raw.data;
  const ok =
    matches(raw.id, uuidPattern) &&
    matches(raw.location, slugPattern) &&
    matches(raw.node, slugPattern) &&
    Number.isSafeInteger(raw.seq) &&
    (raw.seq as number) >= 1 &&
    matches(raw.hlc, hlcPattern) &&
    matches(raw.occurredAt, utcMillis) &&
    matches(raw.correlationId, referencePattern) &&
    isObject(data) &&
    keyCount(data) === (data.tenders === undefined ? SALE_DATA_KEYS : SALE_DATA_KEYS + 1) &&
    matches(data.receiptId, referencePattern) &&
    matches(data.currency, currencyPattern) &&
    isCents(data.totalCents) &&
    areSaleLines(data.lines) &&
    (data.tenders === undefined || areTenders(data.tenders));
  return ok ? (raw as InventoryEvent) : undefined;
};
