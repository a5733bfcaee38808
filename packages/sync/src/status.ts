import type { WatermarkValue } from '@stocknerve/protocol';
import type { ClockCheck } from './connection/clock-check.js';

/** What the UI's sync badge and the simulator read. */
export interface SyncStatus {
  /** Connected to NATS right now. */
  readonly connected: boolean;
  /** Restoring this node's log from the hub (a wiped terminal); recording waits for it. */
  readonly restoring: boolean;
  /** Events recorded locally and not yet acknowledged by JetStream. */
  readonly pending: number;
  /** Age of the oldest of them, ms (null when none). */
  readonly oldestPendingAgeMs: number | null;
  /** Highest seq recorded locally. */
  readonly lastSeq: number;
  /** Every local event with seq ≤ this is in the hub's stream, except the `requeued` ones. */
  readonly ackedThrough: number;
  /** Events anti-entropy re-queued (the hub lacked them) that wait to be sent again. */
  readonly requeued: readonly number[];
  /** When the last PubAck arrived (ms; null: none since the client started). */
  readonly lastAckAt: number | null;
  /** Last time anything came from the hub (ack or pulled value), ms. */
  readonly lastContactAt: number | null;
  /** Last value pulled per bucket (ms). */
  readonly lastPull: Readonly<Record<string, number>>;
  /** The hub's applied watermark for this node, as last pulled. */
  readonly hubWatermark: WatermarkValue | null;
  /** Events re-sent because the hub did not have them (anti-entropy), since the client started. */
  readonly resent: number;
  /** KV watches restarted because a direct read found them stalled, since the client started. */
  readonly watchesRestarted: number;
  /** Values pulled from the hub that broke their schema and were ignored, since the client started. */
  readonly invalidValues: number;
  readonly lastError: string | null;
  /**
   * This terminal's clock against the hub's, as last checked (on every connect, then every minute);
   * null until a hub has answered. While it is not `ok`, counts are refused here and held by the hub.
   */
  readonly clock: ClockCheck | null;
  /**
   * Why the NATS server refuses this node's credentials (revoked or expired), in its words; null
   * while it accepts them. Recording goes on locally either way: only a new enrollment fixes it.
   */
  readonly authProblem: string | null;
}

export const initialSyncStatus = (): SyncStatus => ({
  connected: false,
  restoring: false,
  pending: 0,
  oldestPendingAgeMs: null,
  lastSeq: 0,
  ackedThrough: 0,
  requeued: [],
  lastAckAt: null,
  lastContactAt: null,
  lastPull: {},
  hubWatermark: null,
  resent: 0,
  watchesRestarted: 0,
  invalidValues: 0,
  lastError: null,
  clock: null,
  authProblem: null,
});
