import type { EventOf } from '@stocknerve/domain';
import type { SqlStore } from '../../store/sql-store.js';

/** What one applied batch changed: the KV publisher and reconciliation act on it. */
export interface BatchEffects {
  readonly cells: Set<string>;
  readonly pickups: Set<string>;
  readonly reservations: Set<string>;
  readonly catalog: Set<string>;
  readonly locations: Set<string>;
  readonly nodes: Set<string>;
  /** Cells whose on hand went down through a store event (or a count): reconciliation checks them. */
  readonly shrunk: Map<string, string>;
  /** PickupRejected events applied: the hub records an incident for each. */
  readonly rejectedPickups: EventOf<'PickupRejected'>[];
  applied: number;
  duplicates: number;
}

export const emptyEffects = (): BatchEffects => ({
  cells: new Set(),
  pickups: new Set(),
  reservations: new Set(),
  catalog: new Set(),
  locations: new Set(),
  nodes: new Set(),
  shrunk: new Map(),
  rejectedPickups: [],
  applied: 0,
  duplicates: 0,
});

/**
 * What became of an event: applied; a duplicate or a seq conflict (nothing changed); or `held`:
 * admitted (its node seq is accounted for, so the node does not send it again) but not applied, a
 * count from a clock ahead of its store time (the clock rule).
 */
export type ApplyOutcome = 'applied' | 'duplicate' | 'seq-conflict' | 'held';

/** Something a writer aggregates in memory over a batch instead of writing it per event. */
export interface PendingWrites {
  /** Writes what was aggregated. */
  flush(): void;
  /** Forgets it: the transaction it belonged to rolled back. */
  discard(): void;
}

/** What the writers of one store share while a batch is applied. */
export class BatchContext {
  /** The effects of the batch being applied: each `apply` names the ones it adds to. */
  fx: BatchEffects = emptyEffects();
  private readonly regions = new Map<string, string | undefined>();
  private pending: readonly PendingWrites[] = [];

  constructor(readonly db: SqlStore) {}

  /** The writers' in-memory aggregations, in the order `flushPending` writes them. */
  setPending(...pending: PendingWrites[]): void {
    this.pending = pending;
  }

  /** Region of a defined location (cached for the batch; a LocationDefined clears the cache). */
  regionOf(location: string): string | undefined {
    if (this.regions.has(location)) return this.regions.get(location);
    const region = this.db.get<{ region: string }>('SELECT region FROM locations WHERE location = ?', location)?.region;
    this.regions.set(location, region);
    return region;
  }

  /**
   * Writes what the writers aggregated in memory. Call it before the batch's transaction commits,
   * and before anything reads those tables inside it.
   */
  flushPending(): void {
    for (const p of this.pending) p.flush();
    this.regions.clear();
  }

  /** Forgets what the writers aggregated: the transaction it belonged to rolled back. */
  discardPending(): void {
    for (const p of this.pending) p.discard();
    this.regions.clear();
  }
}
