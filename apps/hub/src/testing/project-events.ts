import type { InventoryEvent } from '@stocknerve/domain';
import { type ApplyOutcome, emptyEffects, ViewWriter } from '../projector/view-writer.js';
import { ensureViewSchema } from '../store/schema.js';
import { openSqliteStore, type SqlStore } from '../store/sql-store.js';

export interface ProjectOptions {
  /** The stream seq of the i-th event (default i + 1). */
  readonly streamSeqOf?: (i: number) => number;
  /** Events per batch: what the writer aggregates in memory is written after each (default 5). */
  readonly batch?: number;
  /** Hears what became of the i-th event. */
  readonly onOutcome?: (i: number, outcome: ApplyOutcome) => void;
}

/**
 * Applies events in the order given to fresh in-memory views, as the projector would in batches of
 * `batch` (one transaction), and returns the store.
 */
export const projectEvents = (events: readonly InventoryEvent[], options: ProjectOptions = {}): SqlStore => {
  const { streamSeqOf = (i: number) => i + 1, batch = 5, onOutcome } = options;
  const db = openSqliteStore(':memory:');
  ensureViewSchema(db);
  const writer = new ViewWriter(db);
  const fx = emptyEffects();
  db.transaction(() => {
    events.forEach((e, i) => {
      const outcome = writer.apply(e, streamSeqOf(i), 0, fx);
      onOutcome?.(i, outcome);
      if (i % batch === batch - 1) writer.flushPending();
    });
    writer.flushPending();
  });
  return db;
};
