import type { NatsConnection } from '@nats-io/nats-core';
import { backoffMs } from '../outbox/backoff.js';

export interface NatsLinkHooks {
  /**
   * Sets up a new or re-established connection (outbox, watches, heartbeat). A set-up that throws is
   * retried with backoff for as long as that connection stands.
   */
  readonly setUp: (nc: NatsConnection) => Promise<void>;
  /** The connection dropped (it may come back by itself) or closed. */
  readonly down: () => void;
  /** The connection closed for good: a new one will be dialled. */
  readonly closed: () => void;
  /** Something went wrong that the node's status should show. */
  readonly problem: (message: string) => void;
  /**
   * The server refused this node's credentials (the message), or accepted them again (null). A
   * refusal does not stop the link: it keeps dialling, as a node does while offline.
   */
  readonly credentialsRefused: (message: string | null) => void;
}

const messageOf = (error: unknown) => String((error as Error)?.message ?? error);

/**
 * The server's words for credentials it refuses: "Authorization Violation" at connect (unknown,
 * revoked or wrong key), "User Authentication Revoked" to a connected user whose key the account
 * revoked (nats.js reports it as a plain protocol error, then reconnects forever), and expiry.
 */
const CREDENTIALS_REFUSED = /authorization violation|authentication revoked|authentication expired/i;

/** The refusal's message when `error` says the server refused the credentials, else null. */
export const credentialsRefusal = (error: unknown): string | null => {
  const message = messageOf(error);
  return CREDENTIALS_REFUSED.test(message) ? message : null;
};

/**
 * A node's connection to NATS, kept up for as long as it runs: dials with backoff while the server
 * is unreachable, sets each connection up again after every reconnect, and dials anew when one
 * closes. Nothing here waits on the network for a caller.
 */
export class NatsLink {
  private nc: NatsConnection | undefined;
  private running = false;
  private loop: Promise<void> | undefined;
  /** Bumped on every connect, reconnect and disconnect: a set-up only runs for its own link. */
  private link = 0;

  constructor(
    private readonly connect: () => Promise<NatsConnection>,
    private readonly hooks: NatsLinkHooks,
  ) {}

  /** The connection when there is one (it may be reconnecting). */
  get connection(): NatsConnection | undefined {
    return this.nc;
  }

  start(): void {
    this.running = true;
    this.loop = this.connectLoop();
  }

  async stop(): Promise<void> {
    this.running = false;
    const nc = this.nc;
    this.nc = undefined;
    await nc?.close().catch(() => undefined);
    await this.loop?.catch(() => undefined);
  }

  private async connectLoop(): Promise<void> {
    let attempt = 0;
    while (this.running) {
      let nc: NatsConnection;
      try {
        nc = await this.connect();
      } catch (error) {
        this.hooks.down();
        const refusal = credentialsRefusal(error);
        if (refusal) this.hooks.credentialsRefused(refusal);
        this.hooks.problem(
          refusal ? `NATS refused this node's credentials: ${refusal}` : `cannot reach NATS: ${messageOf(error)}`,
        );
        attempt++;
        await new Promise((r) => setTimeout(r, backoffMs(attempt, 500, 10_000)));
        continue;
      }
      if (!this.running) {
        await nc.close();
        return;
      }
      attempt = 0;
      this.hooks.credentialsRefused(null);
      this.nc = nc;
      // Statuses are followed while the connection is being set up: a server that dies during
      // the set-up must show as offline, and the set-up must run again after the reconnect.
      const statuses = nc.status();
      void this.setUp(nc, ++this.link);
      try {
        for await (const s of statuses) {
          if (s.type === 'disconnect') {
            this.link++;
            this.hooks.down();
          }
          if (s.type === 'reconnect') {
            this.hooks.credentialsRefused(null);
            void this.setUp(nc, ++this.link);
          }
          const refusal = s.type === 'error' ? credentialsRefusal(s.error) : null;
          if (refusal) {
            this.hooks.credentialsRefused(refusal);
            this.hooks.problem(`NATS refused this node's credentials: ${refusal}`);
          }
        }
      } catch (error) {
        this.hooks.problem(messageOf(error));
      }
      const closedBy = await nc.closed();
      const refusal = closedBy ? credentialsRefusal(closedBy) : null;
      if (refusal) this.hooks.credentialsRefused(refusal);
      this.link++;
      this.hooks.closed();
      this.hooks.down();
    }
  }

  /**
   * Sets up a (re)established connection, retrying with backoff until it succeeds or the link
   * changes. A set-up that failed once (a JetStream API timeout, the server dying again right after
   * a reconnect) must not end the status loop: the node would then show connected forever, never
   * restart its KV watches, and a pending restore (and so recording) would wait forever.
   */
  private async setUp(nc: NatsConnection, link: number): Promise<void> {
    for (let attempt = 1; this.running && link === this.link && !nc.isClosed(); attempt++) {
      try {
        await this.hooks.setUp(nc);
        return;
      } catch (error) {
        if (link === this.link) this.hooks.problem(messageOf(error));
        await new Promise((r) => setTimeout(r, backoffMs(attempt, 500, 10_000)));
      }
    }
  }
}
