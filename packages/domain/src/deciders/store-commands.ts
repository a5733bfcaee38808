import { z } from 'zod';
import { SaleLine, SkuLine, skuLines } from '../events/lines.js';
import { AdjustmentReason, MAX_TENDERS, RestockTo, Tender } from '../events/store-events.js';
import { LocationId, Quantity, Reference, Sku } from '../ids.js';

// Commands a store node validates and decides locally, online or not. The `data` schemas are also
// what the store-node UI validates before it records anything.

export const RecordSaleData = z.object({
  receiptId: Reference('receiptId'),
  currency: z.string().regex(/^[A-Z]{3}$/, { error: 'currency must be an ISO 4217 code like EUR' }),
  lines: skuLines(SaleLine),
  /**
   * How it was paid; the amounts must add up to the total. Absent when the caller does not take
   * payment (an import, a test): the sale is then recorded without tenders, like a v1 sale.
   */
  tenders: z
    .array(Tender)
    .max(MAX_TENDERS, { error: `tenders must have at most ${MAX_TENDERS} tenders` })
    .optional(),
});
export const RecordReturnData = z.object({
  returnId: Reference('returnId'),
  receiptId: Reference('receiptId').optional(),
  lines: skuLines(SkuLine.extend({ restockTo: RestockTo })),
});
export const ReceiveGoodsData = z.object({
  purchaseOrderId: Reference('purchaseOrderId'),
  lines: skuLines(SkuLine.extend({ expectedQty: z.number().int().min(0).optional() })),
});
export const ShipTransferData = z.object({
  transferId: Reference('transferId'),
  to: LocationId,
  lines: skuLines(SkuLine),
});
export const ReceiveTransferData = z.object({
  transferId: Reference('transferId'),
  from: LocationId,
  lines: skuLines(SkuLine.extend({ qty: z.number().int().min(0).max(1_000_000) })),
});
export const AdjustStockData = z.object({
  adjustmentId: Reference('adjustmentId'),
  reason: AdjustmentReason,
  note: z.string().max(500).optional(),
  lines: skuLines(
    z.object({
      sku: Sku,
      delta: z
        .number()
        .int()
        .min(-1_000_000)
        .max(1_000_000)
        .refine((d) => d !== 0, { error: 'delta must not be 0' }),
    }),
  ),
});
export const RecordCountData = z.object({
  countId: Reference('countId'),
  area: z.string().max(100).optional(),
  lines: skuLines(z.object({ sku: Sku, countedQty: z.number().int().min(0).max(10_000_000) })),
});
export const PickupRef = z.object({ pickupId: Reference('pickupId') });
export const RejectPickupData = z.object({
  pickupId: Reference('pickupId'),
  reason: z.enum(['item-not-found', 'damaged', 'customer-no-show', 'other']),
  note: z.string().max(500).optional(),
  missing: z.array(z.object({ sku: Sku, qty: Quantity })).optional(),
});

type Cmd<T extends string, D extends z.ZodType> = { readonly type: T; readonly data: z.infer<D> };

export type StoreCommand =
  | Cmd<'RecordSale', typeof RecordSaleData>
  | Cmd<'RecordReturn', typeof RecordReturnData>
  | Cmd<'ReceiveGoods', typeof ReceiveGoodsData>
  | Cmd<'ShipTransfer', typeof ShipTransferData>
  | Cmd<'ReceiveTransfer', typeof ReceiveTransferData>
  | Cmd<'AdjustStock', typeof AdjustStockData>
  | Cmd<'RecordCount', typeof RecordCountData>
  | Cmd<'PickPickup', typeof PickupRef>
  | Cmd<'HandOverPickup', typeof PickupRef>
  | Cmd<'RejectPickup', typeof RejectPickupData>;
