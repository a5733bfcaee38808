import { type Authenticator, credsAuthenticator, jwtAuthenticator } from '@nats-io/nats-core';

/** Connection options that authenticate a client: spread them into `connect()` / `wsconnect()`. */
export interface NatsAuthOptions {
  readonly authenticator: Authenticator;
  /** The user's private inbox prefix, when its permissions only allow that one. */
  readonly inboxPrefix?: string;
}

/** From a user JWT and its seed (the seed stays in this process: only a signature of the server's nonce leaves). */
export const jwtAuth = (jwt: string, seed: string, inboxPrefix?: string): NatsAuthOptions => ({
  authenticator: jwtAuthenticator(jwt, new TextEncoder().encode(seed)),
  ...(inboxPrefix ? { inboxPrefix } : {}),
});

/** From the text of a `.creds` file. */
export const credsAuth = (creds: string, inboxPrefix?: string): NatsAuthOptions => ({
  authenticator: credsAuthenticator(new TextEncoder().encode(creds)),
  ...(inboxPrefix ? { inboxPrefix } : {}),
});
