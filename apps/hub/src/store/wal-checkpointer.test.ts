import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@stocknerve/test-harness';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { type CheckpointReport, WalCheckpointer } from './wal-checkpointer.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A WAL database whose own connection never checkpoints: only the checkpointer does. */
const openWriter = () => {
  const dir = mkdtempSync(join(tmpdir(), 'wal-ckpt-'));
  dirs.push(dir);
  const path = join(dir, 'views.sqlite');
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('wal_autocheckpoint = 0');
  db.exec('CREATE TABLE rows (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO rows (body) VALUES (?)');
  const writeBatch = db.transaction((n: number) => {
    for (let i = 0; i < n; i++) insert.run(`row ${i} ${'x'.repeat(200)}`);
  });
  return { path, db, writeBatch };
};

describe('WalCheckpointer', () => {
  it('copies committed frames into the database file, so the WAL is reused instead of growing', async () => {
    const { path, db, writeBatch } = openWriter();
    const reports: CheckpointReport[] = [];
    const checkpointer = new WalCheckpointer(path, 10, (r) => reports.push(r));
    try {
      for (let round = 0; round < 20; round++) {
        writeBatch(2000);
        // Between commits the checkpointer catches up; the next write then starts the WAL over.
        await waitFor(
          () => reports.some((r) => r.ok && r.frames !== undefined && r.frames > 0 && r.copied === r.frames),
          {
            message: 'a complete checkpoint',
          },
        );
        reports.length = 0;
      }
      const walBytes = statSync(`${path}-wal`).size;
      const dbBytes = statSync(path).size;
      // 20 rounds of ~500 KB each: without checkpoints the WAL would hold all of them.
      expect(dbBytes).toBeGreaterThan(8_000_000);
      expect(walBytes).toBeLessThan(dbBytes / 4);
      expect(checkpointer.checkpoints).toBeGreaterThan(0);
    } finally {
      await checkpointer.stop();
      db.close();
    }
    const reopened = new Database(path, { readonly: true });
    expect(reopened.prepare('SELECT COUNT(*) AS n FROM rows').get()).toEqual({ n: 40_000 });
    reopened.close();
  });

  it('stops, also when asked twice', async () => {
    const { path, db } = openWriter();
    const checkpointer = new WalCheckpointer(path, 10);
    await Promise.all([checkpointer.stop(), checkpointer.stop()]);
    await checkpointer.stop();
    db.close();
  });

  it('reports a file it cannot open instead of throwing in the hub', async () => {
    const reports: CheckpointReport[] = [];
    const checkpointer = new WalCheckpointer('/nonexistent-dir/views.sqlite', 10, (r) => reports.push(r));
    await waitFor(() => reports.length > 0, { message: 'a report' });
    expect(reports[0]).toMatchObject({ ok: false });
    await checkpointer.stop();
  });
});
