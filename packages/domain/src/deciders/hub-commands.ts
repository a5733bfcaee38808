import { z } from 'zod';
import {
  CatalogItemUpserted,
  ChannelAllocationSet,
  LocationDefined,
  PickupOrderPlaced,
  ReservationPlaced,
  SafetyStockSet,
} from '../events/hub-events.js';
import { Reference } from '../ids.js';
import type { LocationTrust } from '../projection/quantities.js';

// Commands the hub decides serially (per SKU) against its views. The HTTP API validates request
// bodies with these schemas.

// Commands that carry exactly the fact they record take its data schema: one definition, and the
// API's validation messages are the ones the event stream's consumers see.
export const PlaceReservationData = ReservationPlaced.shape.data;
export const ReservationRef = z.object({ reservationId: Reference('reservationId') });
export const ReleaseReservationData = ReservationRef.extend({
  reason: z.enum(['cancelled', 'fulfilled'], { error: 'reason must be cancelled or fulfilled' }),
});
export const PlacePickupOrderData = PickupOrderPlaced.shape.data;
export const DefineLocationData = LocationDefined.shape.data;
export const UpsertCatalogItemData = CatalogItemUpserted.shape.data;
export const SetSafetyStockData = SafetyStockSet.shape.data;
export const SetChannelAllocationData = ChannelAllocationSet.shape.data;

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

const cmd = <T extends string, D extends z.ZodType>(type: T, data: D) => z.object({ type: z.literal(type), data });

/** Any hub command, validated (a command forwarded between hub instances is read with it). */
export const HubCommandSchema = z.discriminatedUnion('type', [
  cmd('PlaceReservation', PlaceReservationData),
  cmd('ConfirmReservation', ReservationRef),
  cmd('ReleaseReservation', ReleaseReservationData),
  cmd('ExpireReservation', ReservationRef),
  cmd('PlacePickupOrder', PlacePickupOrderData),
  cmd('DefineLocation', DefineLocationData),
  cmd('UpsertCatalogItem', UpsertCatalogItemData),
  cmd('SetSafetyStock', SetSafetyStockData),
  cmd('SetChannelAllocation', SetChannelAllocationData),
]);

/** What the hub adds to a command: the time, and how far it trusts each location's figures. */
export interface HubCommandMetadata {
  readonly now: number;
  /** Trust per location (stale locations get a buffer or are excluded); full trust when absent. */
  readonly trust?: (location: string) => LocationTrust;
}
