import type { OpenPickup } from './held-units.js';

/** Whether an order matches what the cashier typed or scanned: part of its order number or of the customer's name. */
export const matchesOrder = (entry: OpenPickup, query: string): boolean => {
  const q = query.trim().toLowerCase();
  if (!q) return true;
  const { orderRef, customerName } = entry.pickup.order;
  return orderRef.toLowerCase().includes(q) || (customerName ?? '').toLowerCase().includes(q);
};

/**
 * The one order a scan or an Enter points at: the order whose number is exactly the code (a scanned
 * WEB-1 must not be ambiguous with WEB-10), else the only match; none when several remain.
 */
export const orderFor = <T extends OpenPickup>(entries: readonly T[], query: string): T | undefined => {
  const q = query.trim().toLowerCase();
  if (!q) return undefined;
  const exact = entries.filter((e) => e.pickup.order.orderRef.toLowerCase() === q);
  if (exact.length === 1) return exact[0];
  const found = entries.filter((e) => matchesOrder(e, q));
  return found.length === 1 ? found[0] : undefined;
};
