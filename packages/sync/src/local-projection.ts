import {
  applyEvent,
  type InventoryEvent,
  initialInventoryState,
  onHandOf,
  parseEvent,
  type SkuLine,
} from '@stocknerve/domain';
import { kvKeys, type NodeIdentity, type StockValue } from '@stocknerve/protocol';
import { storedEventOf } from './local-db/event-log.js';
import type { LocalDb } from './local-db/local-db.js';
import { readPulled, readPulledValue } from './pull/pulled-values.js';

/** Stock of one SKU at this store as the terminal shows it. */
export interface LocalStockFigures {
  readonly sku: string;
  readonly onHand: number;
  readonly reserved: number;
  readonly damaged: number;
  readonly safetyStock: number;
  readonly available: number;
  /** The hub's figures this is based on: when they were computed (null: the hub has none yet). */
  readonly hubAsOf: string | null;
  /** This node's events not yet in the hub's figures, counted in. */
  readonly unappliedEvents: number;
}

/**
 * On hand per SKU at this store = the hub's last confirmed figures for the location plus this
 * node's own events the hub has not applied yet (seq above the hub's watermark for this node),
 * folded with the domain's rules, so the figures are right while offline. Other terminals of the
 * store arrive through the hub's figures. An unapplied local count sets on hand to the count plus
 * this node's later deltas (other terminals' deltas after it arrive with the hub's next figures).
 */
export const localStock = async (db: LocalDb, identity: NodeIdentity): Promise<Map<string, LocalStockFigures>> => {
  const [stock, ownWatermark, pickups] = await Promise.all([
    readPulled(db, 'stock'),
    readPulledValue(db, 'watermarks', kvKeys.watermark(identity.node)),
    readPulled(db, 'pickups'),
  ]);
  const watermark = ownWatermark?.watermark ?? 0;
  const unappliedDocs = await db.events.find({ selector: { seq: { $gt: watermark } }, sort: [{ seq: 'asc' }] }).exec();
  const unapplied: InventoryEvent[] = unappliedDocs.flatMap((d) => {
    const parsed = parseEvent(storedEventOf(d));
    return parsed.ok ? [parsed.event] : [];
  });
  const local = initialInventoryState();
  for (const e of unapplied) applyEvent(local, e);

  const hub = new Map<string, StockValue>();
  for (const { value } of stock) if (value.location === identity.location) hub.set(value.sku, value);

  // Pickups this node completed that the hub has not seen: their holds are gone here already.
  const pickupLines = new Map<string, readonly SkuLine[]>();
  for (const { value } of pickups) if (value.order) pickupLines.set(value.pickupId, value.order.lines);
  const releasedHolds = new Map<string, number>();
  for (const e of unapplied)
    if (e.type === 'PickupHandedOver' || e.type === 'PickupRejected')
      for (const l of pickupLines.get(e.data.pickupId) ?? [])
        releasedHolds.set(l.sku, (releasedHolds.get(l.sku) ?? 0) + l.qty);

  const skus = new Set([
    ...hub.keys(),
    ...[...local.cells.values()].filter((c) => c.location === identity.location).map((c) => c.sku),
  ]);
  const out = new Map<string, LocalStockFigures>();
  for (const sku of skus) {
    const h = hub.get(sku);
    const cell = local.cells.get(`${identity.location}/${sku}`);
    const onHand = cell?.count ? onHandOf(cell) : (h?.onHand ?? 0) + (cell?.deltaAfterCount ?? 0);
    const reserved = Math.max(0, (h?.reserved ?? 0) - (releasedHolds.get(sku) ?? 0));
    const safetyStock = h?.safetyStock ?? 0;
    out.set(sku, {
      sku,
      onHand,
      reserved,
      damaged: (h?.damaged ?? 0) + (cell?.damaged ?? 0),
      safetyStock,
      available: onHand - reserved - safetyStock,
      hubAsOf: h?.asOf ?? null,
      unappliedEvents: unapplied.filter(
        (e) => 'lines' in e.data && (e.data.lines as { sku: string }[]).some((l) => l.sku === sku),
      ).length,
    });
  }
  return out;
};
