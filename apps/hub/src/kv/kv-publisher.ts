import {
  type CatalogValue,
  type KvBucket,
  kvKeys,
  type LocationValue,
  type PickupValue,
  type ReservationValue,
  type StockValue,
  type WatermarkValue,
} from '@stocknerve/protocol';
import type { Logger } from '../logger.js';
import type { BatchEffects } from '../projector/view-writer.js';
import type { SqlStore } from '../store/sql-store.js';
import { nodeWatermark } from '../views/node-status.js';
import { type PickupRow, pickupStateOf, sqlInventoryView } from '../views/sql-inventory-view.js';
import type { KvPut, KvSink } from './kv-sink.js';

type Kind = 'cells' | 'pickups' | 'reservations' | 'catalog' | 'locations' | 'nodes';
/** A KV put and what to mark dirty again if it fails. */
type Put = [KvBucket, string, unknown, Kind, string];

/**
 * Publishes the projections store nodes pull, in KV. Changes are coalesced per key between flushes
 * (only the latest value of a hot SKU is sent), so KV traffic stays bounded under heavy ingest and
 * never slows the projector. Keys and values are documented in docs/wire-protocol.md.
 */
export class KvPublisher {
  private dirty: Record<Kind, Set<string>> = {
    cells: new Set(),
    pickups: new Set(),
    reservations: new Set(),
    catalog: new Set(),
    locations: new Set(),
    nodes: new Set(),
  };
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<number> | undefined;
  private running = false;

  constructor(
    private readonly db: SqlStore,
    private readonly sink: KvSink,
    private readonly log: Logger,
    private readonly flushMs: number,
    /** Average put rate the flushes are paced to (a backlog is coalesced instead). */
    private readonly maxPutsPerSecond = Number.POSITIVE_INFINITY,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(this.flushMs);
  }

