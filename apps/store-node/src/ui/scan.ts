/** What a line typed or scanned into a scan field means. */
export type ScanInput =
  | { readonly kind: 'item'; readonly code: string; readonly qty: number }
  | { readonly kind: 'set-qty'; readonly qty: number }
  | { readonly kind: 'empty' };

/**
 * Parses a scan field entry. A barcode scanner types the code and Enter; staff may also type
 * `3*CODE` (three of CODE) or `*3` (make the last line 3).
 */
export const parseScan = (text: string): ScanInput => {
  const t = text.trim();
  if (!t) return { kind: 'empty' };
  const setQty = /^\*\s*(\d{1,6})$/.exec(t);
  if (setQty) return { kind: 'set-qty', qty: Number(setQty[1]) };
  const times = /^(\d{1,6})\s*\*\s*(\S+)$/.exec(t);
  if (times) return { kind: 'item', qty: Number(times[1]), code: times[2] ?? '' };
  return { kind: 'item', code: t, qty: 1 };
};
