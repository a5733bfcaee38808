import { describe, expect, it } from 'vitest';
import { screenForKey, TABS } from './tabs.js';

const key = (k: Partial<KeyboardEvent>) =>
  screenForKey({ key: '', code: '', altKey: false, ctrlKey: false, metaKey: false, shiftKey: false, ...k });

describe('screen shortcuts', () => {
  it('F1..F8 open the eight work screens in tab order', () => {
    expect(TABS.slice(0, 8).map((_, i) => key({ key: `F${i + 1}` }))).toEqual([
      'sell',
      'returns',
      'receiving',
      'transfers',
      'adjust',
      'counts',
      'lookup',
      'pickups',
    ]);
  });

  it('Alt+1..8 do the same, Alt+9 opens sync and Alt+0 settings (by physical key)', () => {
    expect(key({ altKey: true, key: '1', code: 'Digit1' })).toBe('sell');
    expect(key({ altKey: true, key: '¡', code: 'Digit8' })).toBe('pickups');
    expect(key({ altKey: true, key: '9', code: 'Digit9' })).toBe('sync');
    expect(key({ altKey: true, key: '0', code: 'Digit0' })).toBe('settings');
  });

  it('leaves other keys and F9 (complete) alone', () => {
    expect(key({ key: 'F9' })).toBeNull();
    expect(key({ key: 'a' })).toBeNull();
    expect(key({ key: 'F1', ctrlKey: true })).toBeNull();
  });
});
