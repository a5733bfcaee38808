import { cellKey, type InventoryEvent } from '@stocknerve/domain';
import type { SqlStore } from '../../store/sql-store.js';
import type { BatchContext, PendingWrites } from './batch-context.js';

/** On-hand deltas of one cell applied in this batch, written to its stock row once by `write`. */
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

/** The on-hand deltas of a batch, summed per cell (a busy SKU sells many times per batch). */
export class OnHandSums implements PendingWrites {
  private readonly db: SqlStore;
  /** Per cell (`cellKey`): on-hand deltas not yet written to its stock row. */
  private readonly pendingOnHand = new Map<string, PendingOnHand>();

  constructor(ctx: BatchContext) {
    this.db = ctx.db;
  }

  /** Adds a delta of the cell `key` (its `cellKey`). */
  add(key: string, event: InventoryEvent, sku: string, delta: number, streamSeq: number): void {
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
  }

  /** Writes a cell's pending on-hand deltas now: something is about to read or reset its row. */
  flushCell(location: string, sku: string): void {
    const key = cellKey(location, sku);
    const cell = this.pendingOnHand.get(key);
    if (!cell) return;
    this.write(cell);
    this.pendingOnHand.delete(key);
  }

  flush(): void {
    for (const cell of this.pendingOnHand.values()) this.write(cell);
    this.pendingOnHand.clear();
  }

  discard(): void {
    this.pendingOnHand.clear();
  }

  /**
   * Writes a cell's summed on-hand deltas. When the row exists and its count (if any) is older than
   * every line, all of them count and one UPDATE adds them up; otherwise each line is placed against
   * the count by its HLC (a delta older than the latest count is already inside the counted quantity).
   */
  private write(cell: PendingOnHand): void {
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
}
