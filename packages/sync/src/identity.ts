import { LocationId, NodeId, RegionId } from '@stocknerve/domain';
import { z } from 'zod';

/** Who this node is: set at first run (or from a provisioning file) and shown in settings. */
export const NodeIdentity = z.object({
  node: NodeId,
  location: LocationId,
  region: RegionId,
});
export type NodeIdentity = z.infer<typeof NodeIdentity>;

/** This node's subject for its events: `inv.v1.evt.<region>.<location>.<node>` (docs/wire-protocol.md). */
export const eventSubjectOf = (id: NodeIdentity) => `inv.v1.evt.${id.region}.${id.location}.${id.node}`;
/** This node's heartbeat subject (core NATS). */
export const heartbeatSubjectOf = (id: NodeIdentity) => `inv.v1.hb.${id.region}.${id.location}.${id.node}`;

/** Names the hub uses for its stream and buckets (docs/wire-protocol.md). */
export const HUB_NAMES = {
  eventStream: 'INV_EVENTS',
  stockBucket: 'inv_stock',
  pickupsBucket: 'inv_pickups',
  reservationsBucket: 'inv_reservations',
  catalogBucket: 'inv_catalog',
  locationsBucket: 'inv_locations',
  watermarksBucket: 'inv_watermarks',
} as const;
