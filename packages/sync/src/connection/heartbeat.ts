import type { NatsConnection } from '@nats-io/nats-core';
import { type Heartbeat, type NodeIdentity, nodeHeartbeatSubject } from '@stocknerve/protocol';
import type { SyncStatus } from '../status.js';

/** What this node tells the hub in its heartbeat (docs/wire-protocol.md, section 15). */
export const heartbeatOf = (
  identity: NodeIdentity,
  backlog: Pick<SyncStatus, 'pending' | 'oldestPendingAgeMs' | 'ackedThrough'>,
  appVersion: string | undefined,
): Heartbeat => ({
  node: identity.node,
  location: identity.location,
  region: identity.region,
  pending: backlog.pending,
  oldestPendingAgeMs: backlog.oldestPendingAgeMs === null ? null : Math.round(backlog.oldestPendingAgeMs),
  lastAckedSeq: backlog.ackedThrough,
  ...(appVersion ? { appVersion } : {}),
});

/** Publishes a heartbeat (core NATS: it is lost, not queued, when the connection is down). */
export const publishHeartbeat = (nc: NatsConnection, heartbeat: Heartbeat): void =>
  nc.publish(nodeHeartbeatSubject(heartbeat), JSON.stringify(heartbeat));
