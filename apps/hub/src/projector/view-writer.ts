import { cellKey, type EventOf, type InventoryEvent, type SkuLine } from '@stocknerve/domain';
import { inLedgerEpochs, ledgerEpochOf } from '../store/ledger-epochs.js';
import type { SqlStore } from '../store/sql-store.js';

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

/** Stock held by something: reserved or in transit at a cell, or reserved network-wide. */
interface Hold {
  readonly bucket: 'reserved' | 'in_transit' | 'network';
  readonly location: string | null;
  readonly sku: string;
  readonly qty: number;
  readonly channel: string | null;
}

const holdsOf = (lines: readonly SkuLine[], bucket: Hold['bucket'], location: string | null, channel: string | null) =>
  lines.map((l): Hold => ({ bucket, location, sku: l.sku, qty: l.qty, channel }));

interface ReservationRow {
  reservation_id: string;
  channel: string;
  location: string | null;
  status: string;
  lines: string;
}
interface PickupRow {
  pickup_id: string;
  channel: string | null;
  location: string | null;
  lines: string | null;
  status: string;
  picked: number;
}
interface TransferRow {
  transfer_id: string;
  to_location: string | null;
  shipped_lines: string | null;
  received_lines: string | null;
}

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
  /** An event of the node was applied in this batch (a node only looked up has nothing to write). */
  applied: boolean;
}
interface PendingDailySales {
  readonly day: string;
  readonly location: string;
  readonly sku: string;
  units: number;
  revenueCents: number;
}

/** On-hand deltas of one cell applied in this batch, written to its stock row once by `writeOnHand`. */
interface PendingOnHand {
  readonly location: string;
  readonly sku: string;
  sum: number;
  minHlc: string;
  maxHlc: string;
  lastStreamSeq: number;
  /** Each line, for the cells where a count stands between them (or the row is new). */
  readonly lines: { readonly hlc: string; readonly delta: number; readonly streamSeq: number }[];
}

export type ApplyOutcome = 'applied' | 'duplicate' | 'seq-conflict';

/**
 * The SQL twin of the domain's `applyEvent`: the same rules (deltas commute, counts placed by HLC,
 * holds derived from entity state), written as upserts so a batch is one transaction. Tests compare
 * it with the pure fold on random event streams.
 */
export class ViewWriter {
  private readonly pendingNodes = new Map<string, PendingNode>();
  private readonly pendingSales = new Map<string, PendingDailySales>();
  private readonly regions = new Map<string, string | undefined>();
  /** Per cell (`cellKey`): on-hand deltas not yet written to its stock row. */
  private readonly pendingOnHand = new Map<string, PendingOnHand>();
  /** HLC range of the ledger lines written per epoch since `ledger_epochs` was last written. */
  private readonly pendingEpochs = new Map<number, { min: string; max: string }>();

  constructor(private readonly db: SqlStore) {}

