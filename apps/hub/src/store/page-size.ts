import Database from 'better-sqlite3';
import type { SqlStore } from './sql-store.js';

/**
 * Page size of a views file created from now on. Each commit writes every page its batch dirtied to
 * the WAL, a frame (two writes) per page, and a batch dirties pages all over the stock table, the
 * day's sales and its ledger epoch: with 16 KB pages a commit writes a quarter as many frames and the
 * B-trees are shallower (docs/decisions/0012-16-kb-pages.md). A file keeps the page size it was
 * created with (WAL mode cannot change it): `convertPageSize` rewrites it.
 */
export const PAGE_SIZE = 16_384;

export const pageSizeOf = (store: SqlStore): number =>
  store.get<{ page_size: number }>('SELECT page_size FROM pragma_page_size()')?.page_size ?? 0;

/**
 * Rewrites an SQLite file with PAGE_SIZE pages: leaves WAL mode, VACUUMs, and goes back to WAL. No
 * other connection may have the file open. Its time is the file's size: run it on a file whose views
 * were just dropped (the offline rebuild does). Says which page size the file had and has.
 */
export const convertPageSize = (path: string): { readonly from: number; readonly to: number } => {
  const db = new Database(path);
  try {
    const from = db.pragma('page_size', { simple: true }) as number;
    if (from !== PAGE_SIZE) {
      db.pragma('journal_mode = DELETE');
      db.pragma(`page_size = ${PAGE_SIZE}`);
      db.exec('VACUUM');
      db.pragma('journal_mode = WAL');
    }
    return { from, to: db.pragma('page_size', { simple: true }) as number };
  } finally {
    db.close();
  }
};
