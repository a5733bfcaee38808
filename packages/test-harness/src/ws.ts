import type { WsSocketFactory } from '@nats-io/nats-core';

/**
 * WebSocket factory for `wsconnect` from `@nats-io/nats-core` under Node 20, which has no global
 * `WebSocket` unless started with `--experimental-websocket` (without one `wsconnect` hangs).
 * `ca`: PEM of the CA that signed a `wss://` server's certificate.
 *
 * Usage: `wsconnect({ servers: server.wsUrl, wsFactory })`.
 */
export const wsFactoryWith =
  (options: { ca?: string } = {}): WsSocketFactory =>
  async (url: string) => {
    const { WebSocket } = await import('ws');
    // The `ws` client implements the W3C surface nats-core uses (binaryType, on* handlers, send,
    // close); its typings are not declared as the DOM type, hence the cast.
    const socket = new WebSocket(url, options.ca ? { ca: options.ca } : {}) as unknown as globalThis.WebSocket;
    return { socket, encrypted: url.startsWith('wss://') };
  };

/** {@link wsFactoryWith} for plain `ws://` and publicly trusted `wss://` servers. */
export const wsFactory: WsSocketFactory = wsFactoryWith();
