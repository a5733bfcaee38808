import { LocationId, NodeId, RegionId } from '@stocknerve/domain';
import { z } from 'zod';

/** A NATS WebSocket URL (`ws://` or `wss://`): what a browser can open. */
export const NatsWsUrl = z
  .string()
  .trim()
  .regex(/^wss?:\/\/[^\s/]+/, { error: 'NATS URL must be a WebSocket URL like ws://hub.example:7423' });

/** Everything a terminal needs to run: who it is (the sync package's NodeIdentity) and where NATS is. */
export const NodeSettings = z.object({
  natsUrl: NatsWsUrl,
  location: LocationId,
  region: RegionId,
  node: NodeId,
});
export type NodeSettings = z.infer<typeof NodeSettings>;
