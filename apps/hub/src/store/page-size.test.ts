import { join } from 'node:path';
import { makeTempDir, removeTempDir } from '@stocknerve/test-harness';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { prepareOfflineRebuild } from './offline-rebuild.js';
import { convertPageSize, PAGE_SIZE, pageSizeOf } from './page-size.js';
import { ensureViewSchema } from './schema.js';
import { openSqliteStore } from './sql-store.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map(removeTempDir));
});

const tempFile = async () => {
  const dir = await makeTempDir('page-size');
  dirs.push(dir);
  return join(dir, 'views.sqlite');
};

/** A views file as hubs before PAGE_SIZE made it: 4 KB pages, WAL, views and a live table with rows. */
const olderViewsFile = (path: string) => {
  const db = new Database(path);
  db.pragma('page_size = 4096');
  db.pragma('journal_mode = WAL');
  db.close();
  const store = openSqliteStore(path);
  ensureViewSchema(store);
  store.transaction(() => {
    for (let i = 0; i < 2000; i++)
      store.run('INSERT INTO stock (location, sku, on_hand) VALUES (?, ?, ?)', `store-${i % 20}`, `SKU-${i}`, i);
    store.run(
      `INSERT INTO node_heartbeats (node, location, region, last_heartbeat_ms, pending) VALUES ('n1', 'store-1', 'north', 5, 0)`,
    );
  });
  store.close();
};

const journalMode = (path: string) => {
  const db = new Database(path);
  try {
    return db.pragma('journal_mode', { simple: true });
  } finally {
    db.close();
  }
};

describe('views file page size', () => {
  it('a new file gets PAGE_SIZE pages', async () => {
    const store = openSqliteStore(await tempFile());
    ensureViewSchema(store);
    expect(pageSizeOf(store)).toBe(PAGE_SIZE);
    store.close();
  });

  it('an existing file keeps its own page size and its rows', async () => {
    const path = await tempFile();
    olderViewsFile(path);
    const store = openSqliteStore(path);
    expect(pageSizeOf(store)).toBe(4096);
    expect(store.get('SELECT COUNT(*) AS n FROM stock')).toEqual({ n: 2000 });
    store.close();
  });

  it('convertPageSize rewrites a file with PAGE_SIZE pages, keeps every row and WAL mode, and is a no-op after', async () => {
    const path = await tempFile();
    olderViewsFile(path);
    expect(convertPageSize(path)).toEqual({ from: 4096, to: PAGE_SIZE });
    expect(journalMode(path)).toBe('wal');
    const store = openSqliteStore(path);
    expect(pageSizeOf(store)).toBe(PAGE_SIZE);
    expect(store.get('SELECT COUNT(*) AS n, SUM(on_hand) AS total FROM stock')).toEqual({ n: 2000, total: 1999000 });
    store.close();
    expect(convertPageSize(path)).toEqual({ from: PAGE_SIZE, to: PAGE_SIZE });
  });

  it('the offline rebuild drops the views and converts what remains, heartbeats kept', async () => {
    const path = await tempFile();
    olderViewsFile(path);
    expect(prepareOfflineRebuild(path)).toEqual({ from: 4096, to: PAGE_SIZE });
    const store = openSqliteStore(path);
    expect(pageSizeOf(store)).toBe(PAGE_SIZE);
    expect(store.get('SELECT COUNT(*) AS n FROM stock')).toEqual({ n: 0 });
    expect(store.get('SELECT node FROM node_heartbeats')).toEqual({ node: 'n1' });
    store.close();
  });
});
