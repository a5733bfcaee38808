import type { InventoryEvent } from '@stocknerve/domain';
import { ledgerEpochOf } from '../../store/ledger-epochs.js';
import type { SqlStore } from '../../store/sql-store.js';
import type { BatchContext, PendingWrites } from './batch-context.js';

/** The movements ledger, and the HLC range of each of its epochs (`ledger_epochs`). */
export class Ledger implements PendingWrites {
  private readonly db: SqlStore;
  /** HLC range of the ledger lines written per epoch since `ledger_epochs` was last written. */
  private readonly pendingEpochs = new Map<number, { min: string; max: string }>();

  constructor(ctx: BatchContext) {
    this.db = ctx.db;
  }

  /**
   * One line of the ledger. An event names a SKU once (its schema says so), so (cell, event, bucket)
   * is its key; were a SKU ever named twice, its deltas add up and its first count stands (as in the
   * stock row) instead of the whole batch failing.
   */
  record(
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
  flush(): void {
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

  discard(): void {
    this.pendingEpochs.clear();
  }
}
