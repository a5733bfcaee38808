import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { PAGE_SIZE } from './page-size.js';
import { WalCheckpointer } from './wal-checkpointer.js';

export type SqlValue = string | number | bigint | null | Uint8Array;

/**
 * The small storage interface the views live behind. Synchronous because the embedded default
 * (SQLite via better-sqlite3) is, and the projector's hot path is a tight loop; SQL is kept portable
 * (ON CONFLICT upserts, no SQLite-only functions) so that a PostgreSQL store can follow.
 */
export interface SqlStore {
  run(sql: string, ...params: SqlValue[]): { changes: number };
  /**
   * A write to live state that readers may see up to their own answer age late (a node's
   * heartbeat): unlike `run`, it does not move `version()`, so it does not make every reader forget
   * what it remembered.
   */
  runLive(sql: string, ...params: SqlValue[]): { changes: number };
  get<T>(sql: string, ...params: SqlValue[]): T | undefined;
  all<T>(sql: string, ...params: SqlValue[]): T[];
  /** Runs fn in one transaction: all of its writes commit together or none does. */
  transaction<T>(fn: () => T): T;
  /**
   * Runs fn in a transaction that is always rolled back: what it wrote is visible to its own reads
   * and to nobody after it (the hub decides a group of commands against the views plus the effects
   * of the ones before). Moves `version()`, so nothing remembered during it outlives it.
   */
  speculate<T>(fn: () => T): T;
  exec(sql: string): void;
  /**
   * A number that changes whenever the data may have changed (any row written, any DDL): readers
   * remember lookups until it moves.
   */
  version(): number;
  close(): void;
}

export interface SqliteStoreOptions {
  /**
   * Checkpoint the WAL from a thread of its own every `intervalMs` (file stores only); the writer's
   * own autocheckpoint stays as a safety net at a 200 MB WAL. `onFailure` hears why one failed.
   */
  readonly backgroundCheckpoints?: { readonly intervalMs: number; readonly onFailure: (error: string) => void };
}

/** Thrown inside a speculative transaction to roll it back. */
const ROLLBACK = Symbol('rollback');

/**
 * Opens (creating) an SQLite file. WAL with synchronous=NORMAL: a committed batch survives a crash
 * of the hub process; on power loss the last batches may roll back together with their checkpoint,
 * which the projector then re-applies from the stream.
 */
export const openSqliteStore = (path: string, options: SqliteStoreOptions = {}): SqlStore => {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  // Only a new file takes it (before its first write); an existing one keeps its own.
  db.pragma(`page_size = ${PAGE_SIZE}`);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = OFF');
  // A projector batch dirties pages all over the stock table and the movements index: a 64 MB page
  // cache keeps them in memory, and a 40 MB WAL lets hot pages be rewritten in the WAL several times
  // before one checkpoint copies them (docs/decisions/0013-wal-checkpointing-thread.md).
  db.pragma('cache_size = -65536');
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const walPages = (megabytes: number) => Math.ceil((megabytes * 2 ** 20) / pageSize);
  const bg = path === ':memory:' ? undefined : options.backgroundCheckpoints;
  // Copying frames into the file was about half of each commit's cost on the projector's thread, so
  // a thread of its own does it (docs/decisions/0013-wal-checkpointing-thread.md).
  let failing = false;
  const checkpointer = bg
    ? new WalCheckpointer(path, bg.intervalMs, (report) => {
        // Told once per run of failures, not every interval.
        if (!report.ok && !failing) bg.onFailure(report.error ?? 'unknown error');
        failing = !report.ok;
      })
    : undefined;
  db.pragma(`wal_autocheckpoint = ${walPages(checkpointer ? 200 : 40)}`);
  const statements = new Map<string, Database.Statement>();
  const prepare = (sql: string) => {
    let s = statements.get(sql);
    if (!s) {
      s = db.prepare(sql);
      statements.set(sql, s);
    }
    return s;
  };
  // Every write goes through run, runLive or exec: counting them here is what total_changes() would
  // say, without a statement per read (the availability API asks on every request).
  let writes = 0;
  return {
    run: (sql, ...params) => {
      const { changes } = prepare(sql).run(...params);
      if (changes > 0) writes++;
      return { changes };
    },
    runLive: (sql, ...params) => ({ changes: prepare(sql).run(...params).changes }),
    get: <T>(sql: string, ...params: SqlValue[]) => prepare(sql).get(...params) as T | undefined,
    all: <T>(sql: string, ...params: SqlValue[]) => prepare(sql).all(...params) as T[],
    transaction: (fn) => db.transaction(fn)(),
    speculate: <T>(fn: () => T): T => {
      let result: T | undefined;
      try {
        db.transaction(() => {
          result = fn();
          throw ROLLBACK;
        })();
      } catch (error) {
        if (error !== ROLLBACK) throw error;
      } finally {
        writes++;
      }
      return result as T;
    },
    exec: (sql) => {
      statements.clear();
      // DDL (a rebuild's DROP TABLE) counts as a write whatever it changed.
      writes++;
      db.exec(sql);
    },
    version: () => writes,
    close: () => {
      void checkpointer?.stop();
      db.close();
    },
  };
};
