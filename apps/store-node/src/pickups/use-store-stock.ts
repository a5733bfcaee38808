import type { PickupValue } from '@stocknerve/protocol';
import { localStock } from '@stocknerve/sync';
import { mergePickup, pickupStatus } from '../node/local-view.js';
import type { StoreNode } from '../node/runtime.js';
import { useAsync, useNode, useValue } from '../ui/hooks.js';
import { type Hold, holdsBySku, type OpenPickup } from './held-units.js';

/** A pickup order of this store with its status, as the queue shows it. */
export interface PickupEntry extends OpenPickup {
  readonly status: PickupValue['status'];
}

export const isOpen = (entry: PickupEntry): boolean => entry.status === 'placed' || entry.status === 'picked';

/** The hub's pickup orders of this store merged with this node's own actions on them. */
const pickupEntries = (node: StoreNode, hubPickups: readonly PickupValue[]): PickupEntry[] =>
  hubPickups.flatMap((hub) => {
    const pickup = mergePickup(hub, node.view.ownPickup(hub.pickupId));
    if (!pickup?.order) return [];
    return [{ pickup: { ...pickup, order: pickup.order }, status: pickupStatus(pickup), placedAt: hub.placedAt }];
  });

/** Open pickup orders of this store, for the tab bar (which sits outside the node's context). */
export const useOpenPickupCount = (node: StoreNode): number => {
  const hubPickups = useValue(node.data.pickups$);
  useValue(node.view.changed$);
  return pickupEntries(node, hubPickups).filter(isOpen).length;
};

/**
 * This store's stock as a screen needs it, current: on-hand units per SKU (undefined until first
 * read), the pickup orders with their status, and the units held for the open ones.
 */
export const useStoreStock = () => {
  const node = useNode();
  const hubPickups = useValue(node.data.pickups$);
  // Re-rendered on this node's own pickup actions, which the merged orders below read.
  useValue(node.view.changed$);
  const changed = useValue(node.data.eventsChanged$);
  // The hub's figures and this node's watermark (which says which local events they include)
  // arrive separately: recomputed on either.
  const hubChanged = useValue(node.data.hubChanged$);
  const figures = useAsync(() => localStock(node.db, node.identity), [changed, hubChanged]);
  const pickups = pickupEntries(node, hubPickups);
  const holds = holdsBySku(pickups.filter(isOpen));
  return {
    pickups,
    holds,
    /** Held units of a SKU, earliest order first. */
    holdsOf: (sku: string): readonly Hold[] => holds.get(sku) ?? [],
    onHand: (sku: string): number | undefined => (figures ? (figures.get(sku)?.onHand ?? 0) : undefined),
  };
};
