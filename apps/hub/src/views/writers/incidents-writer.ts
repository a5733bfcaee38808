import type { EventOf } from '@stocknerve/domain';
import type { SqlStore } from '../../store/sql-store.js';
import type { BatchContext } from './batch-context.js';

/** What reconciliation or a store found wrong (an oversell, a rejected pickup): one row per incident. */
export class IncidentsWriter {
  private readonly db: SqlStore;

  constructor(ctx: BatchContext) {
    this.db = ctx.db;
  }

  incidentRecorded(event: EventOf<'IncidentRecorded'>, streamSeq: number): void {
    const d = event.data;
    this.db.run(
      `INSERT INTO incidents (incident_id, kind, location, sku, shortfall, affected, proposal, triggered_by, note,
         recorded_at, stream_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      d.incidentId,
      d.kind,
      d.location,
      d.sku,
      d.shortfall,
      JSON.stringify(d.affected),
      d.proposal ? JSON.stringify(d.proposal) : null,
      d.triggeredBy,
      d.note ?? null,
      event.occurredAt,
      streamSeq,
    );
  }
}
