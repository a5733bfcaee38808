import type { PickupValue } from '@stocknerve/protocol';
import { localStock } from '@stocknerve/sync';
import { mergePickup, pickupStatus } from '../node/local-view.js';
import { useAsync, useNode, useValue } from '../ui/hooks.js';
import { type Hold, holdsBySku, type OpenPickup } from './held-units.js';

/** A pickup order of this store with its status, as the queue shows it. */
export interface PickupEntry extends OpenPickup {
  readonly status: PickupValue['status'];
}

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
  const pickups: PickupEntry[] = hubPickups.flatMap((hub) => {
    const pickup = mergePickup(hub, node.view.ownPickup(hub.pickupId));
    if (!pickup?.order) return [];
    return [{ pickup: { ...pickup, order: pickup.order }, status: pickupStatus(pickup), placedAt: hub.placedAt }];
  });
  const holds = holdsBySku(pickups.filter((p) => p.status === 'placed' || p.status === 'picked'));
  return {
    pickups,
    holds,
    /** Held units of a SKU, earliest order first. */
    holdsOf: (sku: string): readonly Hold[] => holds.get(sku) ?? [],
    onHand: (sku: string): number | undefined => (figures ? (figures.get(sku)?.onHand ?? 0) : undefined),
  };
};
