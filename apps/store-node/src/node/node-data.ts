import {
  type CatalogValue,
  KV_BUCKETS,
  type KvBucket,
  type KvValue,
  type LocationValue,
  type NodeIdentity,
  type PickupValue,
  type StockValue,
} from '@stocknerve/protocol';
import { type LocalDb, type Pulled, pulledValuesOf } from '@stocknerve/sync';
import { BehaviorSubject, type Subscription } from 'rxjs';

/** Catalog indexes the tills look up on every scan. */
export interface Catalog {
  readonly items: readonly CatalogValue[];
  readonly bySku: ReadonlyMap<string, CatalogValue>;
  readonly byBarcode: ReadonlyMap<string, CatalogValue>;
}

const indexCatalog = (items: readonly CatalogValue[]): Catalog => {
  const sorted = [...items].sort((a, b) => a.sku.localeCompare(b.sku));
  return {
    items: sorted,
    bySku: new Map(sorted.map((i) => [i.sku.toUpperCase(), i])),
    byBarcode: new Map(sorted.flatMap((i) => (i.barcode ? [[i.barcode, i] as const] : []))),
  };
};

/** Finds a product by barcode, else by SKU (case-insensitive). */
export const findProduct = (catalog: Catalog, code: string): CatalogValue | undefined => {
  const c = code.trim();
  return catalog.byBarcode.get(c) ?? catalog.bySku.get(c.toUpperCase());
};

/** Products whose SKU, barcode or name contains the text (case-insensitive), exact matches first. */
export const searchProducts = (catalog: Catalog, text: string, limit = 50): CatalogValue[] => {
  const q = text.trim().toLowerCase();
  if (!q) return [];
  const exact = findProduct(catalog, text);
  const hits = catalog.items.filter(
    (i) =>
      i !== exact && (i.sku.toLowerCase().includes(q) || i.name.toLowerCase().includes(q) || i.barcode?.includes(q)),
  );
  return [...(exact ? [exact] : []), ...hits].slice(0, limit);
};

/**
 * The hub's projections this node pulled, kept in memory and current: RxDB queries on the local
 * `projections` collection, so they are there offline and update as the sync client pulls.
 */
export class NodeData {
  readonly catalog$ = new BehaviorSubject<Catalog>(indexCatalog([]));
  readonly locations$ = new BehaviorSubject<ReadonlyMap<string, LocationValue>>(new Map());
  /** Stock figures of every location pulled (this store and its region's others). */
  readonly stock$ = new BehaviorSubject<readonly Pulled<StockValue>[]>([]);
  /** Pickup orders placed at this store, as the hub last published them. */
  readonly pickups$ = new BehaviorSubject<readonly PickupValue[]>([]);
  /** Bumped on every change of the local event log (a record, an ack). */
  readonly eventsChanged$ = new BehaviorSubject(0);
  /** Bumped on every value pulled from the hub (including this node's watermark). */
  readonly hubChanged$ = new BehaviorSubject(0);
  private readonly subscriptions: Subscription[] = [];

  constructor(
    private readonly db: LocalDb,
    private readonly identity: NodeIdentity,
  ) {}

  start(): void {
    // Every stored value is parsed on the way out: one that no longer parses is left out.
    const pulled = <B extends KvBucket>(bucket: B, use: (values: Pulled<KvValue<B>>[]) => void) =>
      this.db.projections
        .find({ selector: { bucket: KV_BUCKETS[bucket] } })
        .$.subscribe((docs) => use(pulledValuesOf(bucket, docs)));
    this.subscriptions.push(
      pulled('catalog', (items) => this.catalog$.next(indexCatalog(items.map((i) => i.value)))),
      pulled('locations', (items) =>
        this.locations$.next(
          new Map(items.map((i) => [i.key, i.value] as const).sort(([a], [b]) => a.localeCompare(b))),
        ),
      ),
      pulled('stock', (items) => this.stock$.next(items)),
      pulled('pickups', (items) =>
        this.pickups$.next(items.filter((i) => i.key.startsWith(`${this.identity.location}.`)).map((i) => i.value)),
      ),
      this.db.events.$.subscribe(() => this.eventsChanged$.next(this.eventsChanged$.value + 1)),
      this.db.projections.$.subscribe(() => this.hubChanged$.next(this.hubChanged$.value + 1)),
    );
  }

  stop(): void {
    for (const s of this.subscriptions) s.unsubscribe();
    this.subscriptions.length = 0;
  }
}
