import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import type { CommandRouter } from './cluster/command-router.js';
import type { InstanceDirectory } from './cluster/instance-status.js';
import type { LeaderLease } from './cluster/leader-lease.js';
import type { CommandBus } from './commands/command-bus.js';
import type { ExpirySweeper } from './commands/expiry-sweeper.js';
import type { HubConfig } from './config.js';
import type { Enrollment } from './identity/enrollment.js';
import type { KvPublisher } from './kv/kv-publisher.js';
import type { Logger } from './logger.js';
import type { HubMetrics } from './metrics.js';
import type { Projector } from './projector/projector.js';
import type { ViewWriter } from './projector/view-writer.js';
import type { SqlStore } from './store/sql-store.js';

/** Everything the HTTP layer and the CLI use; built once by `startHub`. */
export interface HubContext {
  readonly config: HubConfig;
  /** Terminal enrollment and revocation; absent when the hub has no identity directory. */
  readonly enrollment: Enrollment | undefined;
  readonly log: Logger;
  readonly store: SqlStore;
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly writer: ViewWriter;
  readonly projector: Projector;
  /** The writer: decides and appends commands while this instance leads. */
  readonly bus: CommandBus;
  /** Where HTTP commands go: the bus when this instance leads, else the leader over NATS. */
  readonly commands: CommandRouter;
  /** Which instance leads. */
  readonly lease: LeaderLease;
  /** Every hub instance on this stream, as they last reported. */
  readonly instances: InstanceDirectory;
  readonly kv: KvPublisher;
  readonly sweeper: ExpirySweeper;
  readonly metrics: HubMetrics;
  /** Wall clock, ms (injectable for tests). */
  readonly now: () => number;
  /** Replays the stream into fresh views while the hub keeps serving (admin). */
  rebuild(): Promise<{ messages: number; lastSeq: number; ms: number }>;
}
