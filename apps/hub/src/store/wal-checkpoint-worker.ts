import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { CheckpointReport, CheckpointWorkerData } from './wal-checkpointer.js';

// The checkpointing thread (WalCheckpointer). Its own connection copies committed WAL frames into
// the database file; PASSIVE never waits for, or blocks, the writer or readers.

const port = parentPort;
if (!port) throw new Error('wal-checkpoint-worker runs as a worker thread (WalCheckpointer)');
const { path, intervalMs } = workerData as CheckpointWorkerData;
const db = new Database(path);

const checkpoint = () => {
  let report: CheckpointReport;
  try {
    const [row] = db.pragma('wal_checkpoint(PASSIVE)') as { log: number; checkpointed: number }[];
    report = { ok: true, frames: row?.log ?? 0, copied: row?.checkpointed ?? 0 };
  } catch (error) {
    report = { ok: false, error: String((error as Error)?.message ?? error) };
  }
  port.postMessage(report);
};

const timer = setInterval(checkpoint, intervalMs);
port.on('message', (message: unknown) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  db.close();
  port.close();
});
