import { AllocationRule, ChannelId, HUB_LOCATION, LocationId, Reference, Sku, SkuLine } from '@stocknerve/domain';
import { z } from 'zod';

// Shared request pieces and the response bodies. Responses are documented (OpenAPI) from these
// schemas and checked against them in the integration tests; they are not re-validated at runtime.

/** `?limit=`: 1..max, default `fallback`. */
export const Limit = (fallback: number, max: number) =>
  z.coerce
    .number({ error: 'limit must be a number' })
    .int({ error: 'limit must be a whole number' })
    .min(1, { error: 'limit must be at least 1' })
    .max(max, { error: `limit must be at most ${max}` })
    .default(fallback)
    .meta({ description: `Most items returned (default ${fallback}, at most ${max}).` });

/** Opaque page cursor: `nextCursor` of the previous page. Decodes to the last SKU seen. */
export const SkuCursor = z
  .string()
  .max(200)
  .transform((cursor, ctx) => {
    const sku = Buffer.from(cursor, 'base64url').toString('utf8');
    if (!Sku.safeParse(sku).success) {
      ctx.addIssue({ code: 'custom', message: 'cursor is not a cursor this API returned' });
      return z.NEVER;
    }
    return sku;
  })
  .meta({ description: 'Opaque cursor: the nextCursor of the previous page.' });

export const encodeSkuCursor = (sku: string | null): string | null =>
  sku === null ? null : Buffer.from(sku, 'utf8').toString('base64url');

/** `?channel=web&channel=app`: one or more channels. */
export const ChannelList = z
  .union([ChannelId, z.array(ChannelId).min(1).max(20)])
  .optional()
  .transform((c) => [...new Set(c === undefined ? ['web'] : Array.isArray(c) ? c : [c])])
  .meta({ description: 'Sales channel(s); repeat the parameter for several. Default web.' });

/**
 * A location a client names: never `hub`, the location the hub records its own events at, so that
 * nothing a client defines or asks for can pass for the hub.
 */
export const ApiLocationId = LocationId.refine((location) => location !== HUB_LOCATION, {
  error: `location "${HUB_LOCATION}" is reserved for the hub itself`,
});

export const LocationParams = z.object({ location: ApiLocationId });
export const CellParams = z.object({ location: ApiLocationId, sku: Sku });

// ---- error bodies ----

export const ErrorBody = z
  .object({
    error: z.string(),
    message: z.string(),
    details: z.unknown().optional(),
    field: z.string().optional().meta({ description: 'The request field a refusal is about (e.g. channel).' }),
  })
  .meta({ description: 'A refused or failed request: a stable code and a human message.' });

export const InvalidRequestBody = z
  .object({
    error: z.literal('invalid-request'),
    message: z.string(),
    issues: z.array(
      z.object({ in: z.enum(['path', 'query', 'header', 'body']), path: z.string(), message: z.string() }),
    ),
  })
  .meta({ description: 'The request failed validation; every issue names its field.' });

// ---- availability ----

export const LocationTrustSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('full') }),
  z.object({ kind: z.literal('buffer'), units: z.number().int() }),
  z.object({ kind: z.literal('exclude') }),
]);

export const SkuAvailabilitySchema = z.object({
  sku: z.string(),
  asOf: z.string(),
  networkReserved: z.number().int(),
  channels: z.array(
    z.object({
      channel: z.string(),
      atp: z.number().int().meta({ description: 'Units the channel may still promise network-wide.' }),
      pool: z.number().int(),
      allocationRemaining: z.number().int().nullable(),
      rule: AllocationRule.nullable(),
    }),
  ),
  locations: z.array(
    z.object({
      location: z.string(),
      region: z.string(),
      onHand: z.number().int(),
      reserved: z.number().int(),
      safetyStock: z.number().int(),
      available: z.number().int(),
      contributes: z.number().int(),
      trust: LocationTrustSchema,
      lastHeardAt: z.string().nullable(),
      ageMs: z.number().nullable(),
      stale: z.boolean(),
    }),
  ),
  staleLocations: z.array(z.object({ location: z.string(), ageMs: z.number().nullable() })),
});

// ---- locations and stock ----

export const LocationSchema = z.object({
  location: z.string(),
  region: z.string(),
  kind: z.enum(['store', 'warehouse']),
  name: z.string(),
  geo: z.object({ lat: z.number(), lon: z.number() }).optional(),
  lastHeardAt: z.string().nullable(),
  ageMs: z.number().nullable(),
  stale: z.boolean(),
});

