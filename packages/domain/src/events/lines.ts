import { z } from 'zod';
import { Cents, Quantity, Sku } from '../ids.js';

/** A SKU and a positive quantity. */
export const SkuLine = z.object({ sku: Sku, qty: Quantity });
export type SkuLine = z.infer<typeof SkuLine>;

/** The most lines one document may carry. */
export const MAX_LINES = 1000;

/** At least one line, no SKU twice: a document merges its own lines. */
export const skuLines = <L extends z.ZodType<{ sku: string }>>(line: L) =>
  z
    .array(line, { error: 'lines must be an array' })
    .min(1, { error: 'lines must have at least one line' })
    .max(MAX_LINES, { error: 'lines must have at most 1000 lines' })
    .refine((lines) => new Set(lines.map((l) => l.sku)).size === lines.length, {
      error: 'lines must not name the same sku twice',
    });

/** A sold line with its unit price. */
export const SaleLine = SkuLine.extend({ unitPriceCents: Cents });
export type SaleLine = z.infer<typeof SaleLine>;
