import { describe, expect, it } from 'vitest';
import { cashierText } from './messages.js';

describe('cashierText', () => {
  it('says which lines and fields a validation problem concerns, without zod paths', () => {
    expect(cashierText('Invalid', 'lines.0.qty: Too small: expected number to be >=1; note: Too big')).toBe(
      'Some entries are not valid (line 1: quantity; note): check them and try again.',
    );
  });

  it('keeps the numbers of a return that exceeds the sale', () => {
    expect(
      cashierText('ReturnExceedsSale', 'receipt T1-000001 sold 1 × SKU-1003, 0 already returned: cannot return 2'),
    ).toBe('Receipt T1-000001 sold 1 × SKU-1003 and 0 came back already: 2 more cannot be returned on it.');
    expect(cashierText('NotOnReceipt', 'SKU-1 is not on receipt T1-000002')).toBe(
      'SKU-1 was not sold on receipt T1-000002: check the receipt number, or leave it empty.',
    );
  });

  it('never shows a code, and passes an unmapped message through', () => {
    expect(cashierText('TransferToSelf', 'cannot transfer from store-001 to itself')).not.toMatch(/TransferToSelf/);
    expect(cashierText('SomethingNew', 'a plain message')).toBe('a plain message');
  });
});