  /** Next flush after `flushMs`, or later if the last flush's puts need longer at the paced rate. */
  private schedule(delayMs: number): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      const started = Date.now();
      void this.flush()
        .catch((err: unknown) => {
          this.log.warn({ err }, 'kv flush failed; will retry');
          return 0;
        })
        .then((puts) => {
          const paced = (puts / this.maxPutsPerSecond) * 1000 - (Date.now() - started);
          this.schedule(Math.max(this.flushMs, paced));
        });
    }, delayMs);
  }

  /** Marks everything as dirty: on start, so that a crash between commit and publish heals. */
  markAll(): void {
    for (const r of this.db.all<{ location: string; sku: string }>('SELECT location, sku FROM stock'))
      this.dirty.cells.add(`${r.location}/${r.sku}`);
    for (const r of this.db.all<{ pickup_id: string }>('SELECT pickup_id FROM pickups'))
      this.dirty.pickups.add(r.pickup_id);
    for (const r of this.db.all<{ reservation_id: string }>('SELECT reservation_id FROM reservations'))
      this.dirty.reservations.add(r.reservation_id);
    for (const r of this.db.all<{ sku: string }>('SELECT sku FROM catalog')) this.dirty.catalog.add(r.sku);
    for (const r of this.db.all<{ location: string }>('SELECT location FROM locations'))
      this.dirty.locations.add(r.location);
    for (const r of this.db.all<{ node: string }>('SELECT node FROM node_status')) this.dirty.nodes.add(r.node);
  }

  /** Records what a batch changed. */
  note(fx: BatchEffects): void {
    for (const k of fx.cells) this.dirty.cells.add(k);
    for (const k of fx.pickups) this.dirty.pickups.add(k);
    for (const k of fx.reservations) this.dirty.reservations.add(k);
    for (const k of fx.catalog) this.dirty.catalog.add(k);
    for (const k of fx.locations) this.dirty.locations.add(k);
    for (const k of fx.nodes) this.dirty.nodes.add(k);
  }

  /** Publishes what is dirty now; concurrent calls share one flush. Resolves to the puts sent. */
  flush(): Promise<number> {
    this.flushing ??= this.publishDirty().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  /**
   * Stops publishing and forgets what was dirty (this instance stopped leading: the next leader
   * publishes everything again when it starts). `start` resumes.
   */
  pause(): void {
    this.running = false;
    clearTimeout(this.timer);
    for (const keys of Object.values(this.dirty)) keys.clear();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.flush();
    this.sink.close();
  }

  private take(kind: Kind): string[] {
    const keys = [...this.dirty[kind]];
    this.dirty[kind] = new Set();
    return keys;
  }

  private async publishDirty(): Promise<number> {
    const asOf = new Date().toISOString();
    const puts: Put[] = [];
    for (const key of this.take('cells')) {
      const [location, sku] = key.split('/') as [string, string];
      const row = this.db.get<{
        on_hand: number;
        reserved: number;
        damaged: number;
        in_transit: number;
        safety_stock: number;
        last_hlc: string | null;
      }>('SELECT * FROM stock WHERE location = ? AND sku = ?', location, sku);
      if (!row) continue;
      const value: StockValue = {
        location,
        sku,
        onHand: row.on_hand,
        reserved: row.reserved,
        damaged: row.damaged,
        inTransit: row.in_transit,
        safetyStock: row.safety_stock,
        available: row.on_hand - row.reserved - row.safety_stock,
        lastHlc: row.last_hlc,
        asOf,
      };
      puts.push(['stock', kvKeys.stock(location, sku), value, 'cells', key]);
    }
    for (const id of this.take('pickups')) {
      const row = this.db.get<PickupRow>('SELECT * FROM pickups WHERE pickup_id = ?', id);
      if (!row?.location) continue;
      const state = pickupStateOf(row);
      const value: PickupValue = {
        ...state,
        order: state.order && { ...state.order, lines: [...state.order.lines] },
        status: row.status as PickupValue['status'],
        placedAt: row.placed_at,
        asOf,
      };
      puts.push(['pickups', kvKeys.pickup(row.location, id), value, 'pickups', id]);
    }
    for (const id of this.take('reservations')) {
      const row = this.db.get<{
        channel: string;
        location: string | null;
        status: ReservationValue['status'];
        expires_at: string;
        lines: string;
      }>('SELECT * FROM reservations WHERE reservation_id = ?', id);
      if (!row) continue;
      const value: ReservationValue = {
        reservationId: id,
        channel: row.channel,
        location: row.location,
        status: row.status,
        expiresAt: row.expires_at,
        lines: JSON.parse(row.lines),
        asOf,
      };
      puts.push(['reservations', kvKeys.reservation(row.location, id), value, 'reservations', id]);
    }
    for (const sku of this.take('catalog')) {
      const item = sqlInventoryView(this.db).catalogItem(sku);
      if (!item) continue;
      const value: CatalogValue = { ...item, barcode: item.barcode ?? null, category: item.category ?? null, asOf };
      puts.push(['catalog', kvKeys.catalog(sku), value, 'catalog', sku]);
    }
    for (const location of this.take('locations')) {
      const info = sqlInventoryView(this.db).location(location);
      if (!info) continue;
      const value: LocationValue = { ...info, asOf };
      puts.push(['locations', kvKeys.location(location), value, 'locations', location]);
    }
    for (const node of this.take('nodes')) {
      const wm = nodeWatermark(this.db, node);
      if (!wm) continue;
      const value: WatermarkValue = { ...wm, asOf };
      puts.push(['watermarks', kvKeys.watermark(node), value, 'nodes', node]);
    }
    // Bounded concurrency: enough in flight to hide round trips, not enough to flood the server.
    const IN_FLIGHT = 256;
    for (let i = 0; i < puts.length; i += IN_FLIGHT) {
      const chunk = puts.slice(i, i + IN_FLIGHT);
      const failures = await this.sink.putAll(
        chunk.map(([bucket, key, value]): KvPut => ({ bucket, key, value: JSON.stringify(value) })),
      );
      failures.forEach((err, j) => {
        const put = chunk[j];
        if (err && put) {
          this.log.warn({ err, key: put[1] }, 'kv put failed; will retry');
          this.dirty[put[3]].add(put[4]);
        }
      });
    }
    return puts.length;
  }
}
