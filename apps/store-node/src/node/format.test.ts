import { describe, expect, it } from 'vitest';
import { ageOf, ageText, agoText, money } from './format.js';

describe('formatting for people', () => {
  it('formats money from cents', () => {
    expect(money(17998)).toBe('€179.98');
    expect(money(0, 'EUR')).toBe('€0.00');
  });

  it('says how old a figure is', () => {
    expect(ageText(500)).toBe('now');
    expect(ageText(12_000)).toBe('12 s');
    expect(ageText(4 * 60_000 + 5000)).toBe('4 min');
    expect(ageText(3 * 3_600_000)).toBe('3 h');
    expect(ageText(null)).toBe('—');
    expect(agoText(0)).toBe('just now');
    expect(agoText(90_000)).toBe('1 min ago');
    expect(ageOf('2026-01-01T00:00:10.000Z', Date.parse('2026-01-01T00:00:30.000Z'))).toBe(20_000);
    expect(ageOf('not a date', 0)).toBeNull();
  });
});
