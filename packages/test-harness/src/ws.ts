import type { WsSocketFactory } from '@nats-io/nats-core';

/**
 * WebSocket factory for `wsconnect` from `@nats-io/nats-core` under Node 20, which has no global
 * `WebSocket` unless started with `--experimental-websocket` (without one `wsconnect` hangs).
 *
 * Usage: `wsconnect({ servers: server.wsUrl, wsFactory })`.
 */
export const wsFactory: WsSocketFactory = async (url: string) => {
  const { WebSocket } = await import('ws');
  // The `ws` client implements the W3C surface nats-core uses (binaryType, on* handlers, send,
  // close); its typings are not declared as the DOM type, hence the cast.
  const socket = new WebSocket(url) as unknown as globalThis.WebSocket;
  return { socket, encrypted: url.startsWith('wss://') };
};
