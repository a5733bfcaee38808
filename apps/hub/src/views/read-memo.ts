import type { SqlStore } from '../store/sql-store.js';

/**
 * Lookups of the read side, remembered until the store changes. The store's version moves on every
 * committed write (a projector batch, a rebuild; not a heartbeat, which is live state), so nothing here can be older than
 * the views: between two writes, the availability API answers from memory instead of SQLite.
 */
export class ReadMemo {
  private version = Number.NaN;
  private lookups: ReadLookups = lookupsOver(new Map(), 0);

  constructor(
    private readonly store: SqlStore,
    private readonly maxEntries = 50_000,
  ) {}

  /**
   * The lookups valid now: call once per request and use the result for the whole answer, so one
   * request never mixes two versions of the views.
   */
  current(): ReadLookups {
    const version = this.store.version();
    if (version !== this.version) {
      this.version = version;
      this.lookups = lookupsOver(new Map(), this.maxEntries);
    }
    return this.lookups;
  }
}

/** Whether a value computed at `at` is under `maxAgeMs` old at `nowMs` (never one "from the future"). */
export const isYoung = (at: number, nowMs: number, maxAgeMs: number): boolean => nowMs - at < maxAgeMs && nowMs >= at;

/** Lookups remembered in `entries` (at most `max` of them). */
const lookupsOver = (entries: Map<string, unknown>, max: number): ReadLookups => {
  const remember = (key: string, value: unknown) => {
    // A crude bound (a catalogue larger than the memo): start over rather than track recency.
    if (entries.size >= max) entries.clear();
    entries.set(key, value);
  };
  return {
    get: <T>(key: string, compute: () => T): T => {
      if (entries.has(key)) return entries.get(key) as T;
      const value = compute();
      remember(key, value);
      return value;
    },
    getFresh: <T>(key: string, nowMs: number, maxAgeMs: number, compute: () => T): T => {
      const hit = entries.get(key) as { at: number; value: T } | undefined;
      if (hit && isYoung(hit.at, nowMs, maxAgeMs)) return hit.value;
      const value = compute();
      remember(key, { at: nowMs, value });
      return value;
    },
    peek: <T>(key: string) => entries.get(key) as T | undefined,
    remember,
  };
};

export interface ReadLookups {
  /** The remembered value of `key`, computing it on first use. Values must not be mutated. */
  get<T>(key: string, compute: () => T): T;
  /**
   * Like `get`, for values that also depend on the time: computed again once `maxAgeMs` old. Each
   * entry ages on its own, so remembered answers do not all expire in the same instant.
   */
  getFresh<T>(key: string, nowMs: number, maxAgeMs: number, compute: () => T): T;
  /** The value remembered under `key` by `get` or `remember` (undefined: none). */
  peek<T>(key: string): T | undefined;
  /** Remembers a value for `get` and `peek`. */
  remember<T>(key: string, value: T): void;
}

const memos = new WeakMap<SqlStore, ReadMemo>();

/** The memo of a store (one per store, so every reader shares it). */
export const readMemoOf = (store: SqlStore): ReadMemo => {
  let memo = memos.get(store);
  if (!memo) {
    memo = new ReadMemo(store);
    memos.set(store, memo);
  }
  return memo;
};
