import { useEffect } from 'preact/hooks';

/** Inputs that take no typed text: a key pressed on them is not someone typing into them. */
const NON_TEXT_INPUTS = new Set(['button', 'checkbox', 'radio', 'submit', 'reset', 'range', 'color', 'file', 'image']);

/**
 * Whether keys typed while `el` has the focus are someone's typing into it (left alone). A select is
 * not: its type-ahead would swallow a scan (Adjust opens on its reason), and arrows still choose.
 */
export const isEditable = (el: Element | null): boolean => {
  if (!(el instanceof HTMLElement)) return false;
  if (el.isContentEditable || el instanceof HTMLTextAreaElement) return true;
  return el instanceof HTMLInputElement && !NON_TEXT_INPUTS.has(el.type);
};

/** The scan field of the screen shown, if that screen has one. */
export const activeScanField = (): HTMLInputElement | null =>
  document.querySelector<HTMLInputElement>('[role="tabpanel"]:not([hidden]) .scan-input:not(:disabled)');

/**
 * A barcode scanner is a keyboard: when the focus has left the scan field (a click on a line's ✕ or
 * the page, a screen that opens on a button), its keys would land nowhere and the scan be lost. A
 * printable key typed outside any text field therefore moves the focus to the shown screen's
 * scan field and starts its entry there; the rest of the code and the Enter follow it. Typing in a text
 * field (a quantity, a note) is never redirected.
 */
export const useScanCapture = (): void => {
  useEffect(() => {
    const onKeyDown = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || e.key.length !== 1 || e.key === ' ') return;
      if (isEditable(document.activeElement)) return;
      const field = activeScanField();
      if (!field) return;
      e.preventDefault();
      field.focus();
      field.value = e.key;
    };
    // Capture phase: the focused button must not see the keys of a scan (Enter would press it).
    window.addEventListener('keydown', onKeyDown, true);
    return () => window.removeEventListener('keydown', onKeyDown, true);
  }, []);
};
