import { type ClockVerdict, type EventOf, IN_TIME, type InventoryEvent } from '@stocknerve/domain';
import type { SqlStore } from '../../store/sql-store.js';
import type { ApplyOutcome, BatchContext, PendingWrites } from './batch-context.js';

interface NodeStatusRow {
  location: string;
  region: string | null;
  watermark: number;
  max_seq: number;
  events_applied: number;
  last_event_at: string | null;
  last_event_hlc: string | null;
  last_event_stream_seq: number | null;
  last_heard_ms: number | null;
  clock_skew_events: number;
  clock_ahead_ms: number | null;
  clock_skew_stored_ms: number | null;
  clock_skewed: number;
}
interface PendingNode {
  readonly node: string;
  readonly location: string;
  readonly region: string | null;
  watermark: number;
  maxSeq: number;
  eventsApplied: number;
  lastEventAt: string | null;
  lastEventHlc: string | null;
  lastEventStreamSeq: number | null;
  lastHeardMs: number | null;
  /** Events whose clock was ahead of their store time beyond the bound (placed or held). */
  clockSkewEvents: number;
  /** How far ahead the latest of them was, ms, and when the stream stored it. */
  clockAheadMs: number | null;
  clockSkewStoredMs: number | null;
  /** Whether the node's latest event in stream order was one of them: its clock is wrong now. */
  clockSkewed: boolean;
  /** An event of the node was applied in this batch (a node only looked up has nothing to write). */
  applied: boolean;
}

/** Which events were applied (by id, and per node by seq) and each node's status row. */
export class NodeStatusWriter implements PendingWrites {
  private readonly db: SqlStore;
  private readonly pendingNodes = new Map<string, PendingNode>();

  constructor(private readonly ctx: BatchContext) {
    this.db = ctx.db;
  }

  /**
   * Marks the event applied and counts it for its node, unless it was applied before (a duplicate)
   * or its node used its seq for another event (a seq conflict).
   */
  admit(
    event: InventoryEvent,
    streamSeq: number,
    receivedMs: number,
    verdict: ClockVerdict = IN_TIME,
    indexInMessage = 0,
  ): ApplyOutcome {
    // A node seq already applied is a re-sent event (its id is applied) or a node that numbered two
    // events alike (it is not). Nearly every event is its node's next seq and skips both lookups.
    if (this.seqApplied(event.node, event.location, event.seq))
      return this.db.get('SELECT 1 FROM applied_events WHERE event_id = ?', event.id) ? 'duplicate' : 'seq-conflict';
    // One statement on the hot path: the insert is the dedupe of an id under another node seq.
    const inserted = this.db.run(
      `INSERT INTO applied_events (event_id, node, seq, stream_seq, idx, type, location, hlc, correlation_id, occurred_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING`,
      event.id,
      event.node,
      event.seq,
      streamSeq,
      indexInMessage,
      event.type,
      event.location,
      event.hlc,
      event.correlationId,
      event.occurredAt,
    );
    if (inserted.changes === 0) return 'duplicate';
    this.trackNode(event, streamSeq, receivedMs, verdict);
    this.ctx.fx.nodes.add(event.node);
    return 'applied';
  }

  /** A location's region changed: its nodes' rows take it. */
  locationDefined(event: EventOf<'LocationDefined'>): void {
    // Nodes aggregated so far in this batch are written first, so that the update reaches them.
    this.ctx.flushPending();
    this.db.run('UPDATE node_status SET region = ? WHERE location = ?', event.data.region, event.data.location);
  }

  flush(): void {
    for (const n of this.pendingNodes.values()) {
      if (!n.applied) continue;
      this.db.run(
        `INSERT INTO node_status (node, location, region, watermark, max_seq, events_applied, last_event_at, last_event_hlc,
           last_event_stream_seq, last_heard_ms, clock_skew_events, clock_ahead_ms, clock_skew_stored_ms, clock_skewed)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (node) DO UPDATE SET region = excluded.region, watermark = excluded.watermark,
           max_seq = excluded.max_seq, events_applied = excluded.events_applied, last_event_at = excluded.last_event_at,
           last_event_hlc = excluded.last_event_hlc, last_event_stream_seq = excluded.last_event_stream_seq,
           last_heard_ms = excluded.last_heard_ms, clock_skew_events = excluded.clock_skew_events,
           clock_ahead_ms = excluded.clock_ahead_ms, clock_skew_stored_ms = excluded.clock_skew_stored_ms,
           clock_skewed = excluded.clock_skewed`,
        n.node,
        n.location,
        n.region,
        n.watermark,
        n.maxSeq,
        n.eventsApplied,
        n.lastEventAt,
        n.lastEventHlc,
        n.lastEventStreamSeq,
        n.lastHeardMs,
        n.clockSkewEvents,
        n.clockAheadMs,
        n.clockSkewStoredMs,
        n.clockSkewed ? 1 : 0,
      );
    }
    this.pendingNodes.clear();
  }

