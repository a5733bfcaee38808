import {
  applyEvent,
  type CatalogItem,
  foldEvents,
  type InventoryEvent,
  type InventoryState,
  type InventoryView,
  initialInventoryState,
  inventoryView,
  type LocationInfo,
  type PickupState,
  type StockFigures,
} from '@stocknerve/domain';
import type { CatalogValue, LocationValue, NodeIdentity, PickupValue } from '@stocknerve/protocol';
import { type LocalDb, localStock, readPulled } from '@stocknerve/sync';
import { BehaviorSubject } from 'rxjs';

/** A pickup as the hub published it, overlaid with what this node did to it and has not seen back yet. */
export const mergePickup = (hub: PickupValue | undefined, local: PickupState | undefined): PickupState | undefined => {
  if (!hub && !local) return undefined;
  const pickupId = hub?.pickupId ?? local?.pickupId ?? '';
  return {
    pickupId,
    order: hub?.order ? { ...hub.order } : (local?.order ?? null),
    picked: Boolean(hub?.picked || local?.picked),
    completion: hub?.completion ?? local?.completion ?? null,
  };
};

/** Status of a merged pickup, as the queue shows it. */
export const pickupStatus = (p: PickupState): PickupValue['status'] =>
  p.completion ? p.completion.kind : p.picked ? 'picked' : 'placed';

const locationInfo = (v: LocationValue): LocationInfo => ({
  location: v.location,
  region: v.region,
  kind: v.kind,
  name: v.name,
  geo: v.geo,
});

const catalogItem = (v: CatalogValue): CatalogItem => ({
  sku: v.sku,
  name: v.name,
  barcode: v.barcode ?? undefined,
  priceCents: v.priceCents,
  currency: v.currency,
  category: v.category ?? undefined,
});

/**
 * The node's local view for the domain's deciders: this node's own log folded with the domain's
 * rules (receipts, transfers, its pickup actions), plus what it pulled from the hub (locations,
 * catalog, pickup orders, stock of nearby stores), plus this store's stock from `localStock`.
 * The fold of the own log is kept in memory and extended as events are recorded.
 */
export class LocalView {
  private readonly own: InventoryState = initialInventoryState();
  private maxReceiptNo = 0;
  /** Bumped whenever an event of this node was folded in (screens refresh on it). */
  readonly changed$ = new BehaviorSubject(0);

  constructor(
    private readonly db: LocalDb,
    private readonly identity: NodeIdentity,
  ) {}

  /** Folds the stored log (at start, after the sync client opened it). */
  init(events: readonly InventoryEvent[]): void {
    foldEvents(events, this.own);
    for (const e of events) this.noteReceipt(e);
    this.changed$.next(this.changed$.value + 1);
  }

  /** Folds events this node just recorded. */
  applyRecorded(events: readonly InventoryEvent[]): void {
    for (const e of events) {
      applyEvent(this.own, e);
      this.noteReceipt(e);
    }
    this.changed$.next(this.changed$.value + 1);
  }

  /** Pickup state from this node's own events only. */
  ownPickup(pickupId: string): PickupState | undefined {
    return this.own.pickups.get(pickupId);
  }

  /** Sales rung up at this node: receipt number → sold / returned per SKU. */
  receipt(receiptId: string) {
    return this.own.receipts.get(`${this.identity.location}/${receiptId}`);
  }

  /** The next receipt number of this terminal: `<node>-000001`, `<node>-000002`... */
  nextReceiptId(): string {
    return `${this.identity.node}-${String(this.maxReceiptNo + 1).padStart(6, '0')}`;
  }

  private noteReceipt(e: InventoryEvent): void {
    if (e.type !== 'SaleRecorded') return;
    const prefix = `${this.identity.node}-`;
    if (!e.data.receiptId.startsWith(prefix)) return;
    const n = Number(e.data.receiptId.slice(prefix.length));
    if (Number.isInteger(n)) this.maxReceiptNo = Math.max(this.maxReceiptNo, n);
  }

  /** An `InventoryView` over local data as it is now, for one decision. */
  async snapshot(): Promise<InventoryView> {
    const values = async <B extends 'locations' | 'catalog' | 'pickups' | 'stock'>(bucket: B) =>
      (await readPulled(this.db, bucket)).map((p) => p.value);
    const [locations, catalog, pickups, stock, ownStock] = await Promise.all([
      values('locations'),
      values('catalog'),
      values('pickups'),
      values('stock'),
      localStock(this.db, this.identity),
    ]);
    const mergedPickups = new Map<string, PickupState>();
    const hubPickups = new Map(pickups.map((p) => [p.pickupId, p]));
    for (const id of new Set([...hubPickups.keys(), ...this.own.pickups.keys()])) {
      const merged = mergePickup(hubPickups.get(id), this.own.pickups.get(id));
      if (merged) mergedPickups.set(id, merged);
    }
    const state: InventoryState = {
      ...this.own,
      locations: new Map(locations.map((l) => [l.location, locationInfo(l)])),
      catalog: new Map(catalog.map((c) => [c.sku, catalogItem(c)])),
      pickups: mergedPickups,
    };
    const hubStock = new Map(stock.map((s) => [`${s.location}/${s.sku}`, s]));
    const base = inventoryView(state);
    return {
      ...base,
      stock: (sku, location): StockFigures => {
        const hub = hubStock.get(`${location}/${sku}`);
        if (location === this.identity.location) {
          const own = ownStock.get(sku);
          return {
            onHand: own?.onHand ?? 0,
            reserved: own?.reserved ?? 0,
            damaged: own?.damaged ?? 0,
            inTransit: hub?.inTransit ?? 0,
            safetyStock: own?.safetyStock ?? 0,
          };
        }
        return {
          onHand: hub?.onHand ?? 0,
          reserved: hub?.reserved ?? 0,
          damaged: hub?.damaged ?? 0,
          inTransit: hub?.inTransit ?? 0,
          safetyStock: hub?.safetyStock ?? 0,
        };
      },
    };
  }
}
