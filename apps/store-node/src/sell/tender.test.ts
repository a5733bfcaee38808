import { describe, expect, it } from 'vitest';
import { addTender, changeOf, paidOf, parseAmount } from './tender.js';

describe('tenders at the till', () => {
  it('takes more cash than due and gives the rest back as change', () => {
    const r = addTender([], 1250, 'cash', 2000);
    expect(r).toEqual({ ok: true, tenders: [{ method: 'cash', amountCents: 1250, givenCents: 2000 }] });
    if (r.ok) expect([paidOf(r.tenders), changeOf(r.tenders)]).toEqual([1250, 750]);
  });

  it('splits a sale: card for part, cash for the rest', () => {
    const card = addTender([], 1250, 'card', 500);
    if (!card.ok) throw new Error(card.error);
    const cash = addTender(card.tenders, 1250, 'cash', 1000);
    if (!cash.ok) throw new Error(cash.error);
    expect(cash.tenders).toEqual([
      { method: 'card', amountCents: 500 },
      { method: 'cash', amountCents: 750, givenCents: 1000 },
    ]);
    expect(changeOf(cash.tenders)).toBe(250);
  });

  it('refuses a card paying more than due, a nil amount, and anything once paid', () => {
    expect(addTender([], 1000, 'card', 1001).ok).toBe(false);
    expect(addTender([], 1000, 'other', 0).ok).toBe(false);
    expect(addTender([{ method: 'card', amountCents: 1000 }], 1000, 'cash', 100).ok).toBe(false);
  });

  it('reads amounts as cashiers type them', () => {
    expect(['20', '12.5', '12,50', ' 0.05 ', '12.', 'x', '-1', '1.234'].map(parseAmount)).toEqual([
      2000,
      1250,
      1250,
      5,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });
});