  discard(): void {
    this.pendingNodes.clear();
  }

  /** The node's event applied last by seq (its id and seq), if any. */
  lastEventOf(node: string, location: string): { id: string; seq: number } | undefined {
    const n = this.nodeState(node, location);
    if (n.maxSeq === 0 || n.lastEventStreamSeq === null) return undefined;
    const row = this.db.get<{ event_id: string }>(
      'SELECT event_id FROM applied_events WHERE stream_seq = ? AND node = ? AND seq = ?',
      n.lastEventStreamSeq,
      node,
      n.maxSeq,
    );
    return row ? { id: row.event_id, seq: n.maxSeq } : undefined;
  }

  /** Whether the node's `seq` was applied before: at or under its watermark, or above it in a gap. */
  private seqApplied(node: string, location: string, seq: number): boolean {
    const n = this.nodeState(node, location);
    if (seq <= n.watermark) return true;
    if (seq === n.watermark + 1 || seq > n.maxSeq) return false;
    return this.db.get('SELECT 1 FROM node_seq_above WHERE node = ? AND seq = ?', node, seq) !== undefined;
  }

  /**
   * Per node: contiguous watermark, the seqs applied above it (gaps are what is missing). Kept in
   * memory for the batch and written once per node by `flush`: a batch of 2,000 events from
   * 60 terminals is 60 upserts instead of 2,000.
   */
  private trackNode(event: InventoryEvent, streamSeq: number, receivedMs: number, verdict: ClockVerdict): void {
    const n = this.nodeState(event.node, event.location);
    n.applied = true;
    const seq = event.seq;
    if (seq === n.watermark + 1) {
      n.watermark = seq;
      // This seq closes a gap: the watermark moves over every seq already applied above it.
      if (n.maxSeq > seq)
        while (
          this.db.run('DELETE FROM node_seq_above WHERE node = ? AND seq = ?', n.node, n.watermark + 1).changes > 0
        )
          n.watermark++;
    } else if (seq > n.watermark + 1)
      this.db.run('INSERT INTO node_seq_above (node, seq) VALUES (?, ?) ON CONFLICT DO NOTHING', n.node, seq);
    if (seq > n.maxSeq) n.maxSeq = seq;
    n.eventsApplied++;
    if (n.lastEventHlc === null || event.hlc > n.lastEventHlc) {
      n.lastEventHlc = event.hlc;
      n.lastEventAt = event.occurredAt;
    }
    n.lastEventStreamSeq = streamSeq;
    if (n.lastHeardMs === null || receivedMs > n.lastHeardMs) n.lastHeardMs = receivedMs;
    n.clockSkewed = verdict.kind !== 'in-time';
    if (verdict.kind !== 'in-time') {
      n.clockSkewEvents++;
      n.clockAheadMs = verdict.aheadMs;
      n.clockSkewStoredMs = receivedMs;
    }
  }

  private nodeState(node: string, location: string): PendingNode {
    let n = this.pendingNodes.get(node);
    if (n) return n;
    const row = this.db.get<NodeStatusRow>(
      `SELECT location, region, watermark, max_seq, events_applied, last_event_at, last_event_hlc, last_event_stream_seq,
         last_heard_ms, clock_skew_events, clock_ahead_ms, clock_skew_stored_ms, clock_skewed FROM node_status WHERE node = ?`,
      node,
    );
    n = {
      node,
      location: row?.location ?? location,
      region: row ? row.region : (this.ctx.regionOf(location) ?? null),
      watermark: row?.watermark ?? 0,
      maxSeq: row?.max_seq ?? 0,
      eventsApplied: row?.events_applied ?? 0,
      lastEventAt: row?.last_event_at ?? null,
      lastEventHlc: row?.last_event_hlc ?? null,
      lastEventStreamSeq: row?.last_event_stream_seq ?? null,
      lastHeardMs: row?.last_heard_ms ?? null,
      clockSkewEvents: row?.clock_skew_events ?? 0,
      clockAheadMs: row?.clock_ahead_ms ?? null,
      clockSkewStoredMs: row?.clock_skew_stored_ms ?? null,
      clockSkewed: row?.clock_skewed === 1,
      applied: false,
    };
    this.pendingNodes.set(node, n);
    return n;
  }
}
