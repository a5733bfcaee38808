import type { PickupState } from '@stocknerve/domain';

/** Units of one SKU held for one open pickup order of this store. */
export interface Hold {
  readonly orderRef: string;
  readonly customerName: string | null;
  readonly qty: number;
}

/** An open pickup order as the queue knows it (hub value merged with this node's own actions). */
export interface OpenPickup {
  readonly pickup: PickupState & { order: NonNullable<PickupState['order']> };
  readonly placedAt: string | null;
}

/** Units of each SKU held for open pickup orders, earliest order first. */
export const holdsBySku = (open: readonly OpenPickup[]): Map<string, Hold[]> => {
  const holds = new Map<string, Hold[]>();
  const byPlaced = [...open].sort((a, b) => (a.placedAt ?? '').localeCompare(b.placedAt ?? ''));
  for (const { pickup } of byPlaced)
    for (const line of pickup.order.lines) {
      const hold = { orderRef: pickup.order.orderRef, customerName: pickup.order.customerName ?? null, qty: line.qty };
      holds.set(line.sku, [...(holds.get(line.sku) ?? []), hold]);
    }
  return holds;
};

/**
 * Units of each line of an order the store's on-hand no longer covers, once the orders placed
 * before it had theirs (`held` from `holdsBySku`). Empty when the order can be picked in full.
 */
export const shortages = (
  order: { readonly orderRef: string; readonly lines: readonly { sku: string; qty: number }[] },
  held: ReadonlyMap<string, readonly Hold[]>,
  onHand: (sku: string) => number,
): { readonly sku: string; readonly missing: number }[] =>
  order.lines.flatMap((line) => {
    const before = (held.get(line.sku) ?? [])
      .slice(
        0,
        Math.max(
          0,
          (held.get(line.sku) ?? []).findIndex((h) => h.orderRef === order.orderRef),
        ),
      )
      .reduce((s, h) => s + h.qty, 0);
    const missing = Math.min(line.qty, line.qty + before - onHand(line.sku));
    return missing > 0 ? [{ sku: line.sku, missing }] : [];
  });

const who = (h: Hold) => (h.customerName ? `${h.orderRef} (${h.customerName})` : h.orderRef);

/**
 * What a cashier should know before selling `qty` units (never a refusal: the goods are leaving):
 * units held for pickup orders, and selling more than the known on-hand.
 */
export const sellingWarnings = (qty: number, onHand: number, holds: readonly Hold[]): string[] => {
  const warnings: string[] = [];
  const heldTotal = holds.reduce((s, h) => s + h.qty, 0);
  const free = Math.max(0, onHand - heldTotal);
  const fromHeld = Math.min(heldTotal, Math.max(0, Math.min(qty, onHand) - free));
  if (fromHeld > 0) {
    const orders = holds.map(who);
    const noun = orders.length === 1 ? 'order' : 'orders';
    const verb = fromHeld === 1 ? 'is' : 'are';
    warnings.push(`${fromHeld} of these ${verb} held for pickup ${noun} ${orders.join(', ')}.`);
  }
  if (qty > onHand) warnings.push(`Only ${onHand} on hand here: check the shelf count after this sale.`);
  return warnings;
};
