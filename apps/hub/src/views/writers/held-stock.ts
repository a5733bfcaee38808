import type { SkuLine } from '@stocknerve/domain';
import type { SqlStore } from '../../store/sql-store.js';
import type { BatchContext } from './batch-context.js';

/** Stock held by something: reserved or in transit at a cell, or reserved network-wide. */
export interface Hold {
  readonly bucket: 'reserved' | 'in_transit' | 'network';
  readonly location: string | null;
  readonly sku: string;
  readonly qty: number;
  readonly channel: string | null;
}

export const holdsOf = (
  lines: readonly SkuLine[],
  bucket: Hold['bucket'],
  location: string | null,
  channel: string | null,
) => lines.map((l): Hold => ({ bucket, location, sku: l.sku, qty: l.qty, channel }));

/**
 * The quantities holders keep off the shelf (a cell's reserved and in-transit stock, network-wide
 * reserved, held per channel), derived from each holder's state so they follow its changes.
 */
export class HeldStock {
  private readonly db: SqlStore;

  constructor(private readonly ctx: BatchContext) {
    this.db = ctx.db;
  }

  /** Runs a change to a holder and moves what it holds from before to after. */
  changingHolds(holdsOf: () => Hold[], change: () => void): void {
    this.add(holdsOf(), -1);
    change();
    this.add(holdsOf(), 1);
  }

  private add(holds: readonly Hold[], sign: 1 | -1): void {
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
        this.ctx.fx.cells.add(`${h.location}/${h.sku}`);
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
}
