import type { WatermarkValue } from '@stocknerve/protocol';
import type { SqlStore } from '../store/sql-store.js';

/** A node's watermark as the views hold it: the KV value without its publication time. */
export type NodeWatermark = Omit<WatermarkValue, 'asOf'>;

/** The applied watermark and gaps of one node: what its anti-entropy compares against. */
export const nodeWatermark = (db: SqlStore, node: string): NodeWatermark | undefined => {
  const row = db.get<{ node: string; location: string; watermark: number; max_seq: number; events_applied: number }>(
    'SELECT node, location, watermark, max_seq, events_applied FROM node_status WHERE node = ?',
    node,
  );
  if (!row) return undefined;
  const above = db
    .all<{ seq: number }>('SELECT seq FROM node_seq_above WHERE node = ? ORDER BY seq', node)
    .map((r) => r.seq);
  const gaps: [number, number][] = [];
  let expected = row.watermark + 1;
  for (const seq of above) {
    if (seq > expected) gaps.push([expected, seq - 1]);
    expected = seq + 1;
  }
  return {
    node: row.node,
    location: row.location,
    watermark: row.watermark,
    maxSeq: row.max_seq,
    gaps,
    eventsApplied: row.events_applied,
  };
};

export interface NodeSyncStatus extends NodeWatermark {
  readonly region: string | null;
  readonly lastEventAt: string | null;
  readonly lastHeardAt: string | null;
  readonly lastHeardAgeMs: number | null;
  /** Events waiting on the node, from its last heartbeat. */
  readonly pending: number | null;
  readonly oldestPendingAgeMs: number | null;
  readonly stale: boolean;
}

/** Sync status of every node the hub has heard of (events or heartbeats). */
export const nodeSyncStatuses = (db: SqlStore, nowMs: number, staleAfterMs: number): NodeSyncStatus[] => {
  const rows = db.all<{
    node: string;
    location: string;
    region: string | null;
    last_event_at: string | null;
    heard: number | null;
    pending: number | null;
    oldest_pending_age_ms: number | null;
  }>(
    `SELECT ids.node AS node, COALESCE(n.location, h.location) AS location, COALESCE(n.region, h.region) AS region,
       n.last_event_at AS last_event_at,
       MAX(COALESCE(n.last_heard_ms, 0), COALESCE(h.last_heartbeat_ms, 0)) AS heard,
       h.pending AS pending, h.oldest_pending_age_ms AS oldest_pending_age_ms
     FROM (SELECT node FROM node_status UNION SELECT node FROM node_heartbeats) ids
     LEFT JOIN node_status n ON n.node = ids.node
     LEFT JOIN node_heartbeats h ON h.node = ids.node
     ORDER BY ids.node`,
  );
  return rows.flatMap((r) => {
    const wm = nodeWatermark(db, r.node);
    const heard = r.heard && r.heard > 0 ? r.heard : null;
    const age = heard === null ? null : Math.max(0, nowMs - heard);
    const base: NodeWatermark = wm ?? {
      node: r.node,
      location: r.location,
      watermark: 0,
      maxSeq: 0,
      gaps: [],
      eventsApplied: 0,
    };
    return [
      {
        ...base,
        region: r.region,
        lastEventAt: r.last_event_at,
        lastHeardAt: heard === null ? null : new Date(heard).toISOString(),
        lastHeardAgeMs: age,
        pending: r.pending,
        oldestPendingAgeMs: r.oldest_pending_age_ms,
        stale: age === null || age > staleAfterMs,
      },
    ];
  });
};
