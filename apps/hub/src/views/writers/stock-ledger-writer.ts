import { cellKey, type EventOf, type InventoryEvent } from '@stocknerve/domain';
import { inLedgerEpochs } from '../../store/ledger-epochs.js';
import type { SqlStore } from '../../store/sql-store.js';
import type { BatchContext } from './batch-context.js';
import type { DailySales } from './daily-sales.js';
import type { Ledger } from './ledger.js';
import type { OnHandSums } from './on-hand-sums.js';

/**
 * Stock at the cells and its ledger: on-hand deltas commute (summed per cell over the batch),
 * counts are placed by HLC against the ledger, damaged units add up; sales also add to daily sales.
 */
export class StockLedgerWriter {
  private readonly db: SqlStore;

  constructor(
    private readonly ctx: BatchContext,
    private readonly ledger: Ledger,
    private readonly onHand: OnHandSums,
    private readonly sales: DailySales,
  ) {
    this.db = ctx.db;
  }

  saleRecorded(event: EventOf<'SaleRecorded'>, streamSeq: number): void {
    const day = event.occurredAt.slice(0, 10);
    for (const l of event.data.lines) {
      this.moveOnHand(event, l.sku, -l.qty, streamSeq);
      this.sales.add(day, event.location, l.sku, l.qty, l.qty * l.unitPriceCents);
    }
  }

  returnRecorded(event: EventOf<'ReturnRecorded'>, streamSeq: number): void {
    for (const l of event.data.lines) {
      if (l.restockTo === 'sellable') this.moveOnHand(event, l.sku, l.qty, streamSeq);
      else this.addDamaged(event, l.sku, l.qty, streamSeq);
    }
  }

  /** The event's lines arrive at its location. */
  linesIn(event: EventOf<'GoodsReceived' | 'TransferReceived'>, streamSeq: number): void {
    for (const l of event.data.lines) this.moveOnHand(event, l.sku, l.qty, streamSeq);
  }

  /** The event's lines leave its location. */
  linesOut(event: EventOf<'TransferShipped' | 'PickupHandedOver'>, streamSeq: number): void {
    for (const l of event.data.lines) this.moveOnHand(event, l.sku, -l.qty, streamSeq);
  }

  stockAdjusted(event: EventOf<'StockAdjusted'>, streamSeq: number): void {
    for (const l of event.data.lines) {
      this.moveOnHand(event, l.sku, l.delta, streamSeq);
      if (event.data.reason === 'damage') this.addDamaged(event, l.sku, -l.delta, streamSeq);
    }
  }

  cycleCounted(event: EventOf<'CycleCounted'>, streamSeq: number): void {
    const fx = this.ctx.fx;
    for (const line of event.data.lines) {
      this.ledger.record(event, line.sku, 'count', 0, line.countedQty, streamSeq);
      this.onHand.flushCell(event.location, line.sku);
      const cell = this.db.get<{ count_hlc: string | null }>(
        'SELECT count_hlc FROM stock WHERE location = ? AND sku = ?',
        event.location,
        line.sku,
      );
      if (cell?.count_hlc && cell.count_hlc >= event.hlc) continue;
      this.ledger.flush();
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

  private moveOnHand(event: InventoryEvent, sku: string, delta: number, streamSeq: number): void {
    if (delta === 0) return;
    this.ledger.record(event, sku, 'on_hand', delta, null, streamSeq);
    // Summed per cell over the batch (a busy SKU sells many times per batch), written by OnHandSums.
    // One key string for the sums and the batch's effects: its hash is computed once.
    const key = cellKey(event.location, sku);
    this.onHand.add(key, event, sku, delta, streamSeq);
    const fx = this.ctx.fx;
    fx.cells.add(key);
    if (delta < 0) fx.shrunk.set(key, event.id);
  }

  private addDamaged(event: InventoryEvent, sku: string, qty: number, streamSeq: number): void {
    this.ledger.record(event, sku, 'damaged', qty, null, streamSeq);
    this.db.run(
      `INSERT INTO stock (location, sku, damaged, last_stream_seq) VALUES (?, ?, ?, ?)
       ON CONFLICT (location, sku) DO UPDATE SET damaged = stock.damaged + excluded.damaged, last_stream_seq = excluded.last_stream_seq`,
      event.location,
      sku,
      qty,
      streamSeq,
    );
    this.ctx.fx.cells.add(cellKey(event.location, sku));
  }
}
