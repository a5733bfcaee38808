import { useEffect, useRef } from 'preact/hooks';
import { useScreenActive } from './hooks.js';

/** True for the keys that complete the document on screen: F9, or Ctrl+Enter. */
export const isCompleteKey = (e: KeyboardEvent): boolean =>
  e.key === 'F9' || (e.key === 'Enter' && (e.ctrlKey || e.metaKey));

/**
 * Binds the screen's main action (complete the sale, record the return...) to F9 and Ctrl+Enter
 * while the screen is shown, from any field of it.
 */
export const useCompleteKey = (action: () => void): void => {
  const latest = useRef(action);
  latest.current = action;
  const active = useRef(false);
  active.current = useScreenActive();
  useEffect(() => {
    const onKeyDown = (e: KeyboardEvent) => {
      if (!active.current || !isCompleteKey(e) || e.defaultPrevented) return;
      e.preventDefault();
      latest.current();
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);
};
