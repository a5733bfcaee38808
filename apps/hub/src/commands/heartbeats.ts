import type { NatsConnection, Subscription } from '@nats-io/nats-core';
import { LocationId, NodeId, RegionId } from '@stocknerve/domain';
import { z } from 'zod';
import { HEARTBEAT_WILDCARD, heartbeatSubject } from '../backbone/subjects.js';
import type { Logger } from '../logger.js';
import type { SqlStore } from '../store/sql-store.js';

/** What a node says every few seconds: it is alive, and how much it has not synced yet. */
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

/**
 * Listens to heartbeats (core NATS, not stored) and records them with the hub's receive time.
 * A malformed heartbeat is logged and dropped: it carries no fact to lose.
 */
export const listenToHeartbeats = (nc: NatsConnection, db: SqlStore, log: Logger, now: () => number): Subscription =>
  nc.subscribe(HEARTBEAT_WILDCARD, {
    callback: (error, msg) => {
      if (error) return;
      let body: unknown;
      try {
        body = msg.json();
      } catch {
        log.warn({ subject: msg.subject }, 'heartbeat is not JSON');
        return;
      }
      const hb = Heartbeat.safeParse(body);
      if (!hb.success || msg.subject !== heartbeatSubject(hb.data.region, hb.data.location, hb.data.node)) {
        log.warn({ subject: msg.subject }, 'invalid heartbeat dropped');
        return;
      }
      const h = hb.data;
      // Every node heartbeats every few seconds: were each one to clear the availability answers
      // remembered for a second, a store network would leave none remembered.
      db.runLive(
        `INSERT INTO node_heartbeats (node, location, region, last_heartbeat_ms, pending, oldest_pending_age_ms, last_acked_seq, app_version)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (node) DO UPDATE SET location = excluded.location, region = excluded.region,
           last_heartbeat_ms = excluded.last_heartbeat_ms, pending = excluded.pending,
           oldest_pending_age_ms = excluded.oldest_pending_age_ms, last_acked_seq = excluded.last_acked_seq,
           app_version = excluded.app_version`,
        h.node,
        h.location,
        h.region,
        now(),
        h.pending,
        h.oldestPendingAgeMs,
        h.lastAckedSeq,
        h.appVersion ?? null,
      );
    },
  });
