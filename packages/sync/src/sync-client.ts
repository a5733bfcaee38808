import { type JetStreamClient, type JetStreamManager, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import type { DecidedEvent, InventoryEvent } from '@stocknerve/domain';
import type { NodeIdentity } from '@stocknerve/protocol';
import { BehaviorSubject, type Observable } from 'rxjs';
import { askHubTime } from './connection/clock-check.js';
import { heartbeatOf, publishHeartbeat } from './connection/heartbeat.js';
import { NatsLink } from './connection/nats-link.js';
import { type Entropy, EventLog, systemEntropy } from './local-db/event-log.js';
import type { LocalDb } from './local-db/local-db.js';
import { AntiEntropy, readOwnWatermark } from './outbox/anti-entropy.js';
import { type OutboxOptions, OutboxPublisher } from './outbox/outbox-publisher.js';
import { HubReplicas } from './pull/hub-replicas.js';
import type { KvReplica } from './pull/kv-replica.js';
import { restoreFromHub } from './restore/restore-from-hub.js';
import { initialSyncStatus, type SyncStatus } from './status.js';

export interface SyncClientOptions {
  readonly identity: NodeIdentity;
  readonly db: LocalDb;
  /** Opens a NATS connection: TCP in Node (`@nats-io/transport-node`), WebSocket in a browser. */
  readonly connect: () => Promise<NatsConnection>;
  readonly entropy?: Entropy;
  /** Whose stock to pull for nearby lookup: this region's locations (default) or a list. */
  readonly nearby?: 'region' | readonly string[];
  /** Heartbeat period, ms. Default 5000. */
  readonly heartbeatMs?: number;
  /** An acked event the hub still lacks after this long (ms) is re-sent. Default 30000. */
  readonly antiEntropyGraceMs?: number;
  /** Restore a wiped (empty) log from the hub before recording. Default true. */
  readonly restoreWhenEmpty?: boolean;
  readonly outbox?: OutboxOptions;
  readonly appVersion?: string;
  /** How often the terminal's clock is checked against the hub's, besides on every connect, ms. Default 60000. */
  readonly clockCheckMs?: number;
}

const messageOf = (error: unknown) => String((error as Error)?.message ?? error);

/** Times a connection asks the hub for its time again when no hub answered (1, 2, 4, 8, 16 s apart). */
const CONNECT_CLOCK_RETRIES = 5;

/**
 * One node's replication: records go to the local log (the commit point) and the outbox sends
 * them; KV replicas pull the hub's projections; anti-entropy re-sends what the hub lacks; a
 * heartbeat tells the hub the node is alive. Nothing here ever blocks the cashier on the network.
 */
export class SyncClient {
  readonly log: EventLog;
  private readonly statusSubject = new BehaviorSubject<SyncStatus>(initialSyncStatus());
  private readonly outbox: OutboxPublisher;
  private readonly link: NatsLink;
  private readonly replicas: HubReplicas;
  private readonly antiEntropy: AntiEntropy;
  private timers: ReturnType<typeof setInterval>[] = [];
  private restored: Promise<void> = Promise.resolve();
  private resolveRestored: (() => void) | undefined;
  private readonly now: () => number;
  private jsm: JetStreamManager | undefined;
  private refreshing: Promise<void> | undefined;
  private refreshAgain = false;

  constructor(private readonly options: SyncClientOptions) {
    const entropy = options.entropy ?? systemEntropy;
    this.now = () => entropy.now();
    this.log = new EventLog(options.db, options.identity, entropy);
    this.outbox = new OutboxPublisher(
      this.log,
      {
        onAck: (_n, at) => {
          this.patch({ lastAckAt: at, lastContactAt: at, lastError: null });
          void this.refreshPending();
        },
        onError: (error) => this.patch({ lastError: messageOf(error) }),
      },
      { ...options.outbox, now: this.now },
    );
    const invalid = (bucketName: string, key: string, problem: string) =>
      this.patch({
        invalidValues: this.status.invalidValues + 1,
        lastError: `ignored a malformed value of ${bucketName} ${key}: ${problem}`,
      });
    this.antiEntropy = new AntiEntropy({
      identity: options.identity,
      log: this.log,
      graceMs: options.antiEntropyGraceMs ?? 30_000,
      now: this.now,
      status: () => this.status,
      patch: (change) => this.patch(change),
      invalid: (problem) => invalid('inv_watermarks', options.identity.node, problem),
    });
    this.replicas = new HubReplicas({
      identity: options.identity,
      db: options.db,
      ...(options.nearby === undefined ? {} : { nearby: options.nearby }),
      now: this.now,
      pulled: (bucketName, at) =>
        this.patch({ lastPull: { ...this.status.lastPull, [bucketName]: at }, lastContactAt: at }),
      watermark: (value, revision) => this.antiEntropy.watched(value, revision),
      invalid,
    });
    this.link = new NatsLink(options.connect, {
      setUp: (nc) => this.setUp(nc),
      down: () => this.patch({ connected: false }),
      closed: () => this.outbox.detach(),
      problem: (message) => this.patch({ lastError: message }),
      credentialsRefused: (message) => {
        if (message !== this.status.authProblem) this.patch({ authProblem: message });
      },
    });
  }

  /** Sync state as it changes. */
  get status$(): Observable<SyncStatus> {
    return this.statusSubject.asObservable();
  }

  get status(): SyncStatus {
    return this.statusSubject.value;
  }

  private patch(change: Partial<SyncStatus>): void {
    this.statusSubject.next({ ...this.statusSubject.value, ...change });
  }

  /** Opens the log and starts connecting in the background; resolves without waiting for NATS. */
  async start(): Promise<void> {
    await this.log.init();
    if (this.log.outboxProblem) this.patch({ lastError: this.log.outboxProblem });
    if (this.log.isEmpty && (this.options.restoreWhenEmpty ?? true)) {
      this.restored = new Promise((resolve) => {
        this.resolveRestored = resolve;
      });
      this.patch({ restoring: true });
    }
    await this.refreshPending();
    this.timers.push(setInterval(() => void this.refreshPending(), 1000));
    this.timers.push(setInterval(() => this.heartbeat(), this.options.heartbeatMs ?? 5000));
    // Besides on every connect: a clock fixed while connected must clear the warning.
    this.timers.push(setInterval(() => this.checkClock(), this.options.clockCheckMs ?? 60_000));
    this.timers.push(
      setInterval(
        () =>
          void this.checkWatches()
            .then(() => this.antiEntropy.run())
            .catch((error: unknown) => this.patch({ lastError: `anti-entropy: ${messageOf(error)}` })),
        Math.max(1000, (this.options.antiEntropyGraceMs ?? 30_000) / 2),
      ),
    );
    this.link.start();
  }

  /**
   * Records decided events locally: resolves once they are stored, online or not. Waits only for a
   * restore in progress on a wiped terminal (so no seq is ever reused).
   */
  async record(
    decided: readonly DecidedEvent[],
    ctx: { correlationId: string; causationId?: string },
  ): Promise<InventoryEvent[]> {
    await this.restored;
    const events = await this.log.record(decided, ctx);
    void this.refreshPending();
    return events;
  }

  /** Replica of a bucket slice (bucket by full name), e.g. to read its `lastPullAt` or whether it caught up. */
  replica(bucketName: string, key: string): KvReplica | undefined {
    return this.replicas.get(bucketName, key);
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.replicas.stop();
    await this.outbox.stop();
    await this.link.stop();
  }

  /**
   * Re-reads the pending count into the status. Coalesced: at most one read runs, and calls made
   * meanwhile share one more read after it. (Uncoalesced, every record and every ack queued its own
   * count query, and a burst of records starved the outbox's own reads of the log.)
   */
  private refreshPending(): Promise<void> {
    if (this.refreshing) {
      this.refreshAgain = true;
      return this.refreshing;
    }
    const run = async () => {
      do {
        this.refreshAgain = false;
        await this.readPending();
      } while (this.refreshAgain);
    };
    this.refreshing = run().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async readPending(): Promise<void> {
    try {
      const { count, oldestRecordedAt } = await this.log.pendingSummary();
      this.patch({
        pending: count,
        oldestPendingAgeMs: oldestRecordedAt === null ? null : Math.max(0, this.now() - oldestRecordedAt),
        lastSeq: this.log.seq,
        ackedThrough: this.log.outbox.ackedThrough,
        requeued: this.log.outbox.requeued,
      });
    } catch {
      // The database is closing.
    }
  }

  /** Sets up a new or re-established connection: restore if wiped, outbox, watches, heartbeat. */
  private async setUp(nc: NatsConnection): Promise<void> {
    this.patch({ connected: true, lastContactAt: this.now(), lastError: null });
    this.checkClock(nc, CONNECT_CLOCK_RETRIES);
    this.antiEntropy.connected();
    const js = jetstream(nc);
    const jsm = await jetstreamManager(nc);
    this.jsm = jsm;
    if (this.resolveRestored) await this.restore(js, jsm);
    this.outbox.attach(nc);
    await this.replicas.start(nc);
    this.heartbeat();
  }

  private async restore(js: JetStreamClient, jsm: JetStreamManager): Promise<void> {
    await restoreFromHub(this.log, js, jsm, this.now);
    // Seqs the hub applied but the stream no longer holds are never reused either.
    const wm = await readOwnWatermark(jsm, this.options.identity);
    if (wm) this.log.reserveThrough(wm.value.maxSeq);
    this.resolveRestored?.();
    this.resolveRestored = undefined;
    this.patch({ restoring: false, lastSeq: this.log.seq });
  }

  /**
   * Asks the hub for its time and puts the answer in the status (never waited for: a hub that does
   * not answer leaves the last answer as it was). `retries`: asks again 1, 2, 4... s later while no
   * hub answers on this connection (after an outage the hub may reconnect after this node). A clock
   * found right again also sets back a HLC it had left ahead.
   */
  private checkClock(nc: NatsConnection | undefined = this.link.connection, retries = 0): void {
    if (!nc || nc.isClosed() || !this.status.connected) return;
    void askHubTime(nc, this.now)
      .then(async (clock) => {
        // Set back first: once the status says the clock is right, a count is stamped right.
        if (clock.ok) await this.log.rebaseClock(clock.checkedAt, clock.maxSkewMs);
        this.patch({ clock });
      })
      .catch(() => {
        if (retries > 0 && nc === this.link.connection)
          setTimeout(() => this.checkClock(nc, retries - 1), 1000 * 2 ** (CONNECT_CLOCK_RETRIES - retries));
      });
  }

  private heartbeat(): void {
    const nc = this.link.connection;
    if (!nc || nc.isClosed() || !this.status.connected) return;
    const backlog = { ...this.status, ackedThrough: this.log.outbox.ackedThrough };
    publishHeartbeat(nc, heartbeatOf(this.options.identity, backlog, this.options.appVersion));
  }

  /** A watch found stalled by two direct reads in a row is restarted, with every other watch. */
  private async checkWatches(): Promise<void> {
    const { jsm } = this;
    const nc = this.link.connection;
    if (!jsm || !nc || !this.status.connected) return;
    if ((await this.antiEntropy.checkWatch(jsm)) !== 'stalled') return;
    this.patch({ watchesRestarted: this.status.watchesRestarted + 1 });
    await this.replicas.start(nc).catch(() => undefined);
  }
}
