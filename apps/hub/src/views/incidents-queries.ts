import type { SqlStore, SqlValue } from '../store/sql-store.js';

export type IncidentKind = 'oversell' | 'pickup-rejected';

/** What reconciliation or a store found wrong, as the API shows it. */
export interface IncidentRecord {
  readonly incidentId: string;
  readonly kind: IncidentKind;
  readonly location: string;
  readonly sku: string;
  readonly shortfall: number;
  readonly affected: readonly { kind: 'reservation' | 'pickup'; id: string; qty: number }[];
  readonly proposal: { location: string; available: number; distanceKm: number | null } | null;
  readonly triggeredBy: string;
  readonly note: string | null;
  readonly recordedAt: string;
  readonly streamSeq: number;
}

interface Row {
  incident_id: string;
  kind: IncidentKind;
  location: string;
  sku: string;
  shortfall: number;
  affected: string;
  proposal: string | null;
  triggered_by: string;
  note: string | null;
  recorded_at: string;
  stream_seq: number;
}

export interface IncidentFilter {
  readonly kind?: IncidentKind | undefined;
  readonly location?: string | undefined;
  /** Most rows returned. */
  readonly limit: number;
}

/** Incidents matching every given filter, newest first. */
export const listIncidents = (store: SqlStore, filter: IncidentFilter): IncidentRecord[] => {
  const kind: SqlValue = filter.kind ?? null;
  const location: SqlValue = filter.location ?? null;
  return store
    .all<Row>(
      `SELECT * FROM incidents WHERE (? IS NULL OR kind = ?) AND (? IS NULL OR location = ?)
       ORDER BY stream_seq DESC LIMIT ?`,
      kind,
      kind,
      location,
      location,
      filter.limit,
    )
    .map((r) => ({
      incidentId: r.incident_id,
      kind: r.kind,
      location: r.location,
      sku: r.sku,
      shortfall: r.shortfall,
      affected: JSON.parse(r.affected) as IncidentRecord['affected'],
      proposal: r.proposal === null ? null : (JSON.parse(r.proposal) as IncidentRecord['proposal']),
      triggeredBy: r.triggered_by,
      note: r.note,
      recordedAt: r.recorded_at,
      streamSeq: r.stream_seq,
    }));
};
