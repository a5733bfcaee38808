import type { Tender, TenderMethod } from '@stocknerve/domain';

export const TENDER_LABEL: Record<TenderMethod, string> = { cash: 'Cash', card: 'Card', other: 'Other' };

/** What the tenders pay of the sale. */
export const paidOf = (tenders: readonly Tender[]): number => tenders.reduce((s, t) => s + t.amountCents, 0);

/** Cash handed back: what was given beyond what cash paid. */
export const changeOf = (tenders: readonly Tender[]): number =>
  tenders.reduce((s, t) => s + (t.givenCents === undefined ? 0 : t.givenCents - t.amountCents), 0);

/**
 * Adds a payment of `enteredCents` by `method` towards what is still due. Cash may exceed it (the
 * excess is change); a card or other payment may not, since nothing would give the excess back.
 */
export const addTender = (
  tenders: readonly Tender[],
  totalCents: number,
  method: TenderMethod,
  enteredCents: number,
): { ok: true; tenders: Tender[] } | { ok: false; error: string } => {
  const dueCents = totalCents - paidOf(tenders);
  if (dueCents <= 0) return { ok: false, error: 'The sale is already paid.' };
  if (!Number.isSafeInteger(enteredCents) || enteredCents <= 0)
    return { ok: false, error: 'Enter the amount paid, e.g. 20 or 12.50.' };
  if (method === 'cash') {
    const amountCents = Math.min(enteredCents, dueCents);
    return { ok: true, tenders: [...tenders, { method, amountCents, givenCents: enteredCents }] };
  }
  if (enteredCents > dueCents)
    return { ok: false, error: `${TENDER_LABEL[method]} can pay at most what is due; only cash gives change.` };
  return { ok: true, tenders: [...tenders, { method, amountCents: enteredCents }] };
};

/** Cents from what a cashier types: `20`, `12.5`, `12.50`, `12,50`; undefined when it is not an amount. */
export const parseAmount = (text: string): number | undefined => {
  const m = /^\s*(\d{1,9})(?:[.,](\d{1,2}))?\s*$/.exec(text);
  if (!m) return undefined;
  return Number(m[1]) * 100 + Number((m[2] ?? '0').padEnd(2, '0'));
};

/** Cents as the amount field shows them: `12.50`. */
export const amountText = (cents: number): string => (cents / 100).toFixed(2);
