import { type JetStreamClient, type JetStreamManager, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import type { DecidedEvent, InventoryEvent } from '@stocknerve/domain';
import { BehaviorSubject, type Observable } from 'rxjs';
import { HUB_NAMES, heartbeatSubjectOf, type NodeIdentity } from './identity.js';
import { type Entropy, EventLog, systemEntropy } from './local-db/event-log.js';
import type { LocalDb } from './local-db/local-db.js';
import { backoffMs } from './outbox/backoff.js';
import { type OutboxOptions, OutboxPublisher } from './outbox/outbox-publisher.js';
import { KvReplica } from './pull/kv-replica.js';
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
}

interface HubWatermark {
  watermark: number;
  maxSeq: number;
  gaps: [number, number][];
  asOf: string;
}

/**
 * One node's replication: records go to the local log (the commit point) and the outbox sends
 * them; KV replicas pull the hub's projections; anti-entropy re-sends what the hub lacks; a
 * heartbeat tells the hub the node is alive. Nothing here ever blocks the cashier on the network.
 */
export class SyncClient {
  readonly log: EventLog;
  private readonly statusSubject = new BehaviorSubject<SyncStatus>(initialSyncStatus());
  private readonly outbox: OutboxPublisher;
  private readonly replicas = new Map<string, KvReplica>();
  private nc: NatsConnection | undefined;
  private running = false;
  private connecting: Promise<void> | undefined;
  private timers: ReturnType<typeof setInterval>[] = [];
  private restored: Promise<void> = Promise.resolve();
  private resolveRestored: (() => void) | undefined;
  private readonly now: () => number;
  private watermarkWatchSince: number | null = null;
  /** KV revision of the watermark in status, and the newest one the watch itself delivered. */
  private watermarkRevision = 0;
  private watchedRevision = 0;
  /** When a direct read first found the watch behind (null: it was not). */
  private watchBehindSince: number | null = null;
  private jsm: JetStreamManager | undefined;
  private refreshing: Promise<void> | undefined;
  private refreshAgain = false;
  /** Bumped on every connect, reconnect and disconnect: a set-up only runs for its own link. */
  private link = 0;

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
        onError: (error) => this.patch({ lastError: String((error as Error)?.message ?? error) }),
      },
      { ...options.outbox, now: this.now },
    );
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
    this.running = true;
    await this.refreshPending();
    this.timers.push(setInterval(() => void this.refreshPending(), 1000));
    this.timers.push(setInterval(() => this.heartbeat(), this.options.heartbeatMs ?? 5000));
    this.timers.push(
      setInterval(
        () =>
          void this.checkWatches()
            .then(() => this.antiEntropy())
            .catch((error: unknown) => this.noteBackgroundFailure('anti-entropy', error)),
        Math.max(1000, (this.options.antiEntropyGraceMs ?? 30_000) / 2),
      ),
    );
    this.connecting = this.connectLoop();
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

  /** Replica of a bucket slice, e.g. to read its `lastPullAt` or whether it caught up. */
  replica(bucket: string, key: string): KvReplica | undefined {
    return this.replicas.get(`${bucket}|${key}`);
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    for (const r of this.replicas.values()) r.stop();
    await this.outbox.stop();
    const nc = this.nc;
    this.nc = undefined;
    await nc?.close().catch(() => undefined);
    await this.connecting?.catch(() => undefined);
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

  private async connectLoop(): Promise<void> {
    let attempt = 0;
    while (this.running) {
      let nc: NatsConnection;
      try {
        nc = await this.options.connect();
      } catch (error) {
        this.patch({ connected: false, lastError: `cannot reach NATS: ${String((error as Error)?.message ?? error)}` });
        attempt++;
        await new Promise((r) => setTimeout(r, backoffMs(attempt, 500, 10_000)));
        continue;
      }
      if (!this.running) {
        await nc.close();
        return;
      }
      attempt = 0;
      this.nc = nc;
      // Statuses are followed while the connection is being set up: a server that dies during
      // the set-up must show as offline, and the set-up must run again after the reconnect.
      const statuses = nc.status();
      void this.setUp(nc, ++this.link);
      try {
        for await (const s of statuses) {
          if (s.type === 'disconnect') {
            this.link++;
            this.patch({ connected: false });
          }
          if (s.type === 'reconnect') void this.setUp(nc, ++this.link);
        }
      } catch (error) {
        this.patch({ lastError: String((error as Error)?.message ?? error) });
      }
      await nc.closed();
      this.link++;
      this.outbox.detach();
      this.patch({ connected: false });
    }
  }

  /**
   * Sets up a (re)established connection, retrying with backoff until it succeeds or the link
   * changes. A set-up that failed once (a JetStream API timeout, the server dying again right after
   * a reconnect) used to end the status loop: the node then showed connected forever, never
   * restarted its KV watches, and a pending restore (and so `record`) waited forever.
   */
  private async setUp(nc: NatsConnection, link: number): Promise<void> {
    for (let attempt = 1; this.running && link === this.link && !nc.isClosed(); attempt++) {
      try {
        await this.onConnected(nc);
        return;
      } catch (error) {
        if (link === this.link) this.patch({ lastError: String((error as Error)?.message ?? error) });
        await new Promise((r) => setTimeout(r, backoffMs(attempt, 500, 10_000)));
      }
    }
  }

  private async onConnected(nc: NatsConnection): Promise<void> {
    this.patch({ connected: true, lastContactAt: this.now(), lastError: null });
    this.watermarkWatchSince ??= this.now();
    const js = jetstream(nc);
    const jsm = await jetstreamManager(nc);
    this.jsm = jsm;
    // Revisions are compared within one connection's view of the bucket (it may have been recreated).
    this.watermarkRevision = 0;
    this.watchedRevision = 0;
    this.watchBehindSince = null;
    if (this.resolveRestored) await this.restore(js, jsm);
    this.outbox.attach(nc);
    await this.startReplicas(nc);
    this.heartbeat();
  }

  private async restore(js: JetStreamClient, jsm: JetStreamManager): Promise<void> {
    await restoreFromHub(this.log, js, jsm, this.now);
    const wm = await jsm.streams
      .getMessage(`KV_${HUB_NAMES.watermarksBucket}`, {
        last_by_subj: `$KV.${HUB_NAMES.watermarksBucket}.${this.options.identity.node}`,
      })
      .then((m) => (m ? (m.json() as HubWatermark) : null))
      .catch(() => null);
    if (wm) this.log.reserveThrough(wm.maxSeq);
    this.resolveRestored?.();
    this.resolveRestored = undefined;
    this.patch({ restoring: false, lastSeq: this.log.seq });
  }

  private ensureReplica(
    nc: NatsConnection,
    bucket: string,
    key: string,
    onValue?: (value: Record<string, unknown> | null, revision: number) => void,
  ) {
    const id = `${bucket}|${key}`;
    let replica = this.replicas.get(id);
    if (!replica) {
      replica = new KvReplica(this.options.db, {
        bucket,
        key,
        now: this.now,
        onValue: (_key, value, revision) => {
          const at = this.now();
          this.patch({ lastPull: { ...this.status.lastPull, [bucket]: at }, lastContactAt: at });
          onValue?.(value, revision);
        },
      });
      this.replicas.set(id, replica);
    }
    return replica.start(nc);
  }

  private async startReplicas(nc: NatsConnection): Promise<void> {
    const { identity } = this.options;
    await Promise.all([
      this.ensureReplica(nc, HUB_NAMES.catalogBucket, '>'),
      this.ensureReplica(nc, HUB_NAMES.locationsBucket, '>', (value) => {
        if (value && this.options.nearby === undefined) void this.watchNearby(nc, value);
      }),
      this.ensureReplica(nc, HUB_NAMES.pickupsBucket, `${identity.location}.>`),
      this.ensureReplica(nc, HUB_NAMES.reservationsBucket, `${identity.location}.>`),
      this.ensureReplica(nc, HUB_NAMES.stockBucket, `${identity.location}.>`),
      this.ensureReplica(nc, HUB_NAMES.watermarksBucket, identity.node, (value, revision) => {
        this.watermarkWatchSince ??= this.now();
        this.watchedRevision = Math.max(this.watchedRevision, revision);
        if (value) this.useWatermark(value as unknown as HubWatermark, revision);
      }),
      ...(Array.isArray(this.options.nearby) ? this.options.nearby : []).map((l) =>
        this.ensureReplica(nc, HUB_NAMES.stockBucket, `${l}.>`),
      ),
    ]);
  }

  /** Region mode: every location of this node's region gets a stock replica once it is known. */
  private async watchNearby(nc: NatsConnection, location: Record<string, unknown>): Promise<void> {
    if (location.region !== this.options.identity.region || typeof location.location !== 'string') return;
    if (this.replicas.has(`${HUB_NAMES.stockBucket}|${location.location}.>`)) return;
    await this.ensureReplica(nc, HUB_NAMES.stockBucket, `${location.location}.>`).catch(() => undefined);
  }

  private heartbeat(): void {
    const nc = this.nc;
    if (!nc || nc.isClosed() || !this.status.connected) return;
    const { identity } = this.options;
    const s = this.status;
    nc.publish(
      heartbeatSubjectOf(identity),
      JSON.stringify({
        ...identity,
        pending: s.pending,
        oldestPendingAgeMs: s.oldestPendingAgeMs,
        lastAckedSeq: this.log.outbox.ackedThrough,
        ...(this.options.appVersion ? { appVersion: this.options.appVersion } : {}),
      }),
    );
  }

  /** Takes a watermark unless a newer one (by KV revision) is already in the status. */
  private useWatermark(value: HubWatermark, revision: number): void {
    if (revision < this.watermarkRevision) return;
    this.watermarkRevision = revision;
    this.patch({ hubWatermark: value });
    void this.antiEntropy().catch((error: unknown) => this.noteBackgroundFailure('anti-entropy', error));
  }

  /** Work started by a timer or a watch has no caller to reject to: its failure shows in the status. */
  private noteBackgroundFailure(what: string, error: unknown): void {
    this.patch({ lastError: `${what}: ${String((error as Error)?.message ?? error)}` });
  }

  /**
   * Reads this node's watermark straight from its bucket and compares it with what the watch
   * delivered. After a nats-server restart a KV watch can stall without any error (seen in the
   * chaos test: stuck 1,800 seqs behind for 30 s while the bucket moved on); when a direct read
   * finds the watch behind on two checks in a row, every watch is restarted. The value read is used
   * at once, so anti-entropy never re-sends on a stale view.
   */
  private async checkWatches(): Promise<void> {
    const { jsm, nc } = this;
    if (!jsm || !nc || !this.status.connected) return;
    const latest = await jsm.streams
      .getMessage(`KV_${HUB_NAMES.watermarksBucket}`, {
        last_by_subj: `$KV.${HUB_NAMES.watermarksBucket}.${this.options.identity.node}`,
      })
      .catch(() => null);
    if (!latest) return;
    if (latest.seq <= this.watchedRevision) {
      this.watchBehindSince = null;
      return;
    }
    let value: HubWatermark;
    try {
      value = latest.json<HubWatermark>();
    } catch {
      return; // not JSON: the hub did not write it; the watch's own value stays in use
    }
    this.useWatermark(value, latest.seq);
    if (this.watchBehindSince === null) {
      this.watchBehindSince = this.now();
      return;
    }
    this.watchBehindSince = null;
    this.patch({ watchesRestarted: this.status.watchesRestarted + 1 });
    await this.startReplicas(nc).catch(() => undefined);
  }

  /**
   * Compares what this node believes acked with the hub's applied watermark and re-sends what the
   * hub lacks (a broker that lost acknowledged messages, a re-send after the dedupe window). Only
   * events acked longer than the grace period ago count: the hub may simply not have applied them yet.
   */
  async antiEntropy(): Promise<number> {
    const wm = this.status.hubWatermark ?? { watermark: 0, maxSeq: 0, gaps: [], asOf: '' };
    if (!this.status.connected) return 0;
    // No watermark yet: the hub may never have applied anything of ours, or the watch has not
    // delivered it yet. Only after the watch has run for a grace period is "nothing" an answer.
    if (!this.status.hubWatermark) {
      const since = this.watermarkWatchSince ?? this.now();
      if (this.now() - since < (this.options.antiEntropyGraceMs ?? 30_000)) return 0;
    }
    const missing = await this.log.ackedMissingAtHub(
      wm.watermark,
      wm.maxSeq,
      wm.gaps,
      this.now() - (this.options.antiEntropyGraceMs ?? 30_000),
    );
    const requeued = await this.log.markPending(missing);
    if (requeued > 0) this.patch({ resent: this.status.resent + requeued });
    return requeued;
  }
}
