import {
  Cents,
  ChannelId,
  currencyPattern,
  HlcText,
  LocationId,
  NodeId,
  RegionId,
  Sku,
  SkuLine,
} from '@stocknerve/domain';
import { z } from 'zod';
import { KV_BUCKETS, type KvBucket, type KvBucketName } from './names.js';

// The values the hub publishes in its KV buckets (docs/wire-protocol.md, section 13). The hub writes
// them from its views; a node parses each one it pulls and ignores one that does not parse. Unknown
// fields are dropped, so a newer hub may add fields.

/** When the hub published the value (its wall clock, ISO 8601 UTC), not when the fact happened. */
const AsOf = z.iso.datetime();
/** Whole units; stock figures can go negative (an oversold cell). */
const Units = z.number().int();
const Count = z.number().int().min(0);

/** `inv_stock`, key `<location>.<sku>`: one cell's figures. */
export const StockValue = z.object({
  location: LocationId,
  sku: Sku,
  onHand: Units,
  reserved: Units,
  damaged: Units,
  inTransit: Units,
  safetyStock: Units,
  /** onHand − reserved − safetyStock (may be negative). */
  available: Units,
  /** HLC of the latest on-hand movement or count applied to the cell. */
  lastHlc: HlcText.nullable(),
  asOf: AsOf,
});
export type StockValue = z.infer<typeof StockValue>;

/** `inv_catalog`, key `<sku>`. */
export const CatalogValue = z.object({
  sku: Sku,
  name: z.string(),
  barcode: z.string().nullable().default(null),
  priceCents: Cents,
  currency: z.string().regex(currencyPattern),
  category: z.string().nullable().default(null),
  asOf: AsOf,
});
export type CatalogValue = z.infer<typeof CatalogValue>;

/** `inv_locations`, key `<location>`: where the node's region for its subjects comes from. */
export const LocationValue = z.object({
  location: LocationId,
  region: RegionId,
  kind: z.enum(['store', 'warehouse']),
  name: z.string(),
  geo: z.object({ lat: z.number(), lon: z.number() }).optional(),
  asOf: AsOf,
});
export type LocationValue = z.infer<typeof LocationValue>;

const PickupOrder = z.object({
  channel: ChannelId,
  location: LocationId,
  orderRef: z.string(),
  customerName: z.string().optional(),
  lines: z.array(SkuLine),
});

const PickupCompletion = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('handed-over') }),
  z.object({ kind: z.literal('rejected'), reason: z.string(), note: z.string().optional() }),
]);
export type PickupCompletion = z.infer<typeof PickupCompletion>;

/** `inv_pickups`, key `<location>.<pickupId>`: a click-and-collect order, once it is known. */
export const PickupValue = z.object({
  pickupId: z.string(),
  order: PickupOrder.nullable(),
  picked: z.boolean(),
  completion: PickupCompletion.nullable(),
  status: z.enum(['placed', 'picked', 'handed-over', 'rejected']),
  /** occurredAt of the order. */
  placedAt: z.string().nullable(),
  asOf: AsOf,
});
export type PickupValue = z.infer<typeof PickupValue>;

/** `inv_reservations`, key `<location>.<reservationId>` or `_network.<reservationId>`. */
export const ReservationValue = z.object({
  reservationId: z.string(),
  channel: ChannelId,
  location: LocationId.nullable(),
  status: z.enum(['placed', 'confirmed', 'released', 'expired']),
  expiresAt: z.string(),
  lines: z.array(SkuLine),
  asOf: AsOf,
});
export type ReservationValue = z.infer<typeof ReservationValue>;

/** Inclusive range of seqs the hub has not applied: `[from, to]`. */
const SeqGap = z.tuple([z.number().int().min(1), z.number().int().min(1)]);

/**
 * `inv_watermarks`, key `<node>`: which of a node's seqs the hub applied. Anti-entropy re-sends what
 * is missing (docs/wire-protocol.md, section 14).
 */
export const WatermarkValue = z.object({
  node: NodeId,
  location: LocationId,
  /** Every seq from 1 up to this one is applied (0: none yet). */
  watermark: Count,
  /** Highest seq applied. */
  maxSeq: Count,
  /** Missing seq ranges between watermark and maxSeq. */
  gaps: z.array(SeqGap),
  /** Distinct events applied. */
  eventsApplied: Count,
  asOf: AsOf,
});
export type WatermarkValue = z.infer<typeof WatermarkValue>;

/** The schema of each bucket's values. */
export const KV_VALUE_SCHEMAS = {
  stock: StockValue,
  catalog: CatalogValue,
  locations: LocationValue,
  pickups: PickupValue,
  reservations: ReservationValue,
  watermarks: WatermarkValue,
} as const satisfies Record<KvBucket, z.ZodType>;

/** A value of a bucket, by short name. */
export type KvValue<B extends KvBucket> = z.infer<(typeof KV_VALUE_SCHEMAS)[B]>;

const BY_NAME = new Map<string, KvBucket>(Object.entries(KV_BUCKETS).map(([short, name]) => [name, short as KvBucket]));

/** The short name of a bucket (`inv_stock` → `stock`), or undefined for a bucket not in the contract. */
export const kvBucketOf = (name: string): KvBucket | undefined => BY_NAME.get(name);

export type KvValueCheck<B extends KvBucket> =
  | { readonly ok: true; readonly value: KvValue<B> }
  | { readonly ok: false; readonly error: string };

/** Checks one value pulled from a bucket against its schema; the error names the fields at fault. */
export const parseKvValue = <B extends KvBucket>(bucket: B, raw: unknown): KvValueCheck<B> => {
  const parsed = KV_VALUE_SCHEMAS[bucket].safeParse(raw);
  if (parsed.success) return { ok: true, value: parsed.data as KvValue<B> };
  return { ok: false, error: z.prettifyError(parsed.error).replaceAll('\n', '; ') };
};

/** parseKvValue by the bucket's full name; a bucket outside the contract is an error. */
export const parseKvValueOf = (bucket: KvBucketName | string, raw: unknown): KvValueCheck<KvBucket> => {
  const short = kvBucketOf(bucket);
  if (!short) return { ok: false, error: `${bucket} is not a bucket of the contract` };
  return parseKvValue(short, raw);
};
