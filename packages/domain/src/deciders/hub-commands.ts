import { z } from 'zod';
import { AllocationRule } from '../events/hub-events.js';
import { SkuLine, skuLines } from '../events/lines.js';
import { Cents, ChannelId, LocationId, Reference, RegionId, Sku } from '../ids.js';
import type { LocationTrust } from '../projection/quantities.js';

// Commands the hub decides serially (per SKU) against its views. The HTTP API validates request
// bodies with these schemas.

export const PlaceReservationData = z.object({
  reservationId: Reference('reservationId'),
  channel: ChannelId,
  /** A location, or null for a network-wide hold. */
  location: LocationId.nullable(),
  lines: skuLines(SkuLine),
  expiresAt: z.iso.datetime({ error: 'expiresAt must be an ISO 8601 UTC date-time' }),
  idempotencyKey: z.string().min(1, { error: 'idempotencyKey is required' }).max(200),
});
export const ReservationRef = z.object({ reservationId: Reference('reservationId') });
export const ReleaseReservationData = ReservationRef.extend({
  reason: z.enum(['cancelled', 'fulfilled'], { error: 'reason must be cancelled or fulfilled' }),
});
export const PlacePickupOrderData = z.object({
  pickupId: Reference('pickupId'),
  channel: ChannelId,
  location: LocationId,
  orderRef: z.string().min(1, { error: 'orderRef is required' }).max(100),
  customerName: z.string().max(200).optional(),
  lines: skuLines(SkuLine),
});
export const DefineLocationData = z.object({
  location: LocationId,
  region: RegionId,
  kind: z.enum(['store', 'warehouse']),
  name: z.string().min(1).max(200),
  geo: z.object({ lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180) }).optional(),
});
export const UpsertCatalogItemData = z.object({
  sku: Sku,
  name: z.string().min(1, { error: 'name is required' }).max(200),
  barcode: z
    .string()
    .regex(/^[0-9A-Za-z-]{4,32}$/)
    .optional(),
  priceCents: Cents,
  currency: z.string().regex(/^[A-Z]{3}$/),
  category: z.string().min(1).max(100).optional(),
});
export const SetSafetyStockData = z.object({
  sku: Sku,
  location: LocationId,
  qty: z.number().int().min(0).max(1_000_000),
});
export const SetChannelAllocationData = z.object({ channel: ChannelId, sku: Sku.nullable(), rule: AllocationRule });

type Cmd<T extends string, D extends z.ZodType> = { readonly type: T; readonly data: z.infer<D> };

export type HubCommand =
  | Cmd<'PlaceReservation', typeof PlaceReservationData>
  | Cmd<'ConfirmReservation', typeof ReservationRef>
  | Cmd<'ReleaseReservation', typeof ReleaseReservationData>
  | Cmd<'ExpireReservation', typeof ReservationRef>
  | Cmd<'PlacePickupOrder', typeof PlacePickupOrderData>
  | Cmd<'DefineLocation', typeof DefineLocationData>
  | Cmd<'UpsertCatalogItem', typeof UpsertCatalogItemData>
  | Cmd<'SetSafetyStock', typeof SetSafetyStockData>
  | Cmd<'SetChannelAllocation', typeof SetChannelAllocationData>;

/** What the hub adds to a command: the time, and how far it trusts each location's figures. */
export interface HubCommandMetadata {
  readonly now: number;
  /** Trust per location (stale locations get a buffer or are excluded); full trust when absent. */
  readonly trust?: (location: string) => LocationTrust;
}