  /** Applies one validated event; duplicates (same id) change nothing. */
  apply(event: InventoryEvent, streamSeq: number, receivedMs: number, fx: BatchEffects): ApplyOutcome {
    // A node seq already applied is a re-sent event (its id is applied) or a node that numbered two
    // events alike (it is not). Nearly every event is its node's next seq and skips both lookups.
    if (this.seqApplied(event.node, event.location, event.seq)) {
      if (!this.db.get('SELECT 1 FROM applied_events WHERE event_id = ?', event.id)) return 'seq-conflict';
      fx.duplicates++;
      return 'duplicate';
    }
    // One statement on the hot path: the insert is the dedupe of an id under another node seq.
    const inserted = this.db.run(
      `INSERT INTO applied_events (event_id, node, seq, stream_seq, type, location, hlc, correlation_id, occurred_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING`,
      event.id,
      event.node,
      event.seq,
      streamSeq,
      event.type,
      event.location,
      event.hlc,
      event.correlationId,
      event.occurredAt,
    );
    if (inserted.changes === 0) {
      fx.duplicates++;
      return 'duplicate';
    }
    this.trackNode(event, streamSeq, receivedMs);
    fx.nodes.add(event.node);
    this.applyFacts(event, streamSeq, fx);
    fx.applied++;
    return 'applied';
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
   * memory for the batch and written once per node by `flushPending`: a batch of 2,000 events from
   * 60 terminals is 60 upserts instead of 2,000.
   */
  private trackNode(event: InventoryEvent, streamSeq: number, receivedMs: number): void {
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
  }

  private nodeState(node: string, location: string): PendingNode {
    let n = this.pendingNodes.get(node);
    if (n) return n;
    const row = this.db.get<NodeStatusRow>(
      `SELECT location, region, watermark, max_seq, events_applied, last_event_at, last_event_hlc, last_event_stream_seq,
         last_heard_ms FROM node_status WHERE node = ?`,
      node,
    );
    n = {
      node,
      location: row?.location ?? location,
      region: row ? row.region : (this.regionOf(location) ?? null),
      watermark: row?.watermark ?? 0,
      maxSeq: row?.max_seq ?? 0,
      eventsApplied: row?.events_applied ?? 0,
      lastEventAt: row?.last_event_at ?? null,
      lastEventHlc: row?.last_event_hlc ?? null,
      lastEventStreamSeq: row?.last_event_stream_seq ?? null,
      lastHeardMs: row?.last_heard_ms ?? null,
      applied: false,
    };
    this.pendingNodes.set(node, n);
    return n;
  }

  /** Region of a defined location (cached for the batch; a LocationDefined clears the cache). */
  regionOf(location: string): string | undefined {
    if (this.regions.has(location)) return this.regions.get(location);
    const region = this.db.get<{ region: string }>('SELECT region FROM locations WHERE location = ?', location)?.region;
    this.regions.set(location, region);
    return region;
  }

  /**
   * Writes what `apply` aggregated in memory (on-hand sums per cell, node status, daily sales, the
   * ledger epochs' HLC ranges). Call it before the batch's
   * transaction commits, and before anything reads those tables inside it.
   */
  flushPending(): void {
    for (const cell of this.pendingOnHand.values()) this.writeOnHand(cell);
    this.pendingOnHand.clear();
    for (const n of this.pendingNodes.values()) {
      if (!n.applied) continue;
      this.db.run(
        `INSERT INTO node_status (node, location, region, watermark, max_seq, events_applied, last_event_at, last_event_hlc,
           last_event_stream_seq, last_heard_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (node) DO UPDATE SET region = excluded.region, watermark = excluded.watermark,
           max_seq = excluded.max_seq, events_applied = excluded.events_applied, last_event_at = excluded.last_event_at,
           last_event_hlc = excluded.last_event_hlc, last_event_stream_seq = excluded.last_event_stream_seq,
           last_heard_ms = excluded.last_heard_ms`,
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
      );
    }
    this.pendingNodes.clear();
    for (const d of this.pendingSales.values())
      this.db.run(
        `INSERT INTO daily_sales (day, location, sku, units, revenue_cents) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (day, location, sku) DO UPDATE SET units = daily_sales.units + excluded.units,
           revenue_cents = daily_sales.revenue_cents + excluded.revenue_cents`,
        d.day,
        d.location,
        d.sku,
        d.units,
        d.revenueCents,
      );
    this.pendingSales.clear();
    this.flushEpochs();
    this.regions.clear();
  }

  /** Forgets what `apply` aggregated: the transaction it belonged to rolled back. */
  discardPending(): void {
    this.pendingNodes.clear();
    this.pendingSales.clear();
    this.pendingOnHand.clear();
    this.pendingEpochs.clear();
    this.regions.clear();
  }

  private addDailySales(day: string, location: string, sku: string, units: number, revenueCents: number): void {
    const key = `${day}\u0000${location}\u0000${sku}`;
    const d = this.pendingSales.get(key);
    if (d) {
      d.units += units;
      d.revenueCents += revenueCents;
    } else this.pendingSales.set(key, { day, location, sku, units, revenueCents });
  }

  /**
   * One line of the ledger. An event names a SKU once (its schema says so), so (cell, event, bucket)
   * is its key; were a SKU ever named twice, its deltas add up and its first count stands (as in the
   * stock row) instead of the whole batch failing.
   */
  private recordMovement(
    event: InventoryEvent,
    sku: string,
    bucket: 'on_hand' | 'damaged' | 'count',
    delta: number,
    countedQty: number | null,
    streamSeq: number,
  ): void {
    const epoch = ledgerEpochOf(streamSeq);
    this.db.run(
      `INSERT INTO movements (epoch, location, sku, hlc, stream_seq, bucket, delta, counted_qty) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (epoch, location, sku, hlc, stream_seq, bucket) DO UPDATE SET delta = movements.delta + excluded.delta,
         counted_qty = COALESCE(movements.counted_qty, excluded.counted_qty)`,
      epoch,
      event.location,
      sku,
      event.hlc,
      streamSeq,
      bucket,
      delta,
      countedQty,
    );
    const range = this.pendingEpochs.get(epoch);
    if (!range) this.pendingEpochs.set(epoch, { min: event.hlc, max: event.hlc });
    else if (event.hlc > range.max) range.max = event.hlc;
    else if (event.hlc < range.min) range.min = event.hlc;
  }

  /** Widens each written epoch's HLC range in `ledger_epochs` (once per batch, and before a count reads the ledger). */
  private flushEpochs(): void {
    for (const [epoch, range] of this.pendingEpochs)
      this.db.run(
        `INSERT INTO ledger_epochs (epoch, min_hlc, max_hlc) VALUES (?, ?, ?)
         ON CONFLICT (epoch) DO UPDATE SET
           min_hlc = CASE WHEN excluded.min_hlc < ledger_epochs.min_hlc THEN excluded.min_hlc ELSE ledger_epochs.min_hlc END,
           max_hlc = CASE WHEN excluded.max_hlc > ledger_epochs.max_hlc THEN excluded.max_hlc ELSE ledger_epochs.max_hlc END`,
        epoch,
        range.min,
        range.max,
      );
    this.pendingEpochs.clear();
  }

  private moveOnHand(event: InventoryEvent, sku: string, delta: number, streamSeq: number, fx: BatchEffects): void {
    if (delta === 0) return;
    this.recordMovement(event, sku, 'on_hand', delta, null, streamSeq);
    // Summed per cell over the batch (a busy SKU sells many times per batch), written by writeOnHand.
    // One key string for the sums and the batch's effects: its hash is computed once.
    const key = cellKey(event.location, sku);
    const cell = this.pendingOnHand.get(key);
    const line = { hlc: event.hlc, delta, streamSeq };
    if (!cell)
      this.pendingOnHand.set(key, {
        location: event.location,
        sku,
        sum: delta,
        minHlc: event.hlc,
        maxHlc: event.hlc,
        lastStreamSeq: streamSeq,
        lines: [line],
      });
    else {
      cell.sum += delta;
      if (event.hlc < cell.minHlc) cell.minHlc = event.hlc;
      if (event.hlc > cell.maxHlc) cell.maxHlc = event.hlc;
      cell.lastStreamSeq = streamSeq;
      cell.lines.push(line);
    }
    fx.cells.add(key);
    if (delta < 0) fx.shrunk.set(key, event.id);
  }

  /**
   * Writes a cell's summed on-hand deltas. When the row exists and its count (if any) is older than
   * every line, all of them count and one UPDATE adds them up; otherwise each line is placed against
   * the count by its HLC (a delta older than the latest count is already inside the counted quantity).
   */
  private writeOnHand(cell: PendingOnHand): void {
    const updated = this.db.run(
      `UPDATE stock SET delta_after_count = delta_after_count + ?, on_hand = on_hand + ?,
         last_hlc = CASE WHEN last_hlc IS NULL OR ? > last_hlc THEN ? ELSE last_hlc END,
         last_stream_seq = CASE WHEN ? > last_stream_seq THEN ? ELSE last_stream_seq END
       WHERE location = ? AND sku = ? AND (count_hlc IS NULL OR count_hlc < ?)`,
      cell.sum,
      cell.sum,
      cell.maxHlc,
      cell.maxHlc,
      cell.lastStreamSeq,
      cell.lastStreamSeq,
      cell.location,
      cell.sku,
      cell.minHlc,
    );
    if (updated.changes > 0) return;
    for (const line of cell.lines)
      this.db.run(
        `INSERT INTO stock (location, sku, on_hand, delta_after_count, last_hlc, last_stream_seq) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (location, sku) DO UPDATE SET
           delta_after_count = stock.delta_after_count + CASE WHEN stock.count_hlc IS NULL OR excluded.last_hlc > stock.count_hlc THEN excluded.delta_after_count ELSE 0 END,
           on_hand = stock.on_hand + CASE WHEN stock.count_hlc IS NULL OR excluded.last_hlc > stock.count_hlc THEN excluded.delta_after_count ELSE 0 END,
           last_hlc = CASE WHEN stock.last_hlc IS NULL OR excluded.last_hlc > stock.last_hlc THEN excluded.last_hlc ELSE stock.last_hlc END,
           last_stream_seq = CASE WHEN excluded.last_stream_seq > stock.last_stream_seq THEN excluded.last_stream_seq ELSE stock.last_stream_seq END`,
        cell.location,
        cell.sku,
        line.delta,
        line.delta,
        line.hlc,
        line.streamSeq,
      );
  }

  /** Writes a cell's pending on-hand deltas now: something is about to read or reset its row. */
  private flushOnHand(location: string, sku: string): void {
    const key = cellKey(location, sku);
    const cell = this.pendingOnHand.get(key);
    if (!cell) return;
    this.writeOnHand(cell);
    this.pendingOnHand.delete(key);
  }

  private addDamaged(event: InventoryEvent, sku: string, qty: number, streamSeq: number, fx: BatchEffects): void {
    this.recordMovement(event, sku, 'damaged', qty, null, streamSeq);
    this.db.run(
      `INSERT INTO stock (location, sku, damaged, last_stream_seq) VALUES (?, ?, ?, ?)
       ON CONFLICT (location, sku) DO UPDATE SET damaged = stock.damaged + excluded.damaged, last_stream_seq = excluded.last_stream_seq`,
      event.location,
      sku,
      qty,
      streamSeq,
    );
    fx.cells.add(cellKey(event.location, sku));
  }

  private applyCount(event: EventOf<'CycleCounted'>, streamSeq: number, fx: BatchEffects): void {
    for (const line of event.data.lines) {
      this.recordMovement(event, line.sku, 'count', 0, line.countedQty, streamSeq);
      this.flushOnHand(event.location, line.sku);
      const cell = this.db.get<{ count_hlc: string | null }>(
        'SELECT count_hlc FROM stock WHERE location = ? AND sku = ?',
        event.location,
        line.sku,
      );
      if (cell?.count_hlc && cell.count_hlc >= event.hlc) continue;
      this.flushEpochs();
      const { after } = this.db.get<{ after: number | null }>(
        `SELECT SUM(delta) AS after FROM movements
         WHERE ${inLedgerEpochs.after} AND location = ? AND sku = ? AND bucket = 'on_hand' AND hlc > ?`,
        event.hlc,
        event.location,
        line.sku,
        event.hlc,
      ) ?? { after: 0 };
      const deltaAfter = after ?? 0;
      this.db.run(
        `INSERT INTO stock (location, sku, on_hand, count_hlc, count_qty, delta_after_count, last_hlc, last_stream_seq)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (location, sku) DO UPDATE SET on_hand = excluded.on_hand, count_hlc = excluded.count_hlc,
           count_qty = excluded.count_qty, delta_after_count = excluded.delta_after_count,
           last_hlc = CASE WHEN stock.last_hlc IS NULL OR excluded.last_hlc > stock.last_hlc THEN excluded.last_hlc ELSE stock.last_hlc END,
           last_stream_seq = excluded.last_stream_seq`,
        event.location,
        line.sku,
        line.countedQty + deltaAfter,
        event.hlc,
        line.countedQty,
        deltaAfter,
        event.hlc,
        streamSeq,
      );
      const key = cellKey(event.location, line.sku);
      fx.cells.add(key);
      fx.shrunk.set(key, event.id);
    }
  }

  private addHolds(holds: readonly Hold[], sign: 1 | -1, fx: BatchEffects): void {
    for (const h of holds) {
      const qty = sign * h.qty;
      if (h.bucket === 'network') {
        this.db.run(
          `INSERT INTO network_reserved (sku, qty) VALUES (?, ?)
           ON CONFLICT (sku) DO UPDATE SET qty = network_reserved.qty + excluded.qty`,
          h.sku,
          qty,
        );
      } else {
        this.db.run(
          `INSERT INTO stock (location, sku, ${h.bucket}) VALUES (?, ?, ?)
           ON CONFLICT (location, sku) DO UPDATE SET ${h.bucket} = stock.${h.bucket} + excluded.${h.bucket}`,
          h.location,
          h.sku,
          qty,
        );
        fx.cells.add(`${h.location}/${h.sku}`);
      }
      if (h.channel !== null)
        this.db.run(
          `INSERT INTO channel_held (channel, sku, qty) VALUES (?, ?, ?)
           ON CONFLICT (channel, sku) DO UPDATE SET qty = channel_held.qty + excluded.qty`,
          h.channel,
          h.sku,
          qty,
        );
    }
  }

  private reservationHolds(id: string): Hold[] {
    const r = this.db.get<ReservationRow>('SELECT * FROM reservations WHERE reservation_id = ?', id);
    if (!r || (r.status !== 'placed' && r.status !== 'confirmed')) return [];
    return holdsOf(JSON.parse(r.lines), r.location === null ? 'network' : 'reserved', r.location, r.channel);
  }

  private pickupHolds(id: string): Hold[] {
    const p = this.db.get<PickupRow>('SELECT * FROM pickups WHERE pickup_id = ?', id);
    if (!p?.lines || (p.status !== 'placed' && p.status !== 'picked')) return [];
    return holdsOf(JSON.parse(p.lines), 'reserved', p.location, p.channel);
  }

  private transferHolds(id: string): Hold[] {
    const t = this.db.get<TransferRow>('SELECT * FROM transfers WHERE transfer_id = ?', id);
    if (!t?.shipped_lines || t.received_lines) return [];
    return holdsOf(JSON.parse(t.shipped_lines), 'in_transit', t.to_location, null);
  }

  /** Runs a change to a holder and moves what it holds from before to after. */
  private changingHolds(holdsOf: () => Hold[], change: () => void, fx: BatchEffects): void {
    this.addHolds(holdsOf(), -1, fx);
    change();
    this.addHolds(holdsOf(), 1, fx);
  }

  private ensurePickup(id: string, at: string): void {
    this.db.run(
      `INSERT INTO pickups (pickup_id, status, updated_at) VALUES (?, 'unknown', ?) ON CONFLICT (pickup_id) DO NOTHING`,
      id,
      at,
    );
  }

  /** Recomputes a pickup's status from its parts: completion wins, then picked, then placed. */
  private refreshPickupStatus(id: string, at: string): void {
    this.db.run(
      `UPDATE pickups SET updated_at = ?, status = CASE
         WHEN status IN ('handed-over', 'rejected') THEN status
         WHEN lines IS NULL THEN 'unknown'
         WHEN picked = 1 THEN 'picked' ELSE 'placed' END
       WHERE pickup_id = ?`,
      at,
      id,
    );
  }

  private completePickup(event: EventOf<'PickupHandedOver' | 'PickupRejected'>, fx: BatchEffects): void {
    const id = event.data.pickupId;
    this.ensurePickup(id, event.occurredAt);
    const status = event.type === 'PickupHandedOver' ? 'handed-over' : 'rejected';
    const reason = event.type === 'PickupRejected' ? event.data.reason : null;
    const note = event.type === 'PickupRejected' ? (event.data.note ?? null) : null;
    this.changingHolds(
      () => this.pickupHolds(id),
      () =>
        this.db.run(
          `UPDATE pickups SET status = ?, reject_reason = ?, reject_note = ?, updated_at = ?
           WHERE pickup_id = ? AND status NOT IN ('handed-over', 'rejected')`,
          status,
          reason,
          note,
          event.occurredAt,
          id,
        ),
      fx,
    );
    fx.pickups.add(id);
  }

  private applyFacts(event: InventoryEvent, streamSeq: number, fx: BatchEffects): void {
    switch (event.type) {
      case 'SaleRecorded': {
        const day = event.occurredAt.slice(0, 10);
        for (const l of event.data.lines) {
          this.moveOnHand(event, l.sku, -l.qty, streamSeq, fx);
          this.addDailySales(day, event.location, l.sku, l.qty, l.qty * l.unitPriceCents);
        }
        return;
      }
      case 'ReturnRecorded':
        for (const l of event.data.lines) {
          if (l.restockTo === 'sellable') this.moveOnHand(event, l.sku, l.qty, streamSeq, fx);
          else this.addDamaged(event, l.sku, l.qty, streamSeq, fx);
        }
        return;
      case 'GoodsReceived':
        for (const l of event.data.lines) this.moveOnHand(event, l.sku, l.qty, streamSeq, fx);
        return;
      case 'TransferShipped': {
        const id = event.data.transferId;
        for (const l of event.data.lines) this.moveOnHand(event, l.sku, -l.qty, streamSeq, fx);
        this.changingHolds(
          () => this.transferHolds(id),
          () =>
            this.db.run(
              `INSERT INTO transfers (transfer_id, from_location, to_location, shipped_lines, shipped_at) VALUES (?, ?, ?, ?, ?)
               ON CONFLICT (transfer_id) DO UPDATE SET from_location = excluded.from_location, to_location = excluded.to_location,
                 shipped_lines = excluded.shipped_lines, shipped_at = excluded.shipped_at
               WHERE transfers.shipped_lines IS NULL`,
              id,
              event.location,
              event.data.to,
              JSON.stringify(event.data.lines),
              event.occurredAt,
            ),
          fx,
        );
        return;
      }
      case 'TransferReceived': {
        const id = event.data.transferId;
        for (const l of event.data.lines) this.moveOnHand(event, l.sku, l.qty, streamSeq, fx);
        this.changingHolds(
          () => this.transferHolds(id),
          () =>
            this.db.run(
              `INSERT INTO transfers (transfer_id, from_location, to_location, received_lines, received_at) VALUES (?, ?, ?, ?, ?)
               ON CONFLICT (transfer_id) DO UPDATE SET received_lines = excluded.received_lines, received_at = excluded.received_at
               WHERE transfers.received_lines IS NULL`,
              id,
              event.data.from,
              event.location,
              JSON.stringify(event.data.lines),
              event.occurredAt,
            ),
          fx,
        );
        return;
      }
      case 'StockAdjusted':
        for (const l of event.data.lines) {
          this.moveOnHand(event, l.sku, l.delta, streamSeq, fx);
          if (event.data.reason === 'damage') this.addDamaged(event, l.sku, -l.delta, streamSeq, fx);
        }
        return;
      case 'CycleCounted':
        this.applyCount(event, streamSeq, fx);
        return;
      case 'PickupPicked':
        this.ensurePickup(event.data.pickupId, event.occurredAt);
        this.db.run('UPDATE pickups SET picked = 1 WHERE pickup_id = ?', event.data.pickupId);
        this.refreshPickupStatus(event.data.pickupId, event.occurredAt);
        fx.pickups.add(event.data.pickupId);
        return;
      case 'PickupHandedOver':
        for (const l of event.data.lines) this.moveOnHand(event, l.sku, -l.qty, streamSeq, fx);
        this.completePickup(event, fx);
        return;
      case 'PickupRejected':
        this.completePickup(event, fx);
        fx.rejectedPickups.push(event);
        return;
      case 'PickupOrderPlaced': {
        const d = event.data;
        this.ensurePickup(d.pickupId, event.occurredAt);
        this.changingHolds(
          () => this.pickupHolds(d.pickupId),
          () => {
            this.db.run(
              `UPDATE pickups SET channel = ?, location = ?, order_ref = ?, customer_name = ?, lines = ?, placed_at = ?
               WHERE pickup_id = ? AND lines IS NULL`,
              d.channel,
              d.location,
              d.orderRef,
              d.customerName ?? null,
              JSON.stringify(d.lines),
              event.occurredAt,
              d.pickupId,
            );
            this.refreshPickupStatus(d.pickupId, event.occurredAt);
          },
          fx,
        );
        fx.pickups.add(d.pickupId);
        return;
      }
      case 'ReservationPlaced': {
        const d = event.data;
        this.changingHolds(
          () => this.reservationHolds(d.reservationId),
          () => {
            const inserted = this.db.run(
              `INSERT INTO reservations (reservation_id, channel, location, status, expires_at, idempotency_key, lines,
                 placed_at, updated_at, placed_event_id, correlation_id)
               VALUES (?, ?, ?, 'placed', ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
              d.reservationId,
              d.channel,
              d.location,
              d.expiresAt,
              d.idempotencyKey,
              JSON.stringify(d.lines),
              event.occurredAt,
              event.occurredAt,
              event.id,
              event.correlationId,
            );
            if (inserted.changes === 0) return;
            for (const l of d.lines)
              this.db.run(
                'INSERT INTO reservation_lines (reservation_id, location, sku, qty) VALUES (?, ?, ?, ?)',
                d.reservationId,
                d.location,
                l.sku,
                l.qty,
              );
          },
          fx,
        );
        fx.reservations.add(d.reservationId);
        return;
      }
      case 'ReservationConfirmed':
      case 'ReservationReleased':
      case 'ReservationExpired': {
        const id = event.data.reservationId;
        const next =
          event.type === 'ReservationConfirmed'
            ? 'confirmed'
            : event.type === 'ReservationReleased'
              ? 'released'
              : 'expired';
        // Only an unconfirmed hold can expire; a confirmed one is not taken back by the clock.
        const from = next === 'expired' ? "('placed')" : "('placed', 'confirmed')";
        this.changingHolds(
          () => this.reservationHolds(id),
          () =>
            this.db.run(
              `UPDATE reservations SET status = ?, updated_at = ? WHERE reservation_id = ? AND status IN ${from}`,
              next,
              event.occurredAt,
              id,
            ),
          fx,
        );
        fx.reservations.add(id);
        return;
      }
      case 'LocationDefined': {
        const d = event.data;
        this.db.run(
          `INSERT INTO locations (location, region, kind, name, lat, lon) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (location) DO UPDATE SET region = excluded.region, kind = excluded.kind, name = excluded.name,
             lat = excluded.lat, lon = excluded.lon`,
          d.location,
          d.region,
          d.kind,
          d.name,
          d.geo?.lat ?? null,
          d.geo?.lon ?? null,
        );
        // Nodes aggregated so far in this batch are written first, so that the update reaches them.
        this.flushPending();
        this.db.run('UPDATE node_status SET region = ? WHERE location = ?', d.region, d.location);
        fx.locations.add(d.location);
        return;
      }
      case 'CatalogItemUpserted': {
        const d = event.data;
        this.db.run(
          `INSERT INTO catalog (sku, name, barcode, price_cents, currency, category) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (sku) DO UPDATE SET name = excluded.name, barcode = excluded.barcode, price_cents = excluded.price_cents,
             currency = excluded.currency, category = excluded.category`,
          d.sku,
          d.name,
          d.barcode ?? null,
          d.priceCents,
          d.currency,
          d.category ?? null,
        );
        fx.catalog.add(d.sku);
        return;
      }
      case 'SafetyStockSet':
        this.db.run(
          `INSERT INTO stock (location, sku, safety_stock) VALUES (?, ?, ?)
           ON CONFLICT (location, sku) DO UPDATE SET safety_stock = excluded.safety_stock`,
          event.data.location,
          event.data.sku,
          event.data.qty,
        );
        fx.cells.add(cellKey(event.data.location, event.data.sku));
        return;
      case 'ChannelAllocationSet':
        this.db.run(
          `INSERT INTO allocations (channel, sku, rule) VALUES (?, ?, ?)
           ON CONFLICT (channel, sku) DO UPDATE SET rule = excluded.rule`,
          event.data.channel,
          event.data.sku ?? '*',
          JSON.stringify(event.data.rule),
        );
        return;
      case 'IncidentRecorded': {
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
        return;
      }
      default: {
        const unknown: never = event;
        throw new Error(`ViewWriter: unhandled event ${JSON.stringify(unknown)}`);
      }
    }
  }

  /** Counts a dead letter by reason (part of the views: a rebuild recounts them). */
  countDeadLetter(reason: string): void {
    this.db.run(
      `INSERT INTO dead_letters (reason, count) VALUES (?, 1)
       ON CONFLICT (reason) DO UPDATE SET count = dead_letters.count + 1`,
      reason,
    );
  }

  /** Records the last applied stream sequence: written in the same transaction as the batch. */
  setCheckpoint(streamSeq: number, schemaVersion: number): void {
    this.db.run(
      `INSERT INTO checkpoint (name, stream_seq, schema_version) VALUES ('projector', ?, ?)
       ON CONFLICT (name) DO UPDATE SET stream_seq = excluded.stream_seq, schema_version = excluded.schema_version`,
      streamSeq,
      schemaVersion,
    );
  }

  checkpoint(): number {
    return (
      this.db.get<{ stream_seq: number }>("SELECT stream_seq FROM checkpoint WHERE name = 'projector'")?.stream_seq ?? 0
    );
  }
}
