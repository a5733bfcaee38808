/** Units on one line above which the till asks before taking them (a typo like 99999*CODE). */
export const DEFAULT_LINE_LIMIT = 99;

/** What a quantity on a screen may be. */
export interface QuantityRule {
  /** 1: a line holds at least one unit and 0 removes it. 0: a line may say "none" (received, counted). */
  readonly min: 0 | 1;
  /** Whether a negative quantity is a valid entry (an adjustment of -2). Default false. */
  readonly signed?: boolean;
  /** Whether an empty entry means "not given" (an expected quantity). Default false. */
  readonly optional?: boolean;
  /** Units above which to ask for confirmation. Default DEFAULT_LINE_LIMIT. */
  readonly limit?: number;
  /** The known on-hand units, when more than that deserves a confirmation (selling). */
  readonly onHand?: number;
}

/** What to do with a quantity someone entered. */
export type QuantityVerdict =
  | { readonly kind: 'ok'; readonly qty: number }
  | { readonly kind: 'remove' }
  | { readonly kind: 'confirm'; readonly qty: number; readonly question: string }
  | { readonly kind: 'invalid'; readonly message: string };

const invalidText = (t: string, signed: boolean): string => {
  if (t === '') return 'Enter a quantity.';
  if (/^-?\d*[.,]\d*$/.test(t)) return 'Quantities are whole units, without decimals.';
  if (!signed && /^-\d+$/.test(t)) return 'A quantity cannot be negative.';
  return `"${t}" is not a quantity: type whole units, like 2.`;
};

/** Judges a typed quantity (or a number from `3*CODE`) against the rule every screen shares. */
export const judgeQuantity = (entry: string | number, rule: QuantityRule): QuantityVerdict => {
  const t = String(entry).trim();
  if (t === '' && rule.optional) return { kind: 'ok', qty: Number.NaN };
  const signed = rule.signed ?? false;
  if (!(signed ? /^-?\d{1,7}$/ : /^\d{1,7}$/).test(t)) return { kind: 'invalid', message: invalidText(t, signed) };
  const qty = Number(t);
  if (qty === 0 && rule.min === 1) return { kind: 'remove' };
  const limit = rule.limit ?? DEFAULT_LINE_LIMIT;
  if (Math.abs(qty) > limit) return { kind: 'confirm', qty, question: `${qty} units on one line: is that right?` };
  if (rule.onHand !== undefined && qty > rule.onHand)
    return { kind: 'confirm', qty, question: `Only ${rule.onHand} on hand here: record ${qty}?` };
  return { kind: 'ok', qty };
};
