import { Worker } from 'node:worker_threads';

/**
 * The worker module, always the built one (dist/store/wal-checkpoint-worker.js): this path is the
 * same from src/store and dist/store, and Node cannot run a TypeScript worker. Tests build first.
 */
const WORKER = new URL('../../dist/store/wal-checkpoint-worker.js', import.meta.url);

/** What the worker is started with. */
export interface CheckpointWorkerData {
  /** The SQLite database file. */
  readonly path: string;
  /** Time between checkpoints, ms. */
  readonly intervalMs: number;
}

export interface CheckpointReport {
  readonly ok: boolean;
  /** Frames in the WAL and how many of them are in the database file (after this checkpoint). */
  readonly frames?: number;
  readonly copied?: number;
  readonly error?: string;
}

/**
 * A thread that checkpoints one SQLite file's WAL every `intervalMs`, so that the hub's thread does
 * not pay for checkpoints in its commits.
 */
export class WalCheckpointer {
  private readonly worker: Worker;
  private stopped: Promise<void> | undefined;
  private exited = false;
  last: CheckpointReport | undefined;
  checkpoints = 0;

  constructor(path: string, intervalMs: number, onReport?: (report: CheckpointReport) => void) {
    const workerData: CheckpointWorkerData = { path, intervalMs };
    this.worker = new Worker(WORKER, { workerData });
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
