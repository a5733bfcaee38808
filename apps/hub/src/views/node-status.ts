import { isStale } from '@stocknerve/domain';
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

/** A node whose events came with a clock ahead of their store time by more than the bound. */
export interface NodeClockSkew {
  /** How far ahead the latest such event was, ms. */
  readonly aheadMs: number;
  /** When the stream stored it (ISO 8601). */
  readonly lastSeenAt: string;
  /** Events of the node judged so (placed at their store time, or counts held for review). */
  readonly events: number;
  /** Whether the node's latest event was one of them: its clock is still wrong. */
  readonly current: boolean;
}

export interface NodeSyncStatus extends NodeWatermark {
  readonly region: string | null;
  readonly lastEventAt: string | null;
  readonly lastHeardAt: string | null;
  readonly lastHeardAgeMs: number | null;
  /** Events waiting on the node, from its last heartbeat. */
  readonly pending: number | null;
  readonly oldestPendingAgeMs: number | null;
  readonly stale: boolean;
  /** Its clock as its events showed it; null when none was ever ahead beyond the bound. */
  readonly clockSkew: NodeClockSkew | null;
  /** `clock-skew` while its clock is wrong. */
  readonly flags: readonly 'clock-skew'[];
}

const clockSkewOf = (r: {
  clock_skew_events: number | null;
  clock_ahead_ms: number | null;
  clock_skew_stored_ms: number | null;
  clock_skewed: number | null;
}): NodeClockSkew | null =>
  r.clock_skew_events && r.clock_ahead_ms !== null && r.clock_skew_stored_ms !== null
    ? {
        aheadMs: r.clock_ahead_ms,
        lastSeenAt: new Date(r.clock_skew_stored_ms).toISOString(),
        events: r.clock_skew_events,
        current: r.clock_skewed === 1,
      }
    : null;

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
    clock_skew_events: number | null;
    clock_ahead_ms: number | null;
    clock_skew_stored_ms: number | null;
    clock_skewed: number | null;
  }>(
    `SELECT ids.node AS node, COALESCE(n.location, h.location) AS location, COALESCE(n.region, h.region) AS region,
       n.last_event_at AS last_event_at,
       MAX(COALESCE(n.last_heard_ms, 0), COALESCE(h.last_heartbeat_ms, 0)) AS heard,
       h.pending AS pending, h.oldest_pending_age_ms AS oldest_pending_age_ms,
       n.clock_skew_events AS clock_skew_events, n.clock_ahead_ms AS clock_ahead_ms,
       n.clock_skew_stored_ms AS clock_skew_stored_ms, n.clock_skewed AS clock_skewed
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
        stale: isStale(age, staleAfterMs),
        clockSkew: clockSkewOf(r),
        flags: r.clock_skewed === 1 ? ['clock-skew'] : [],
      },
    ];
  });
};

/** Nodes whose events ever came with a clock ahead beyond the bound: how many, and whether still. */
export const nodeClockSkews = (db: SqlStore): { node: string; events: number; current: boolean }[] =>
  db
    .all<{ node: string; events: number; skewed: number }>(
      'SELECT node, clock_skew_events AS events, clock_skewed AS skewed FROM node_status WHERE clock_skew_events > 0 ORDER BY node',
    )
    .map((r) => ({ node: r.node, events: r.events, current: r.skewed === 1 }));
