export type ScreenId =
  | 'sell'
  | 'returns'
  | 'receiving'
  | 'transfers'
  | 'adjust'
  | 'counts'
  | 'lookup'
  | 'pickups'
  | 'sync'
  | 'settings';

export interface Tab {
  readonly id: ScreenId;
  readonly label: string;
  /** Function key of the tab (F1..F8), or null. */
  readonly fkey: string | null;
  /** Alt+<digit>: the tab's position, 9 for sync, 0 for settings. */
  readonly altDigit: string;
}

/** Every screen, in tab order, with its shortcuts: F1..F8 or Alt+1..8, Alt+9 sync, Alt+0 settings. */
export const TABS: readonly Tab[] = [
  { id: 'sell', label: 'Sell', fkey: 'F1', altDigit: '1' },
  { id: 'returns', label: 'Returns', fkey: 'F2', altDigit: '2' },
  { id: 'receiving', label: 'Receiving', fkey: 'F3', altDigit: '3' },
  { id: 'transfers', label: 'Transfers', fkey: 'F4', altDigit: '4' },
  { id: 'adjust', label: 'Adjust', fkey: 'F5', altDigit: '5' },
  { id: 'counts', label: 'Counts', fkey: 'F6', altDigit: '6' },
  { id: 'lookup', label: 'Lookup', fkey: 'F7', altDigit: '7' },
  { id: 'pickups', label: 'Pickups', fkey: 'F8', altDigit: '8' },
  { id: 'sync', label: 'Sync', fkey: null, altDigit: '9' },
  { id: 'settings', label: 'Settings', fkey: null, altDigit: '0' },
];

/** The screen a key press switches to, if any. */
export const screenForKey = (
  e: Pick<KeyboardEvent, 'key' | 'code' | 'altKey' | 'ctrlKey' | 'metaKey' | 'shiftKey'>,
): ScreenId | null => {
  if (e.ctrlKey || e.metaKey || e.shiftKey) return null;
  if (!e.altKey) return TABS.find((t) => t.fkey !== null && t.fkey === e.key)?.id ?? null;
  // Alt+digit: read the physical key, since Alt changes `key` on some layouts (e.g. macOS).
  const digit = /^Digit(\d)$/.exec(e.code)?.[1] ?? e.key;
  return TABS.find((t) => t.altDigit === digit)?.id ?? null;
};

/** Shortcut text of a tab, e.g. `F1` / `Alt+9`, and the ARIA form. */
export const shortcutOf = (t: Tab): { text: string; aria: string } =>
  t.fkey
    ? { text: t.fkey, aria: `${t.fkey} Alt+${t.altDigit}` }
    : { text: `Alt+${t.altDigit}`, aria: `Alt+${t.altDigit}` };
