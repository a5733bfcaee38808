import type { NatsConnection } from '@nats-io/nats-core';
import { TIME_SUBJECT, TimeReply } from '@stocknerve/protocol';

/** This terminal's clock against the hub's, as one request found it. */
export interface ClockCheck {
  /** This terminal's clock minus the hub's, ms (positive: ahead). */
  readonly skewMs: number;
  /** The hub's bound, ms: beyond it, counts from this terminal are held and it refuses them. */
  readonly maxSkewMs: number;
  /** The request's round trip, ms: the skew is known to within half of it. */
  readonly roundTripMs: number;
  /** When it was checked, by this terminal's clock (ms). */
  readonly checkedAt: number;
  /** Whether the clock is within the bound (|skewMs| ≤ maxSkewMs): counts may be recorded. */
  readonly ok: boolean;
}

/**
 * The skew from one round trip: the hub read its clock somewhere between `sentAt` and `receivedAt`
 * (this terminal's clock), taken as half-way, the usual assumption of a symmetric network.
 */
export const clockCheckOf = (
  sentAt: number,
  receivedAt: number,
  reply: { now: number; maxSkewMs: number },
): ClockCheck => {
  const roundTripMs = Math.max(0, receivedAt - sentAt);
  const skewMs = Math.round(sentAt + roundTripMs / 2 - reply.now);
  return {
    skewMs,
    maxSkewMs: reply.maxSkewMs,
    roundTripMs,
    checkedAt: receivedAt,
    ok: Math.abs(skewMs) <= reply.maxSkewMs,
  };
};

/**
 * Asks the hub for its time (core NATS request/reply; any hub of the queue group answers). Rejects
 * when no hub answers within `timeoutMs` or the answer is not one.
 */
export const askHubTime = async (nc: NatsConnection, now: () => number, timeoutMs = 2000): Promise<ClockCheck> => {
  const sentAt = now();
  const msg = await nc.request(TIME_SUBJECT, '', { timeout: timeoutMs });
  const receivedAt = now();
  const reply = TimeReply.safeParse(msg.json());
  if (!reply.success) throw new Error(`the hub's time answer is malformed: ${reply.error.issues[0]?.message ?? ''}`);
  return clockCheckOf(sentAt, receivedAt, reply.data);
};
