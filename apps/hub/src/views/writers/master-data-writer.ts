import { cellKey, type EventOf } from '@stocknerve/domain';
import type { SqlStore } from '../../store/sql-store.js';
import type { BatchContext } from './batch-context.js';

/** Reference data: locations, the catalog, safety stock per cell, channel allocation rules. */
export class MasterDataWriter {
  private readonly db: SqlStore;

  constructor(private readonly ctx: BatchContext) {
    this.db = ctx.db;
  }

  locationDefined(event: EventOf<'LocationDefined'>): void {
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
    this.ctx.fx.locations.add(d.location);
  }

  catalogItemUpserted(event: EventOf<'CatalogItemUpserted'>): void {
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
    this.ctx.fx.catalog.add(d.sku);
  }

  safetyStockSet(event: EventOf<'SafetyStockSet'>): void {
    this.db.run(
      `INSERT INTO stock (location, sku, safety_stock) VALUES (?, ?, ?)
       ON CONFLICT (location, sku) DO UPDATE SET safety_stock = excluded.safety_stock`,
      event.data.location,
      event.data.sku,
      event.data.qty,
    );
    this.ctx.fx.cells.add(cellKey(event.data.location, event.data.sku));
  }

  channelAllocationSet(event: EventOf<'ChannelAllocationSet'>): void {
    this.db.run(
      `INSERT INTO allocations (channel, sku, rule) VALUES (?, ?, ?)
       ON CONFLICT (channel, sku) DO UPDATE SET rule = excluded.rule`,
      event.data.channel,
      event.data.sku ?? '*',
      JSON.stringify(event.data.rule),
    );
  }
}
