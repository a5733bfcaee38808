import type { NatsConnection, Subscription } from '@nats-io/nats-core';
import { TIME_SUBJECT, type TimeReply } from '@stocknerve/protocol';
import type { Logger } from '../logger.js';

/** Every hub answers in one queue group: a request gets one answer however many hubs run. */
const TIME_QUEUE = 'stocknerve-hub';

/**
 * Answers nodes asking for the hub's time (core NATS request/reply), so that a terminal whose clock
 * is wrong can tell its cashier, with the bound the hub judges events by (one setting, one place).
 */
export const answerTimeRequests = (
  nc: NatsConnection,
  log: Logger,
  now: () => number,
  maxSkewMs: number,
): Subscription =>
  nc.subscribe(TIME_SUBJECT, {
    queue: TIME_QUEUE,
    callback: (error, msg) => {
      if (error) {
        log.warn({ err: error }, 'time requests: subscription error');
        return;
      }
      const reply: TimeReply = { now: now(), maxSkewMs };
      msg.respond(JSON.stringify(reply));
    },
  });
