import { createContext } from 'preact';
import { useContext, useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { BehaviorSubject, Observable } from 'rxjs';
import type { StoreNode } from '../node/runtime.js';
import { DEFAULT_LINE_LIMIT } from './quantity.js';

/** The running terminal, for every screen. */
export const NodeContext = createContext<StoreNode | null>(null);

export const useNode = (): StoreNode => {
  const node = useContext(NodeContext);
  if (!node) throw new Error('useNode outside of a running node');
  return node;
};

/** Units on one line above which this till asks for confirmation (its `maxLineQty` setting). */
export const useLineLimit = (): number => useNode().settings.maxLineQty ?? DEFAULT_LINE_LIMIT;

/** The current value of a BehaviorSubject, re-rendering on change. */
export const useValue = <T>(subject: BehaviorSubject<T>): T => useObservable(subject, subject.value);

/** The latest value of an observable (starting from `initial`). */
export const useObservable = <T>(observable: Observable<T>, initial: T): T => {
  const [value, setValue] = useState<{ v: T }>({ v: initial });
  useEffect(() => {
    const s = observable.subscribe((v) => setValue({ v }));
    return () => s.unsubscribe();
  }, [observable]);
  return value.v;
};

/** Wall clock (ms) refreshed every `intervalMs`, for ages on screen. */
export const useNow = (intervalMs = 1000): number => {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(t);
  }, [intervalMs]);
  return now;
};

/** Whether the browser says it has a network (`navigator.onLine`, its online/offline events). */
export const useBrowserOnline = (): boolean => {
  const [online, setOnline] = useState(navigator.onLine);
  useEffect(() => {
    const update = () => setOnline(navigator.onLine);
    window.addEventListener('online', update);
    window.addEventListener('offline', update);
    return () => {
      window.removeEventListener('online', update);
      window.removeEventListener('offline', update);
    };
  }, []);
  return online;
};

/** Result of an async computation, recomputed when a dependency changes (stale results dropped). */
export const useAsync = <T>(compute: () => Promise<T>, deps: readonly unknown[]): T | undefined => {
  const [value, setValue] = useState<T | undefined>(undefined);
  const generation = useRef(0);
  useEffect(() => {
    const g = ++generation.current;
    compute().then(
      (v) => {
        if (g === generation.current) setValue(v);
      },
      () => undefined,
    );
  }, deps);
  return value;
};

/** Whether the screen a component belongs to is the one shown (screens stay mounted when hidden). */
export const ScreenContext = createContext<{ readonly active: boolean }>({ active: true });

export const useScreenActive = (): boolean => useContext(ScreenContext).active;

/**
 * Focuses the element whenever its screen is shown: each screen puts the cursor where its work
 * starts, so switching with F1..F8 never needs the mouse.
 */
export const useAutoFocus = <T extends HTMLElement>() => {
  const ref = useRef<T>(null);
  const active = useScreenActive();
  // A layout effect runs in the same commit as the switch, before the next key event: a cashier
  // who presses F1 and scans at once loses no character to the screen that was just hidden.
  useLayoutEffect(() => {
    if (active) ref.current?.focus();
  }, [active]);
  return ref;
};
