import { LocationId, NodeId, RegionId } from '@stocknerve/domain';
import { z } from 'zod';

/** Who a node is: the three tokens of its subjects. Set at provisioning, shown in its settings. */
export const NodeIdentity = z.object({
  node: NodeId,
  location: LocationId,
  region: RegionId,
});
export type NodeIdentity = z.infer<typeof NodeIdentity>;
