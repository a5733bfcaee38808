import { z } from 'zod';
import { Cents, currencyPattern, LocationId, Quantity, Reference, Sku } from '../ids.js';
import { eventSchema } from './envelope.js';
import { SaleLine, SkuLine, skuLines } from './lines.js';

// Facts recorded by a store's nodes, offline-capable. Each changes stock only at its own location
// (a shipped transfer also puts stock in transit towards its destination).

/** How a customer paid. */
export const TenderMethod = z.enum(['cash', 'card', 'other'], { error: 'method must be "cash", "card" or "other"' });
export type TenderMethod = z.infer<typeof TenderMethod>;

/** The most tenders one sale may carry. */
export const MAX_TENDERS = 20;

/**
 * One payment towards a sale: `amountCents` is what it pays of the total; for cash, `givenCents` is
 * what the customer handed over, so the change given back is `givenCents - amountCents`.
 */
export const Tender = z
  .object({ method: TenderMethod, amountCents: Cents, givenCents: Cents.optional() })
  .refine((t) => t.givenCents === undefined || (t.method === 'cash' && t.givenCents >= t.amountCents), {
    error: 'givenCents is only for cash and must be at least amountCents',
    path: ['givenCents'],
  });
export type Tender = z.infer<typeof Tender>;

const saleData = {
  receiptId: Reference('receiptId'),
  currency: z.string().regex(currencyPattern, { error: 'currency must be an ISO 4217 code like EUR' }),
  lines: skuLines(SaleLine),
  totalCents: Cents,
};

/**
 * v1 did not say how the customer paid; v2 may carry the tenders. No `tenders` means the payment was
 * not recorded (every upcast v1 sale, a sale imported without payment): inventing an "other" tender
 * for those would put money in a payment report that nobody counted. That tenders cover the total
 * is the decider's rule, not the fact's, so a sale recorded under other rules stays readable.
 */
export const SaleRecordedV1 = eventSchema('SaleRecorded', 1, z.object(saleData));
/** A receipt rung up at the till, with how it was paid. */
export const SaleRecorded = eventSchema(
  'SaleRecorded',
  2,
  z.object({
    ...saleData,
    tenders: z
      .array(Tender, { error: 'tenders must be an array' })
      .max(MAX_TENDERS, { error: `tenders must have at most ${MAX_TENDERS} tenders` })
      .optional(),
  }),
);

/** Where returned units go: back on the shelf, or into the damaged bucket. */
export const RestockTo = z.enum(['sellable', 'damaged'], { error: 'restockTo must be "sellable" or "damaged"' });
export type RestockTo = z.infer<typeof RestockTo>;

/** Customer return, optionally against a receipt. */
export const ReturnRecorded = eventSchema(
  'ReturnRecorded',
  1,
  z.object({
    returnId: Reference('returnId'),
    receiptId: Reference('receiptId').optional(),
    lines: skuLines(SkuLine.extend({ restockTo: RestockTo })),
  }),
);

/** Goods received from a supplier against a purchase order; expectedQty records discrepancies. */
export const GoodsReceived = eventSchema(
  'GoodsReceived',
  1,
  z.object({
    purchaseOrderId: Reference('purchaseOrderId'),
    lines: skuLines(SkuLine.extend({ expectedQty: z.number().int().min(0).optional() })),
  }),
);

/** Goods leave this location towards another one. */
export const TransferShipped = eventSchema(
  'TransferShipped',
  1,
  z.object({
    transferId: Reference('transferId'),
    to: LocationId,
    lines: skuLines(SkuLine),
  }),
);

/** Goods of a transfer arrive here (receiving against a transfer); qty may differ from what shipped. */
export const TransferReceived = eventSchema(
  'TransferReceived',
  1,
  z.object({
    transferId: Reference('transferId'),
    from: LocationId,
    lines: skuLines(SkuLine.extend({ qty: z.number().int().min(0).max(1_000_000) })),
  }),
);

/** Why stock was adjusted. `damage` moves units from sellable to damaged. */
export const AdjustmentReason = z.enum(['damage', 'theft', 'found', 'correction', 'expiry'], {
  error: 'reason must be one of damage, theft, found, correction, expiry',
});
export type AdjustmentReason = z.infer<typeof AdjustmentReason>;

const signedDelta = z
  .number({ error: 'delta must be a number' })
  .int({ error: 'delta must be a whole number' })
  .min(-1_000_000)
  .max(1_000_000)
  .refine((d) => d !== 0, { error: 'delta must not be 0' });

// Sign rules (damage removes, found adds...) are the decider's business, not the fact's: an event
// recorded under older rules, or by another system, must stay readable.
const adjustmentData = z.object({
  adjustmentId: Reference('adjustmentId'),
  reason: AdjustmentReason,
  note: z.string().max(500).optional(),
  lines: skuLines(z.object({ sku: Sku, delta: signedDelta })),
});

/**
 * v1 adjusted a single SKU; v2 adjusts several in one document. v1 events stay readable through
 * the upcaster registered in the registry.
 */
export const StockAdjustedV1 = eventSchema(
  'StockAdjusted',
  1,
  z.object({
    adjustmentId: Reference('adjustmentId'),
    sku: Sku,
    delta: signedDelta,
    reason: AdjustmentReason,
  }),
);
export const StockAdjusted = eventSchema('StockAdjusted', 2, adjustmentData);

/**
 * A cycle count: the absolute sellable quantity counted at HLC t. It sets on hand as of t, whatever
 * order the surrounding deltas arrive in.
 */
export const CycleCounted = eventSchema(
  'CycleCounted',
  1,
  z.object({
    countId: Reference('countId'),
    /** Shelf or area counted, for people. */
    area: z.string().max(100).optional(),
    lines: skuLines(z.object({ sku: Sku, countedQty: z.number().int().min(0).max(10_000_000) })),
  }),
);

/** Click-and-collect: staff picked the order's items off the shelf. */
export const PickupPicked = eventSchema(
  'PickupPicked',
  1,
  z.object({ pickupId: Reference('pickupId'), lines: skuLines(SkuLine) }),
);

/** Click-and-collect: the customer took the goods; they leave on hand here. */
export const PickupHandedOver = eventSchema(
  'PickupHandedOver',
  1,
  z.object({ pickupId: Reference('pickupId'), lines: skuLines(SkuLine) }),
);

/** Click-and-collect: the store cannot fulfil it (item not found, damaged...). */
export const PickupRejected = eventSchema(
  'PickupRejected',
  1,
  z.object({
    pickupId: Reference('pickupId'),
    reason: z.enum(['item-not-found', 'damaged', 'customer-no-show', 'other'], {
      error: 'reason must be item-not-found, damaged, customer-no-show or other',
    }),
    note: z.string().max(500).optional(),
    /** Lines that could not be supplied (all of them when absent). */
    missing: z.array(z.object({ sku: Sku, qty: Quantity })).optional(),
  }),
);

export const storeEventSchemas = [
  SaleRecorded,
  ReturnRecorded,
  GoodsReceived,
  TransferShipped,
  TransferReceived,
  StockAdjusted,
  CycleCounted,
  PickupPicked,
  PickupHandedOver,
  PickupRejected,
] as const;
