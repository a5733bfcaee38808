import { z } from 'zod';

/**
 * Identifiers travel in NATS subjects and KV keys, so they are restricted to characters that are
 * valid in a single subject token (no dots, spaces, wildcards).
 */
const token = (what: string, pattern: RegExp, hint: string) =>
  z.string({ error: `${what} must be a string` }).regex(pattern, { error: `${what} ${hint}` });

// The patterns are exported for checks that must agree with these schemas exactly (the sale fast path).
export const slugPattern = /^[a-z0-9][a-z0-9-]{0,63}$/;
const slugHint = 'must be 1-64 lower-case letters, digits or "-", starting with a letter or digit';

/** A store or warehouse, e.g. `store-001`. */
export const LocationId = token('location', slugPattern, slugHint);
export type LocationId = z.infer<typeof LocationId>;

/** A region that groups locations, e.g. `north`. */
export const RegionId = token('region', slugPattern, slugHint);
export type RegionId = z.infer<typeof RegionId>;

/** One terminal (one store-node install) or the hub itself, e.g. `store-001-t1`. */
export const NodeId = token('node', slugPattern, slugHint);
export type NodeId = z.infer<typeof NodeId>;

/** A sales channel that reads availability and reserves, e.g. `web`, `marketplace-a`. */
export const ChannelId = token(
  'channel',
  /^[a-z0-9][a-z0-9-]{0,31}$/,
  'must be 1-32 lower-case letters, digits or "-"',
);
export type ChannelId = z.infer<typeof ChannelId>;

/** Stock keeping unit. */
export const skuPattern = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
export const Sku = token('sku', skuPattern, 'must be 1-64 letters, digits, "_" or "-"');
export type Sku = z.infer<typeof Sku>;

export const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Event ids are lower-case UUIDs; ours are UUIDv7 so that they sort by creation time. */
export const EventId = token('id', uuidPattern, 'must be a lower-case UUID (UUIDv7 recommended)');
export type EventId = z.infer<typeof EventId>;

/** Business references (receipt, transfer, reservation, pickup ids; correlation ids). */
export const referencePattern = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;
export const Reference = (what: string) => token(what, referencePattern, 'must be 1-128 letters, digits or "_.:-"');

/** ISO 4217 currency codes, e.g. `EUR`. */
export const currencyPattern = /^[A-Z]{3}$/;

/** The most units one line may move. */
export const MAX_LINE_QTY = 1_000_000;

/** Whole units of stock moved by one line: a positive integer. */
export const Quantity = z
  .number({ error: 'qty must be a number' })
  .int({ error: 'qty must be a whole number' })
  .positive({ error: 'qty must be positive' })
  .max(MAX_LINE_QTY, { error: 'qty must be at most 1,000,000' });

/** Money in minor units (cents). */
export const Cents = z.number().int({ error: 'must be whole cents' }).min(0, { error: 'must not be negative' });

/**
 * Formats a UUIDv7 from a unix time in ms and at least 10 random bytes. The caller brings the
 * time and the randomness: the domain never reads the clock or a random source itself.
 */
export const uuidv7 = (unixMs: number, random: Uint8Array): string => {
  if (random.length < 10) throw new RangeError('uuidv7 needs 10 random bytes');
  const bytes = new Uint8Array(16);
  let ms = Math.max(0, Math.floor(unixMs));
  for (let i = 5; i >= 0; i--) {
    bytes[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  bytes[6] = 0x70 | ((random[0] ?? 0) & 0x0f);
  bytes[7] = random[1] ?? 0;
  bytes[8] = 0x80 | ((random[2] ?? 0) & 0x3f);
  for (let i = 9; i < 16; i++) bytes[i] = random[i - 6] ?? 0;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};

/** 10 bytes derived from a string (FNV-1a, twice). */
const bytesOf = (text: string): Uint8Array => {
  const out = new Uint8Array(10);
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < text.length; i++) {
    h1 = Math.imul(h1 ^ text.charCodeAt(i), 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ text.charCodeAt(i), 0x811c9dc5) >>> 0;
  }
  for (let i = 0; i < 4; i++) {
    out[i] = (h1 >>> (8 * i)) & 0xff;
    out[i + 4] = (h2 >>> (8 * i)) & 0xff;
  }
  out[8] = (h1 ^ h2) & 0xff;
  out[9] = ((h1 ^ h2) >>> 8) & 0xff;
  return out;
};

/**
 * A deterministic UUIDv7 for (name, n) at a given time: the same event id every time it is made, so
 * that seeding demo data twice, a test or a simulation publishes duplicates JetStream drops.
 */
export const deterministicEventId = (ms: number, name: string, n: number): string =>
  uuidv7(ms, bytesOf(`${name}#${n}`));
