import { describe, expect, it } from 'vitest';
import { judgeQuantity } from './quantity.js';

describe('judgeQuantity', () => {
  const line = { min: 1 } as const;

  it('takes whole positive units', () => {
    expect(judgeQuantity('3', line)).toEqual({ kind: 'ok', qty: 3 });
    expect(judgeQuantity(' 12 ', line)).toEqual({ kind: 'ok', qty: 12 });
    expect(judgeQuantity(5, line)).toEqual({ kind: 'ok', qty: 5 });
  });

  it('makes 0 a removal where a line holds at least one unit, a value where it may say none', () => {
    expect(judgeQuantity('0', line)).toEqual({ kind: 'remove' });
    expect(judgeQuantity(0, { min: 0 })).toEqual({ kind: 'ok', qty: 0 });
  });

  it('refuses letters, nothing, negatives and decimals with a sentence', () => {
    expect(judgeQuantity('abc', line)).toEqual({
      kind: 'invalid',
      message: '"abc" is not a quantity: type whole units, like 2.',
    });
    expect(judgeQuantity('', line)).toEqual({ kind: 'invalid', message: 'Enter a quantity.' });
    expect(judgeQuantity('-2', line)).toEqual({ kind: 'invalid', message: 'A quantity cannot be negative.' });
    expect(judgeQuantity('1.5', line)).toEqual({
      kind: 'invalid',
      message: 'Quantities are whole units, without decimals.',
    });
    expect(judgeQuantity('2,5', { min: 0 }).kind).toBe('invalid');
  });

  it('takes a negative change where the screen is signed, and an empty optional entry as not given', () => {
    expect(judgeQuantity('-2', { min: 1, signed: true })).toEqual({ kind: 'ok', qty: -2 });
    expect(judgeQuantity('', { min: 0, optional: true })).toEqual({ kind: 'ok', qty: Number.NaN });
  });

  it('asks above the line limit and above the known on-hand', () => {
    expect(judgeQuantity('99999', line)).toEqual({
      kind: 'confirm',
      qty: 99999,
      question: '99999 units on one line: is that right?',
    });
    expect(judgeQuantity('99', line).kind).toBe('ok');
    expect(judgeQuantity('12', { min: 1, limit: 10 }).kind).toBe('confirm');
    expect(judgeQuantity('-200', { min: 1, signed: true }).kind).toBe('confirm');
    expect(judgeQuantity('4', { min: 1, onHand: 3 })).toEqual({
      kind: 'confirm',
      qty: 4,
      question: 'Only 3 on hand here: record 4?',
    });
  });
});
