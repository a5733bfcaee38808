import type { SkuLine } from '@stocknerve/domain';

// Shapes of the values the hub publishes to its KV buckets (docs/wire-protocol.md, section 13), as
// the node reads them back from its `projections` collection.

export interface CatalogValue {
  readonly sku: string;
  readonly name: string;
  readonly barcode: string | null;
  readonly priceCents: number;
  readonly currency: string;
  readonly category: string | null;
  readonly asOf: string;
}

export interface LocationValue {
  readonly location: string;
  readonly region: string;
  readonly kind: 'store' | 'warehouse';
  readonly name: string;
  readonly lat: number | null;
  readonly lon: number | null;
}

export interface StockValue {
  readonly location: string;
  readonly sku: string;
  readonly onHand: number;
  readonly reserved: number;
  readonly damaged: number;
  readonly inTransit: number;
  readonly safetyStock: number;
  readonly available: number;
  readonly asOf: string;
}

export type PickupCompletion =
  | { readonly kind: 'handed-over' }
  | { readonly kind: 'rejected'; readonly reason: string; readonly note?: string | undefined };

export interface PickupValue {
  readonly pickupId: string;
  readonly order: {
    readonly channel: string;
    readonly location: string;
    readonly orderRef: string;
    readonly customerName?: string | undefined;
    readonly lines: readonly SkuLine[];
  } | null;
  readonly picked: boolean;
  readonly completion: PickupCompletion | null;
  readonly status: 'placed' | 'picked' | 'handed-over' | 'rejected';
  readonly placedAt: string | null;
  readonly asOf: string;
}
