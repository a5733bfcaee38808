import { z } from 'zod';
import { Cents, ChannelId, currencyPattern, LocationId, Quantity, Reference, RegionId, Sku } from '../ids.js';
import { eventSchema } from './envelope.js';
import { SkuLine, skuLines } from './lines.js';

// Facts decided by the hub, recorded under node `hub`. They are sequenced by the hub alone.

/** Master data: a store or warehouse, its region and (for "nearest location") its position. */
export const LocationDefined = eventSchema(
  'LocationDefined',
  1,
  z.object({
    location: LocationId,
    region: RegionId,
    kind: z.enum(['store', 'warehouse'], { error: 'kind must be store or warehouse' }),
    name: z.string().min(1).max(200),
    geo: z.object({ lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180) }).optional(),
  }),
);

/** Catalog master data, pulled by every store node. */
export const CatalogItemUpserted = eventSchema(
  'CatalogItemUpserted',
  1,
  z.object({
    sku: Sku,
    name: z.string().min(1, { error: 'name is required' }).max(200),
    barcode: z
      .string()
      .regex(/^[0-9A-Za-z-]{4,32}$/, { error: 'barcode must be 4-32 letters or digits' })
      .optional(),
    priceCents: Cents,
    currency: z.string().regex(currencyPattern, { error: 'currency must be an ISO 4217 code like EUR' }),
    category: z.string().min(1).max(100).optional(),
  }),
);

/** Units kept back from every channel at a location. */
export const SafetyStockSet = eventSchema(
  'SafetyStockSet',
  1,
  z.object({ sku: Sku, location: LocationId, qty: z.number().int().min(0).max(1_000_000) }),
);

/** How much of the network's sellable stock a channel may promise: a share or a cap. */
export const AllocationRule = z.discriminatedUnion(
  'kind',
  [
    z.object({ kind: z.literal('share'), share: z.number().min(0).max(1) }),
    z.object({ kind: z.literal('cap'), cap: z.number().int().min(0) }),
  ],
  { error: 'rule must be {kind:"share",share:0..1} or {kind:"cap",cap:n}' },
);
export type AllocationRule = z.infer<typeof AllocationRule>;

/** Allocation for a channel, for one SKU or (sku null) the channel's default. */
export const ChannelAllocationSet = eventSchema(
  'ChannelAllocationSet',
  1,
  z.object({ channel: ChannelId, sku: Sku.nullable(), rule: AllocationRule }),
);

/** A hold on stock for an online cart or marketplace order. `location: null` = network-wide. */
export const ReservationPlaced = eventSchema(
  'ReservationPlaced',
  1,
  z.object({
    reservationId: Reference('reservationId'),
    channel: ChannelId,
    location: LocationId.nullable(),
    lines: skuLines(SkuLine),
    expiresAt: z.iso.datetime({ error: 'expiresAt must be an ISO 8601 UTC date-time' }),
    idempotencyKey: z.string().min(1, { error: 'idempotencyKey is required' }).max(200),
  }),
);

/** The order was paid: the hold no longer expires. */
export const ReservationConfirmed = eventSchema(
  'ReservationConfirmed',
  1,
  z.object({ reservationId: Reference('reservationId') }),
);

/** The hold is given back (cancelled, or fulfilled by a shipment recorded elsewhere). */
export const ReservationReleased = eventSchema(
  'ReservationReleased',
  1,
  z.object({
    reservationId: Reference('reservationId'),
    reason: z.enum(['cancelled', 'fulfilled'], { error: 'reason must be cancelled or fulfilled' }),
  }),
);

/** The hold reached its expiresAt unconfirmed. */
export const ReservationExpired = eventSchema(
  'ReservationExpired',
  1,
  z.object({ reservationId: Reference('reservationId') }),
);

/** Click-and-collect order routed to a store: reserves stock there until handed over or rejected. */
export const PickupOrderPlaced = eventSchema(
  'PickupOrderPlaced',
  1,
  z.object({
    pickupId: Reference('pickupId'),
    channel: ChannelId,
    location: LocationId,
    orderRef: z.string().min(1, { error: 'orderRef is required' }).max(100),
    customerName: z.string().max(200).optional(),
    lines: skuLines(SkuLine),
  }),
);

/** What reconciliation or a store found wrong, with who is affected and a proposed fix. */
export const IncidentRecorded = eventSchema(
  'IncidentRecorded',
  1,
  z.object({
    incidentId: Reference('incidentId'),
    kind: z.enum(['oversell', 'pickup-rejected']),
    location: LocationId,
    sku: Sku,
    shortfall: z.number().int().min(0),
    affected: z.array(z.object({ kind: z.enum(['reservation', 'pickup']), id: z.string(), qty: Quantity })),
    /** Nearest location in the region that can cover the shortfall, if any. */
    proposal: z
      .object({ location: LocationId, available: z.number().int().min(0), distanceKm: z.number().nullable() })
      .nullable(),
    /** The event that revealed it. */
    triggeredBy: z.string(),
    note: z.string().max(500).optional(),
  }),
);

export const hubEventSchemas = [
  LocationDefined,
  CatalogItemUpserted,
  SafetyStockSet,
  ChannelAllocationSet,
  ReservationPlaced,
  ReservationConfirmed,
  ReservationReleased,
  ReservationExpired,
  PickupOrderPlaced,
  IncidentRecorded,
] as const;
