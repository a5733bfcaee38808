import { z } from 'zod';
import { DEFAULT_LOW_COVER_DAYS } from './stock-health.js';

const blankIsAbsent = (v: unknown) => (v === '' ? undefined : v);
const slug = z.preprocess(
  blankIsAbsent,
  z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,63}$/, { error: 'must be 1-64 lower-case letters, digits or "-"' })
    .optional(),
);
const text = (max: number) => z.preprocess(blankIsAbsent, z.string().trim().max(max).optional());

/** Query parameters the reports understand; every one is optional. */
export const ReportQuery = z.object({
  /** Only locations of this region. */
  region: slug,
  /** Only SKUs of this catalog category. */
  category: text(100),
  /** Low-stock threshold, days of cover (1-90). Default 7. */
  days: z.preprocess(
    blankIsAbsent,
    z.coerce
      .number({ error: 'days must be a number' })
      .int({ error: 'days must be a whole number' })
      .min(1, { error: 'days must be at least 1' })
      .max(90, { error: 'days must be at most 90' })
      .default(DEFAULT_LOW_COVER_DAYS),
  ),
  /** SKU of the drill-down. */
  sku: z.preprocess(
    blankIsAbsent,
    z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, { error: 'sku must be 1-64 letters, digits, "_" or "-"' })
      .optional(),
  ),
  /** Free-text SKU search (SKU or name). */
  q: text(100),
  /** Location whose on hand the drill-down explains. */
  location: slug,
  /** Which table of the report a CSV export holds. */
  table: text(50),
  /** `csv` for a CSV export of `table`, else JSON. */
  format: z.preprocess(blankIsAbsent, z.enum(['json', 'csv'], { error: 'format must be json or csv' }).optional()),
});
export type ReportQuery = z.infer<typeof ReportQuery>;

/** The validated query, or why it is not valid. */
export type ParsedQuery = { ok: true; query: ReportQuery } | { ok: false; message: string };

/** Validates the query string; repeated parameters are refused, unknown ones ignored. */
export const parseReportQuery = (raw: unknown): ParsedQuery => {
  const result = ReportQuery.safeParse(raw ?? {});
  if (result.success) return { ok: true, query: result.data };
  return {
    ok: false,
    message: result.error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`).join('; '),
  };
};
