// Incidents as a regional manager reads them: names of people, orders, stores and products instead of
// ids and codes. The /v1/incidents API keeps the ids and codes for machines.

/** A pickup or reservation an incident affects, with what the views know about it. */
export interface AffectedOrder {
  readonly kind: 'pickup' | 'reservation';
  readonly qty: number;
  /** The customer's order reference (click-and-collect), if known. */
  readonly orderRef?: string | null | undefined;
  readonly customerName?: string | null | undefined;
  readonly channel?: string | null | undefined;
}

/** "Jane Doe" → "Jane D.": enough for staff to recognise the order, without the full name on a report. */
export const shortCustomerName = (name: string): string => {
  const [first, ...rest] = name.trim().split(/\s+/);
  const last = rest.at(-1);
  return last ? `${first} ${last.charAt(0).toUpperCase()}.` : (first ?? '');
};

/** "1 unit", "3 units". */
export const unitsText = (n: number): string => `${n} unit${n === 1 ? '' : 's'}`;

const REJECT_REASONS: Readonly<Record<string, string>> = {
  'item-not-found': 'not found on the shelf',
  damaged: 'damaged',
  'customer-no-show': 'the customer did not come',
  other: 'another reason',
};

/** A store's rejection reason in words, with its note. */
export const rejectReasonText = (reason: string | null, note: string | null): string | null => {
  const words = reason === null ? null : (REJECT_REASONS[reason] ?? reason.replaceAll('-', ' '));
  return [words, note].filter(Boolean).join(': ') || null;
};

/** "pickup order WEB-1234 for Jane D." or "a web reservation". */
export const orderText = (o: AffectedOrder): string => {
  if (o.kind === 'pickup') {
    const order = o.orderRef ? `pickup order ${o.orderRef}` : 'a pickup order';
    return o.customerName ? `${order} for ${shortCustomerName(o.customerName)}` : order;
  }
  return o.channel ? `a ${o.channel} reservation` : 'a reservation';
};

/** "SKU-1001 (Trail tent)". */
export const productText = (sku: string, name: string | null | undefined): string => (name ? `${sku} (${name})` : sku);

/**
 * "Pickup order WEB-1234 for Jane D. at Lille Centre cannot be filled: 1 unit of SKU-1001 (Trail tent)
 * missing (not found on the shelf: …)."
 */
export const pickupRejectedText = (p: {
  readonly order: AffectedOrder;
  readonly storeName: string;
  readonly missing: readonly { readonly product: string; readonly qty: number }[];
  readonly reason: string | null;
}): string => {
  const order = orderText(p.order);
  const missing = p.missing.map((m) => `${unitsText(m.qty)} of ${m.product}`).join(', ');
  return `${order.charAt(0).toUpperCase()}${order.slice(1)} at ${p.storeName} cannot be filled${missing ? `: ${missing} missing` : ''}${p.reason ? ` (${p.reason})` : ''}.`;
};

/**
 * "Arras is 2 units of SKU-1001 (Trail tent) short of what it promised: a web reservation (2 units).
 * Lille Centre has 5 available, 3.2 km away."
 */
export const oversellText = (o: {
  readonly storeName: string;
  readonly product: string;
  readonly shortfall: number;
  readonly affected: readonly AffectedOrder[];
  readonly cover: { readonly name: string; readonly available: number; readonly distanceKm: number | null } | null;
}): string => {
  const orders = o.affected.map((a) => `${orderText(a)} (${unitsText(a.qty)})`).join(', ');
  const cover = o.cover
    ? `${o.cover.name} has ${o.cover.available} available${o.cover.distanceKm === null ? '' : `, ${o.cover.distanceKm.toFixed(1)} km away`}.`
    : 'No location in the region can cover it.';
  return `${o.storeName} is ${unitsText(o.shortfall)} of ${o.product} short of what it promised${orders ? `: ${orders}` : ''}. ${cover}`;
};
