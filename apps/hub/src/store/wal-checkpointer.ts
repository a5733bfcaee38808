import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * The worker's code, plain CommonJS so that it runs the same under tsx, node and vitest. Its own
 * connection copies committed WAL frames into the database file (PASSIVE: it never waits for, or
 * blocks, the writer or readers), so the hub's thread does not pay for checkpoints in its commits.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path);
const checkpoint = () => {
  try {
    const [row] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ ok: true, frames: row.log, copied: row.checkpointed });
  } catch (error) {
    parentPort.postMessage({ ok: false, error: String((error && error.message) || error) });
  }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export interface CheckpointReport {
  readonly ok: boolean;
  /** Frames in the WAL and how many of them are in the database file (after this checkpoint). */
  readonly frames?: number;
  readonly copied?: number;
  readonly error?: string;
}

/** A thread that checkpoints one SQLite file's WAL every `intervalMs`. */
export class WalCheckpointer {
  private readonly worker: Worker;
  private stopped: Promise<void> | undefined;
  private exited = false;
  last: CheckpointReport | undefined;
  checkpoints = 0;

  constructor(path: string, intervalMs: number, onReport?: (report: CheckpointReport) => void) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path, driver, intervalMs } });
    this.worker.on('message', (report: CheckpointReport) => {
      this.last = report;
      if (report.ok) this.checkpoints++;
      onReport?.(report);
    });
    // A dead checkpointer only means the writer's own (rarer) autocheckpoints take over.
    this.worker.on('error', (error) => onReport?.({ ok: false, error: error.message }));
    this.worker.once('exit', () => {
      this.exited = true;
    });
    this.worker.unref();
  }

  stop(): Promise<void> {
    this.stopped ??= new Promise<void>((resolve) => {
      if (this.exited) return resolve();
      this.worker.once('exit', () => resolve());
      this.worker.postMessage('stop');
      // A worker stuck in a checkpoint is terminated rather than waited for.
      setTimeout(() => void this.worker.terminate(), 2000).unref();
    });
    return this.stopped;
  }
}
