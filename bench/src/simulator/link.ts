import type { ConnectionOptions, NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';

/**
 * How a cut-off node's connection attempts behave: `fail` refuses at once (like an unreachable
 * network: the SyncClient backs off and retries), `hang` keeps the attempt pending until the link
 * is healed (like a connect that goes through the moment the network is back).
 */
export type CutMode = 'fail' | 'hang';

/**
 * The `connect` function given to a node's SyncClient, with a switch: `cut()` closes the current
 * connection and makes new attempts fail or hang until `heal()`. `auth` signs the node in as its
 * own terminal (see nodeAuthOptions); without it the node connects anonymously.
 */
export class NodeLink {
  private isCut = false;
  private current: NatsConnection | undefined;
  private waiters: { resolve: () => void; reject: (error: Error) => void }[] = [];
  private disposed = false;

  constructor(
    private readonly natsUrl: string,
    private readonly name: string,
    private readonly mode: CutMode = 'fail',
    private readonly auth: Partial<ConnectionOptions> = {},
  ) {}

  get cut(): boolean {
    return this.isCut;
  }

  readonly connect = async (): Promise<NatsConnection> => {
    if (this.disposed) throw new Error('link disposed');
    if (this.isCut) {
      if (this.mode === 'fail') throw new Error('network unreachable (cut by the simulator)');
      await new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    }
    const nc = await connect({
      servers: this.natsUrl,
      name: this.name,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      // Let a restarting nats-server come back without the client giving up on its first try.
      waitOnFirstConnect: true,
      // As a store node connects (apps/store-node): no async stack built up front for every publish.
      noAsyncTraces: true,
      // Its own terminal user: the authenticator, and the inbox prefix its permissions allow.
      ...this.auth,
    });
    if (this.isCut || this.disposed) {
      await nc.close().catch(() => undefined);
      throw new Error('network unreachable (cut by the simulator)');
    }
    this.current = nc;
    return nc;
  };

  /** Cuts the node off: its connection closes now and reconnecting fails (or hangs) until heal(). */
  async cutOff(): Promise<void> {
    this.isCut = true;
    const nc = this.current;
    this.current = undefined;
    await nc?.close().catch(() => undefined);
  }

  heal(): void {
    this.isCut = false;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.resolve();
  }

  /** Fails pending attempts so that the SyncClient can stop. */
  dispose(): void {
    this.disposed = true;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.reject(new Error('link disposed'));
  }
}
