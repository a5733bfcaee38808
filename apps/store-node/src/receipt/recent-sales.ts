import type { EventOf, InventoryEvent } from '@stocknerve/domain';
import { BehaviorSubject } from 'rxjs';
import type { StoreNode } from '../node/runtime.js';

/** A sale as its receipt shows it; item names come from the catalog when it is printed. */
export interface SaleReceipt {
  readonly receiptId: string;
  readonly occurredAt: string;
  readonly location: string;
  readonly node: string;
  readonly currency: string;
  readonly lines: readonly { readonly sku: string; readonly qty: number; readonly unitPriceCents: number }[];
  readonly totalCents: number;
  /** Absent for a sale recorded before the till took payment. */
  readonly tenders?: EventOf<'SaleRecorded'>['data']['tenders'];
}

export const receiptOf = (e: EventOf<'SaleRecorded'>): SaleReceipt => ({
  receiptId: e.data.receiptId,
  occurredAt: e.occurredAt,
  location: e.location,
  node: e.node,
  currency: e.data.currency,
  lines: e.data.lines,
  totalCents: e.data.totalCents,
  ...(e.data.tenders ? { tenders: e.data.tenders } : {}),
});

/** How many past receipts the till can reprint. */
export const KEPT_RECEIPTS = 50;

/**
 * This terminal's latest sales, newest last: for reprinting a receipt and for pricing a return
 * against it. Read from the terminal's own log once, so they survive a reload.
 */
export class RecentSales {
  readonly receipts$ = new BehaviorSubject<readonly SaleReceipt[]>([]);
  private loaded: Promise<void> | undefined;

  constructor(private readonly node: StoreNode) {}

  load(): Promise<void> {
    this.loaded ??= this.node.sync.log.all().then((events: readonly InventoryEvent[]) => {
      const fromLog = events
        .filter((e): e is EventOf<'SaleRecorded'> => e.type === 'SaleRecorded' && e.node === this.node.identity.node)
        .slice(-KEPT_RECEIPTS)
        .map(receiptOf);
      const known = new Set(fromLog.map((r) => r.receiptId));
      this.receipts$.next([...fromLog, ...this.receipts$.value.filter((r) => !known.has(r.receiptId))]);
    });
    return this.loaded;
  }

  add(receipt: SaleReceipt): void {
    this.receipts$.next([...this.receipts$.value, receipt].slice(-KEPT_RECEIPTS));
  }

  find(receiptId: string): SaleReceipt | undefined {
    return this.receipts$.value.find((r) => r.receiptId === receiptId);
  }
}

const byNode = new WeakMap<StoreNode, RecentSales>();

/** The recent sales of this running terminal, loading them from its log the first time. */
export const recentSalesOf = (node: StoreNode): RecentSales => {
  let sales = byNode.get(node);
  if (!sales) {
    sales = new RecentSales(node);
    byNode.set(node, sales);
    void sales.load();
  }
  return sales;
};
