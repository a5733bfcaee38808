import { pickupRejectedIncident, reconcileStock } from '@stocknerve/domain';
import type { Logger } from '../logger.js';
import type { BatchEffects } from '../projector/view-writer.js';
import type { SqlStore } from '../store/sql-store.js';
import type { CommandBus } from './command-bus.js';

/**
 * After each batch, checks the cells whose on hand went down (late offline sales, counts) for
 * oversells against reservations and pickups, and records incidents for rejected pickups. Runs
 * through the command bus, after the batch, never inside the projector's transaction.
 */
export class Reconciler {
  constructor(
    private readonly db: SqlStore,
    private readonly bus: CommandBus,
    private readonly log: Logger,
  ) {}

  /**
   * The shrunk cells where stock is held. Only a held cell can be oversold; held cells are few, so a
   * large batch reads them all once (partial index) instead of looking up every shrunk cell.
   */
  private heldAmong(shrunk: Map<string, string>): Iterable<[string, string]> {
    if (shrunk.size < 32) return shrunk;
    const held = this.db.all<{ location: string; sku: string }>(
      'SELECT location, sku FROM stock WHERE reserved > 0 LIMIT ?',
      shrunk.size + 1,
    );
    if (held.length > shrunk.size) return shrunk;
    const cells: [string, string][] = [];
    for (const h of held) {
      const cell = `${h.location}/${h.sku}`;
      const triggeredBy = shrunk.get(cell);
      if (triggeredBy !== undefined) cells.push([cell, triggeredBy]);
    }
    return cells;
  }

  onBatch(fx: BatchEffects): void {
    for (const [cell, triggeredBy] of this.heldAmong(fx.shrunk)) {
      const [location, sku] = cell.split('/') as [string, string];
      // Cheap pre-check outside the serial writer: only a short cell with holds needs a decision.
      const row = this.db.get<{ available: number; reserved: number }>(
        'SELECT on_hand - reserved - safety_stock AS available, reserved FROM stock WHERE location = ? AND sku = ?',
        location,
        sku,
      );
      if (row && row.available < 0 && row.reserved > 0) void this.check(location, sku, triggeredBy);
    }
    for (const rejected of fx.rejectedPickups) {
      const incidentId = `pickup-rejected-${rejected.data.pickupId}`;
      void this.bus
        .run(
          (view) => {
            if (this.db.get('SELECT 1 FROM incidents WHERE incident_id = ?', incidentId))
              return { ok: true, events: [] };
            const incident = pickupRejectedIncident(view, rejected, incidentId);
            return { ok: true, events: incident ? [incident] : [] };
          },
          { correlationId: rejected.correlationId, causationId: rejected.id },
        )
        .catch((error) => this.log.error({ err: error, incidentId }, 'could not record pickup incident'));
    }
  }

  /**
   * Checks every oversold cell where stock is held: a new leader's first act, since the batches its
   * predecessor applied last may never have been reconciled. An incident already recorded for the
   * same shortfall is not recorded again.
   */
  async reconcileAll(): Promise<number> {
    const short = this.db.all<{ location: string; sku: string; event_id: string | null }>(
      `SELECT s.location, s.sku, (SELECT a.event_id FROM applied_events a WHERE a.stream_seq = s.last_stream_seq LIMIT 1) AS event_id
       FROM stock s WHERE s.reserved > 0 AND s.on_hand - s.reserved - s.safety_stock < 0`,
    );
    await Promise.all(short.map((c) => this.check(c.location, c.sku, c.event_id ?? `sweep-${c.location}-${c.sku}`)));
    return short.length;
  }

  private async check(location: string, sku: string, triggeredBy: string): Promise<void> {
    const trigger = this.db.get<{ correlation_id: string }>(
      'SELECT correlation_id FROM applied_events WHERE event_id = ?',
      triggeredBy,
    );
    try {
      await this.bus.run(
        (view) => {
          if (view.holdsAt(location, sku).length === 0) return { ok: true, events: [] };
          const last = this.db.get<{ shortfall: number }>(
            "SELECT shortfall FROM incidents WHERE kind = 'oversell' AND location = ? AND sku = ? ORDER BY stream_seq DESC LIMIT 1",
            location,
            sku,
          );
          const incident = reconcileStock(view, {
            location,
            sku,
            incidentId: `oversell-${location}-${sku}-${triggeredBy}`,
            triggeredBy,
            alreadyReported: last?.shortfall ?? 0,
          });
          return { ok: true, events: incident ? [incident] : [] };
        },
        { correlationId: trigger?.correlation_id ?? triggeredBy, causationId: triggeredBy },
      );
    } catch (error) {
      this.log.error({ err: error, location, sku }, 'reconciliation failed');
    }
  }
}
