import {
  type ClockVerdict,
  continuesHubChain,
  IN_TIME,
  type InventoryEvent,
  type MessageEvents,
} from '@stocknerve/domain';
import type { SqlStore } from '../store/sql-store.js';
import { type ApplyOutcome, BatchContext, type BatchEffects } from '../views/writers/batch-context.js';
import { DailySales } from '../views/writers/daily-sales.js';
import { HeldStock } from '../views/writers/held-stock.js';
import { HoldsWriter } from '../views/writers/holds-writer.js';
import { IncidentsWriter } from '../views/writers/incidents-writer.js';
import { Ledger } from '../views/writers/ledger.js';
import { MasterDataWriter } from '../views/writers/master-data-writer.js';
import { NodeStatusWriter } from '../views/writers/node-status-writer.js';
import { OnHandSums } from '../views/writers/on-hand-sums.js';
import { StockLedgerWriter } from '../views/writers/stock-ledger-writer.js';

export { type ApplyOutcome, type BatchEffects, emptyEffects } from '../views/writers/batch-context.js';

/**
 * The SQL twin of the domain's `applyEvent`: the same rules (deltas commute, counts placed by HLC,
 * holds derived from entity state), written as upserts so a batch is one transaction. Tests compare
 * it with the pure fold on random event streams. Each read model has a writer of its own
 * (views/writers); this routes each event to the ones it changes.
 */
export class ViewWriter {
  private readonly ctx: BatchContext;
  private readonly nodeStatus: NodeStatusWriter;
  private readonly stock: StockLedgerWriter;
  private readonly holds: HoldsWriter;
  private readonly masterData: MasterDataWriter;
  private readonly incidents: IncidentsWriter;

  constructor(private readonly db: SqlStore) {
    const ctx = new BatchContext(db);
    const ledger = new Ledger(ctx);
    const onHand = new OnHandSums(ctx);
    const sales = new DailySales(ctx);
    this.ctx = ctx;
    this.nodeStatus = new NodeStatusWriter(ctx);
    this.stock = new StockLedgerWriter(ctx, ledger, onHand, sales);
    this.holds = new HoldsWriter(ctx, new HeldStock(ctx));
    this.masterData = new MasterDataWriter(ctx);
    this.incidents = new IncidentsWriter(ctx);
    // The tables are independent: this is the order their rows were always written in.
    ctx.setPending(onHand, this.nodeStatus, sales, ledger);
  }

  /**
   * Applies one validated event; duplicates (same id) change nothing. `verdict` is the clock rule's
   * (domain `clockVerdictOf`) and `event` as that verdict places it (`placedEvent`): a held event is
   * admitted, not applied; a placed one moves stock, and is its node's last event, at its store time.
   * `indexInMessage` is its place among the events of one stream message (a hub group), else 0.
   */
  apply(
    event: InventoryEvent,
    streamSeq: number,
    receivedMs: number,
    fx: BatchEffects,
    verdict: ClockVerdict = IN_TIME,
    indexInMessage = 0,
  ): ApplyOutcome {
    this.ctx.fx = fx;
    const outcome = this.nodeStatus.admit(event, streamSeq, receivedMs, verdict, indexInMessage);
    if (outcome !== 'applied') {
      if (outcome === 'duplicate') fx.duplicates++;
      return outcome;
    }
    if (verdict.kind === 'held') return 'held';
    this.applyFacts(event, streamSeq);
    fx.applied++;
    return outcome;
  }

  /**
   * What becomes of a hub message (`continuesHubChain`): `next` when it continues the hub's chain
   * of messages, `duplicate` when its first event was applied before, else `fenced` (a deposed
   * leader's late message, or one decided on top of it): nothing of it is applied.
   */
  hubMessageOutcome(message: MessageEvents): 'next' | 'duplicate' | 'fenced' {
    const first = message.events[0];
    if (!first) return 'fenced';
    if (this.db.get('SELECT 1 FROM applied_events WHERE event_id = ?', first.id)) return 'duplicate';
    return continuesHubChain(message, this.nodeStatus.lastEventOf(first.node, first.location)) ? 'next' : 'fenced';
  }

  /** Region of a defined location (cached for the batch; a LocationDefined clears the cache). */
  regionOf(location: string): string | undefined {
    return this.ctx.regionOf(location);
  }

  /**
   * Writes what `apply` aggregated in memory (on-hand sums per cell, node status, daily sales, the
   * ledger epochs' HLC ranges). Call it before the batch's transaction commits, and before anything
   * reads those tables inside it.
   */
  flushPending(): void {
    this.ctx.flushPending();
  }

  /** Forgets what `apply` aggregated: the transaction it belonged to rolled back. */
  discardPending(): void {
    this.ctx.discardPending();
  }

  private applyFacts(event: InventoryEvent, streamSeq: number): void {
    switch (event.type) {
      case 'SaleRecorded':
        this.stock.saleRecorded(event, streamSeq);
        return;
      case 'ReturnRecorded':
        this.stock.returnRecorded(event, streamSeq);
        return;
      case 'GoodsReceived':
        this.stock.linesIn(event, streamSeq);
        return;
      case 'TransferShipped':
        this.stock.linesOut(event, streamSeq);
        this.holds.transferShipped(event);
        return;
      case 'TransferReceived':
        this.stock.linesIn(event, streamSeq);
        this.holds.transferReceived(event);
        return;
      case 'StockAdjusted':
        this.stock.stockAdjusted(event, streamSeq);
        return;
      case 'CycleCounted':
        this.stock.cycleCounted(event, streamSeq);
        return;
      case 'PickupPicked':
        this.holds.pickupPicked(event);
        return;
      case 'PickupHandedOver':
        this.stock.linesOut(event, streamSeq);
        this.holds.pickupHandedOver(event);
        return;
      case 'PickupRejected':
        this.holds.pickupRejected(event);
        return;
      case 'PickupOrderPlaced':
        this.holds.pickupOrderPlaced(event);
        return;
      case 'ReservationPlaced':
        this.holds.reservationPlaced(event);
        return;
      case 'ReservationConfirmed':
      case 'ReservationReleased':
      case 'ReservationExpired':
        this.holds.reservationSettled(event);
        return;
      case 'LocationDefined':
        this.masterData.locationDefined(event);
        this.nodeStatus.locationDefined(event);
        return;
      case 'CatalogItemUpserted':
        this.masterData.catalogItemUpserted(event);
        return;
      case 'SafetyStockSet':
        this.masterData.safetyStockSet(event);
        return;
      case 'ChannelAllocationSet':
        this.masterData.channelAllocationSet(event);
        return;
      case 'IncidentRecorded':
        this.incidents.incidentRecorded(event, streamSeq);
        return;
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
