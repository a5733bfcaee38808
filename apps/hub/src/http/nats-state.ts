import type { NatsConnection } from '@nats-io/nats-core';

/**
 * Tracks whether the hub's NATS connection is up. nats.js has no synchronous "connected" getter, so
 * this follows the connection's status events until it closes.
 */
export const watchNatsConnection = (nc: NatsConnection): (() => boolean) => {
  let connected = !nc.isClosed();
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect') connected = false;
      else if (s.type === 'reconnect') connected = true;
    }
  })()
    .catch(() => undefined)
    .finally(() => {
      connected = false;
    });
  return () => connected && !nc.isClosed();
};
