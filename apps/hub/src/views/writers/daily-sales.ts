import type { SqlStore } from '../../store/sql-store.js';
import type { BatchContext, PendingWrites } from './batch-context.js';

interface PendingDailySales {
  readonly day: string;
  readonly location: string;
  readonly sku: string;
  units: number;
  revenueCents: number;
}

/** Units and revenue sold per day, location and SKU: summed over the batch, added to `daily_sales` once. */
export class DailySales implements PendingWrites {
  private readonly db: SqlStore;
  private readonly pendingSales = new Map<string, PendingDailySales>();

  constructor(ctx: BatchContext) {
    this.db = ctx.db;
  }

  add(day: string, location: string, sku: string, units: number, revenueCents: number): void {
    const key = `${day}\u0000${location}\u0000${sku}`;
    const d = this.pendingSales.get(key);
    if (d) {
      d.units += units;
      d.revenueCents += revenueCents;
    } else this.pendingSales.set(key, { day, location, sku, units, revenueCents });
  }

  flush(): void {
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
  }

  discard(): void {
    this.pendingSales.clear();
  }
}
