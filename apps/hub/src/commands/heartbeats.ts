import type { NatsConnection, Subscription } from '@nats-io/nats-core';
import { HEARTBEAT_WILDCARD, Heartbeat, heartbeatSubject } from '@stocknerve/protocol';
import type { Logger } from '../logger.js';
import type { SqlStore } from '../store/sql-store.js';

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
