import type { AllocationRule } from '../events/hub-events.js';
import type { LocationId, Sku } from '../ids.js';
import type { InventoryView, StockFigures } from './view.js';

/** on hand − reserved − safety stock. Negative means the location is short (an oversell). */
export const availableOf = (f: StockFigures): number => f.onHand - f.reserved - f.safetyStock;

/** What a channel may be offered from one location: available, never below 0. */
export const offerableOf = (f: StockFigures): number => Math.max(0, availableOf(f));

/** How far the hub trusts a location's figures: fully, minus a buffer, or not at all. */
export type LocationTrust =
  | { readonly kind: 'full' }
  | { readonly kind: 'buffer'; readonly units: number }
  | { readonly kind: 'exclude' };

export interface LocationAtp {
  readonly location: LocationId;
  readonly figures: StockFigures;
  readonly available: number;
  /** What this location contributes to the pool after trust is applied. */
  readonly contributes: number;
  readonly trust: LocationTrust;
}

export interface ChannelAtp {
  readonly sku: Sku;
  readonly channel: string;
  /** Units the channel may still promise. */
  readonly atp: number;
  /** Σ contributions − network-wide reservations (≥ 0). */
  readonly pool: number;
  /** What the allocation rule still allows the channel (null: no rule). */
  readonly allocationRemaining: number | null;
  readonly rule: AllocationRule | null;
  readonly perLocation: readonly LocationAtp[];
}

const contribution = (available: number, trust: LocationTrust): number => {
  if (trust.kind === 'exclude') return 0;
  const offerable = Math.max(0, available);
  return trust.kind === 'buffer' ? Math.max(0, offerable - trust.units) : offerable;
};

/** What `channelAtp` reads of the views. */
export type AtpView = Pick<InventoryView, 'stock' | 'networkReserved' | 'allocation' | 'channelHeld'>;

/**
 * Available-to-promise for a channel over a group of locations.
 * - pool = Σ max(0, available_l) after trust − network-wide reservations, never below 0;
 * - a `share` rule lets the channel hold at most ⌊share × Σ sellable_l⌋ units in total (sellable =
 *   on hand − safety stock, before anybody's reservations), a `cap` rule at most `cap`; what the
 *   channel already holds counts against it;
 * - ATP = min(pool, what the rule still allows), never below 0.
 */
export const channelAtp = (
  view: AtpView,
  args: {
    channel: string;
    sku: Sku;
    locations: readonly LocationId[];
    trust?: (location: LocationId) => LocationTrust;
  },
): ChannelAtp => {
  const { channel, sku } = args;
  let sum = 0;
  let sellable = 0;
  const perLocation: LocationAtp[] = args.locations.map((location) => {
    const figures = view.stock(sku, location);
    const available = availableOf(figures);
    const trust = args.trust?.(location) ?? { kind: 'full' };
    const contributes = contribution(available, trust);
    sum += contributes;
    if (trust.kind !== 'exclude') sellable += Math.max(0, figures.onHand - figures.safetyStock);
    return { location, figures, available, contributes, trust };
  });
  const pool = Math.max(0, sum - view.networkReserved(sku));
  const rule = view.allocation(channel, sku) ?? null;
  const held = view.channelHeld(channel, sku);
  const allowed = rule === null ? null : rule.kind === 'cap' ? rule.cap : Math.floor(rule.share * sellable);
  const allocationRemaining = allowed === null ? null : Math.max(0, allowed - held);
  const atp = allocationRemaining === null ? pool : Math.min(pool, allocationRemaining);
  return { sku, channel, atp, pool, allocationRemaining, rule, perLocation };
};
