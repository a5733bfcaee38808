import { LocationId, NodeId, RegionId } from '@stocknerve/domain';
import { z } from 'zod';

/**
 * What a node says every few seconds over core NATS (not stored): it is alive, and how much it has
 * not synced yet.
 */
export const Heartbeat = z.object({
  node: NodeId,
  location: LocationId,
  region: RegionId,
  /** Events recorded locally and not yet acknowledged by JetStream. */
  pending: z.number().int().min(0),
  /** Age of the oldest of them, ms (null when none). */
  oldestPendingAgeMs: z.number().int().min(0).nullable(),
  /** Highest node seq the node holds a PubAck for. */
  lastAckedSeq: z.number().int().min(0),
  appVersion: z.string().max(50).optional(),
});
export type Heartbeat = z.infer<typeof Heartbeat>;
