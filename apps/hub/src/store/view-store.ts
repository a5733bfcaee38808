import type { Logger } from '../logger.js';
import { openSqliteStore, type SqlStore } from './sql-store.js';

/** How often a thread of its own copies the views' WAL into the database file. */
export const WAL_CHECKPOINT_MS = 200;

/** The hub's views database (serve and rebuild): WAL checkpoints off the projector's thread. */
export const openViewStore = (path: string, log: Logger): SqlStore =>
  openSqliteStore(path, {
    backgroundCheckpoints: {
      intervalMs: WAL_CHECKPOINT_MS,
      onFailure: (error) => log.warn({ error }, 'background WAL checkpoint failed; the writer checkpoints itself'),
    },
  });