export const StockLineSchema = z.object({
  sku: z.string(),
  name: z.string().nullable(),
  onHand: z.number().int(),
  reserved: z.number().int(),
  safetyStock: z.number().int(),
  available: z.number().int(),
  damaged: z.number().int(),
  inTransit: z.number().int(),
  countHlc: z.string().nullable(),
  lastHlc: z.string().nullable(),
});

const CountRefSchema = z.object({
  qty: z.number().int(),
  hlc: z.string(),
  eventId: z.string(),
  occurredAt: z.string(),
  streamSeq: z.number().int(),
});

export const StockAsOfSchema = z.object({
  location: z.string(),
  sku: z.string(),
  asOf: z.string(),
  onHand: z.number().int(),
  damaged: z.number().int(),
  count: CountRefSchema.nullable(),
  deltaAfterCount: z.number().int(),
  movements: z.number().int(),
});

export const OnHandExplanationSchema = z.object({
  location: z.string(),
  sku: z.string(),
  onHand: z.number().int(),
  count: CountRefSchema.nullable(),
  movements: z.array(
    z.object({
      type: z.string(),
      delta: z.number().int(),
      hlc: z.string(),
      eventId: z.string(),
      occurredAt: z.string(),
      streamSeq: z.number().int(),
    }),
  ),
  sum: z.number().int(),
  consistent: z.boolean(),
});

// ---- reservations, pickups, incidents ----

export const ReservationSchema = z.object({
  reservationId: z.string(),
  channel: z.string(),
  location: z.string().nullable(),
  status: z.enum(['placed', 'confirmed', 'released', 'expired']),
  lines: z.array(SkuLine),
  expiresAt: z.string(),
  idempotencyKey: z.string(),
  placedAt: z.string(),
  updatedAt: z.string(),
  placedEventId: z.string(),
  correlationId: z.string(),
});

export const PickupStatusSchema = z.enum(['placed', 'picked', 'handed-over', 'rejected', 'unknown']);

export const PickupSchema = z.object({
  pickupId: z.string(),
  channel: z.string().nullable(),
  location: z.string().nullable(),
  orderRef: z.string().nullable(),
  customerName: z.string().nullable(),
  lines: z.array(SkuLine),
  status: PickupStatusSchema,
  picked: z.boolean(),
  rejectReason: z.string().nullable(),
  rejectNote: z.string().nullable(),
  placedAt: z.string().nullable(),
  updatedAt: z.string(),
});

export const IncidentSchema = z.object({
  incidentId: z.string(),
  kind: z.enum(['oversell', 'pickup-rejected']),
  location: z.string(),
  sku: z.string(),
  shortfall: z.number().int(),
  affected: z.array(z.object({ kind: z.enum(['reservation', 'pickup']), id: z.string(), qty: z.number().int() })),
  proposal: z
    .object({ location: z.string(), available: z.number().int(), distanceKm: z.number().nullable() })
    .nullable(),
  triggeredBy: z.string(),
  note: z.string().nullable(),
  recordedAt: z.string(),
  streamSeq: z.number().int(),
});

export const NodeStatusSchema = z.object({
  node: z.string(),
  location: z.string(),
  region: z.string().nullable(),
  watermark: z.number().int(),
  maxSeq: z.number().int(),
  gaps: z.array(z.tuple([z.number().int(), z.number().int()])),
  eventsApplied: z.number().int(),
  lastEventAt: z.string().nullable(),
  lastHeardAt: z.string().nullable(),
  lastHeardAgeMs: z.number().nullable(),
  pending: z.number().int().nullable(),
  oldestPendingAgeMs: z.number().nullable(),
  stale: z.boolean(),
  clockSkew: z
    .object({
      aheadMs: z.number().int().meta({ description: 'How far ahead of its store time the latest such event was, ms' }),
      lastSeenAt: z.string().meta({ description: 'When the stream stored that event' }),
      events: z.number().int().meta({ description: 'Events placed at their store time, or counts held for review' }),
      current: z.boolean().meta({ description: 'Whether the node’s latest event was one of them' }),
    })
    .nullable()
    .meta({
      description: `Events of the node whose clock was ahead of their store time by more than HUB_MAX_CLOCK_SKEW_MS (null: never)`,
    }),
  flags: z.array(z.literal('clock-skew')).meta({ description: '`clock-skew` while the node’s clock is wrong' }),
});

export const CatalogItemSchema = z.object({
  sku: z.string(),
  name: z.string(),
  barcode: z.string().optional(),
  priceCents: z.number().int(),
  currency: z.string(),
  category: z.string().optional(),
});

export const ReservationIdParams = z.object({ id: Reference('reservationId') });
export const PickupIdParams = z.object({ id: Reference('pickupId') });
