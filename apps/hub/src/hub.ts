import { createServer, type Server } from 'node:http';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { Subscription } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { NAMES } from '@stocknerve/protocol';
import { deleteProjectorConsumer, ensureBackbone } from './backbone/ensure-backbone.js';
import { CommandRouter } from './cluster/command-router.js';
import { serveForwardedCommands } from './cluster/command-service.js';
import { InstanceDirectory, InstanceStatusPublisher } from './cluster/instance-status.js';
import { LeaderLease } from './cluster/leader-lease.js';
import { CommandBus } from './commands/command-bus.js';
import { ExpirySweeper } from './commands/expiry-sweeper.js';
import { listenToHeartbeats } from './commands/heartbeats.js';
import { Reconciler } from './commands/reconciler.js';
import { answerTimeRequests } from './commands/time-responder.js';
import type { HubConfig } from './config.js';
import { createHttpHandler } from './http/app.js';
import type { HubContext } from './hub-context.js';
import { openEnrollment } from './identity/open-enrollment.js';
import { KvPublisher } from './kv/kv-publisher.js';
import { natsKvSink } from './kv/kv-sink.js';
import { createLogger, type Logger } from './logger.js';
import { HubMetrics } from './metrics.js';
import { natsOptions } from './nats-options.js';
import { Projector, projectorConsumerName } from './projector/projector.js';
import { rebuildViews } from './projector/rebuild.js';
import { isRecordedStream } from './projector/stream-integrity.js';
import { ViewWriter } from './projector/view-writer.js';
import { PAGE_SIZE, pageSizeOf } from './store/page-size.js';
import { ensureViewSchema } from './store/schema.js';
import { openViewStore } from './store/view-store.js';
import { locationFreshness, trustFrom } from './views/freshness.js';

/** How long a starting hub waits for JetStream to answer (a cluster electing its stream leaders). */
const JETSTREAM_START_WAIT_MS = 120_000;

/**
 * Runs fn until JetStream answers it: after a cluster (re)starts, its streams answer only once each
 * has elected a leader, which can take longer than one request's timeout.
 */
const untilJetStreamAnswers = async <T>(log: Logger, fn: () => Promise<T>): Promise<T> => {
  const deadline = Date.now() + JETSTREAM_START_WAIT_MS;
  for (;;) {
    try {
      return await fn();
    } catch (error) {
      const transient = /timeout|no responders|503|jetstream not (enabled|available)|leader/i.test(String(error));
      if (!transient || Date.now() > deadline) throw error;
      log.warn({ err: error }, 'JetStream is not answering yet (a cluster electing leaders?); retrying');
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
};

export interface HubHandle {
  readonly ctx: HubContext;
  /** Base URL of the HTTP API, e.g. http://127.0.0.1:7480. */
  readonly url: string;
  /**
   * Resolves once the views hold the stream as it was at start and this instance leads or knows
   * which instance does (commands sent before wait for that themselves).
   */
  settled(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Starts the hub: backbone, projector, command writer, KV publisher, sweepers and the HTTP API. */
export const startHub = async (config: HubConfig, options: { now?: () => number } = {}): Promise<HubHandle> => {
  const now = options.now ?? Date.now;
  const log = createLogger(config.logLevel);
  const store = openViewStore(config.dbPath, log);
  if (ensureViewSchema(store).rebuilt) log.warn('view schema changed: views dropped, replaying the stream');
  const pageSize = pageSizeOf(store);
  if (pageSize !== PAGE_SIZE)
    log.info(
      { pageSize, current: PAGE_SIZE },
      'the views file has pages of an older size; the offline rebuild (hub stopped) rewrites it, for faster ingest',
    );
  const nc = await connect({
    ...natsOptions(config, 'stocknerve-hub'),
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    // Otherwise every request (each KV put) builds an Error with a stack up front, in case it fails
    // (docs/decisions/0023-allocation-on-hot-paths.md). A failed request still says what and why.
    noAsyncTraces: true,
  });
  const js = jetstream(nc);
  const jsm = await untilJetStreamAnswers(log, () => jetstreamManager(nc));
  const { buckets } = await untilJetStreamAnswers(log, () =>
    ensureBackbone(nc, jsm, { duplicateWindowMs: config.duplicateWindowMs, replicas: config.replicas }),
  );

  const metrics = new HubMetrics();
  const writer = new ViewWriter(store);
  const kv = new KvPublisher(store, natsKvSink(nc), log, config.kvFlushMs, config.kvMaxPutsPerSecond);
  const policy = config;
  const trust = () => trustFrom(locationFreshness(store, policy, now()), policy);
  let reconciler: Reconciler | undefined;
  // Set once the lease exists; effects outside the views (KV, reconciliation, dead-letter copies)
  // are the leader's.
  let leading = () => false;
  const projector = new Projector({
    consumerName: projectorConsumerName(config.instanceId),
    copiesDeadLetters: () => leading(),
    js,
    jsm,
    store,
    writer,
    log,
    batchSize: config.batchSize,
    maxClockSkewMs: config.maxClockSkewMs,
    integrityCheckMs: config.integrityCheckMs,
    onBatch: (result) => {
      metrics.batches++;
      metrics.eventsApplied += result.effects.applied;
      metrics.duplicatesAbsorbed += result.effects.duplicates;
      for (const dl of result.deadLetters)
        metrics.deadLetters.set(dl.reason, (metrics.deadLetters.get(dl.reason) ?? 0) + 1);
      if (!leading()) return;
      kv.note(result.effects);
      reconciler?.onBatch(result.effects);
    },
  });
  let lease: LeaderLease | undefined;
  const bus = new CommandBus({
    js,
    jsm,
    store,
    projector,
    log,
    trust,
    now,
    groupMax: config.commandGroupMax,
    instanceId: config.instanceId,
    mayWrite: () => (lease ? lease.writable() : 'the hub is starting'),
    leadershipKnown: async () => {
      if (lease && !lease.isLeader && lease.status().leader === undefined)
        await lease.whenSettled(config.readWaitMs + 60_000);
    },
    onFenced: () => lease?.checkNow(),
  });
  reconciler = new Reconciler(store, bus, log);
  const sweeper = new ExpirySweeper(store, bus, log, config.expirySweepMs, now);
  let service: Subscription | undefined;
  lease = new LeaderLease({
    kv: buckets.cluster,
    instanceId: config.instanceId,
    leaseMs: config.leaseMs,
    log,
    onElected: () => {
      bus.abandon('this instance just became the leader');
      void projector.copyDeadLetters().catch((error: unknown) => log.warn({ err: error }, 'dead-letter copy failed'));
      service ??= serveForwardedCommands(nc, bus, log);
      sweeper.start();
      kv.markAll();
      kv.start();
      void reconciler?.reconcileAll().catch((error: unknown) => log.warn({ err: error }, 'reconciliation failed'));
    },
    onDeposed: (reason) => {
      metrics.stepDowns++;
      service?.unsubscribe();
      service = undefined;
      sweeper.stop();
      kv.pause();
      bus.abandon(`this instance stopped leading (${reason})`);
    },
  });
  const leaderLease = lease;
  leading = () => leaderLease.isLeader;
  const instances = new InstanceDirectory(buckets.cluster, 10_000);
  const commands = new CommandRouter({
    nc,
    bus,
    lease,
    projector,
    forwardTimeoutMs: 10_000,
    readWaitMs: config.readWaitMs,
  });

  const enrollment = config.identityDir ? await openEnrollment(config, nc, now) : undefined;
  if (enrollment)
    await enrollment
      .publishRevocations()
      .catch((error: unknown) => log.error({ err: error }, 'could not push the revocation list to the NATS servers'));

  const rebuildOptions = {
    js,
    jsm,
    store,
    writer,
    log,
    batchSize: config.rebuildBatchSize,
    maxClockSkewMs: config.maxClockSkewMs,
  };
  const ctx: HubContext = {
    config,
    enrollment,
    log,
    store,
    nc,
    js,
    jsm,
    writer,
    projector,
    bus,
    commands,
    lease,
    instances,
    kv,
    sweeper,
    metrics,
    now,
    rebuild: () =>
      bus.exclusive(async () => {
        await projector.stop();
        try {
          return await rebuildViews(rebuildOptions);
        } finally {
          await projector.start();
          if (leading()) kv.markAll();
        }
      }),
  };

  // Power loss on nats-server 2.9 can lose the stream's newest messages while the views (fsynced
  // by SQLite) kept them: new messages would then reuse sequences the checkpoint already covers.
  // Views ahead of the stream are rebuilt from what the stream holds; nodes re-send the rest.
  // A stream created anew is not one that lost messages: the projector's integrity check reports it.
  const stream = await jsm.streams.info(NAMES.eventStream);
  if (stream.state.last_seq < writer.checkpoint() && isRecordedStream(store, stream)) {
    log.error(
      { checkpoint: writer.checkpoint(), streamLastSeq: stream.state.last_seq },
      'the event stream is behind the views (lost messages?): rebuilding the views from the stream',
    );
    await rebuildViews(rebuildOptions);
  }
  await projector.start();
  const heartbeats: Subscription = listenToHeartbeats(nc, store, log, now);
  const timeRequests: Subscription = answerTimeRequests(nc, log, now, config.maxClockSkewMs);
  // An instance stands for leader once its views hold the stream as it was at start.
  let closing = false;
  void projector.waitFor(stream.state.last_seq, 0).then(() => {
    if (!closing) leaderLease.start();
  });
  const lagTimer = setInterval(() => {
    jsm.streams
      .info(NAMES.eventStream)
      .then((info) => {
        metrics.lagMessages = Math.max(0, info.state.last_seq - projector.checkpoint);
        if (projector.checkStall(info.state.last_seq)) metrics.projectorRestarts++;
        metrics.lagSeconds =
          metrics.lagMessages > 0 && info.state.last_ts
            ? Math.max(0, (now() - Date.parse(info.state.last_ts)) / 1000)
            : 0;
      })
      .catch(() => undefined);
  }, 1000);

  const startedAt = new Date(now()).toISOString();
  let url = '';
  const instanceStatus = new InstanceStatusPublisher(
    buckets.cluster,
    config.instanceId,
    () => ({
      role: leaderLease.isLeader ? 'leader' : 'follower',
      url,
      checkpoint: projector.checkpoint,
      lagMessages: metrics.lagMessages,
      startedAt,
    }),
    log,
  );
  const app = createHttpHandler(ctx);
  const server: Server = await new Promise((resolve) => {
    const s = createServer(
      {
        headersTimeout: config.httpHeadersTimeoutMs,
        requestTimeout: config.httpRequestTimeoutMs,
        keepAliveTimeout: config.httpKeepAliveTimeoutMs,
        // Both timeouts are enforced only when the server looks at its connections: often enough
        // that a slow client is cut within a second or so of its deadline.
        connectionsCheckingInterval: Math.min(1000, Math.ceil(config.httpHeadersTimeoutMs / 4)),
      },
      app,
    ).listen(config.httpPort, config.httpHost, () => resolve(s));
    s.maxConnections = config.maxConnections;
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.httpPort;
  url = `http://${config.httpHost}:${port}`;
  instanceStatus.start();
  instances.start();
  log.info({ url, nats: config.natsUrl, db: config.dbPath, instance: config.instanceId }, 'hub started');

  return {
    ctx,
    url,
    settled: async (timeoutMs = 60_000) => {
      await projector.waitFor(stream.state.last_seq, timeoutMs);
      await leaderLease.whenSettled(timeoutMs);
    },
    close: async () => {
      closing = true;
      clearInterval(lagTimer);
      sweeper.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections?.();
      heartbeats.unsubscribe();
      timeRequests.unsubscribe();
      await bus.idle();
      // Given up, the lease passes to another instance at once instead of after it runs out.
      await leaderLease.stop();
      instances.stop();
      await instanceStatus.stop();
      await projector.stop();
      await deleteProjectorConsumer(jsm, projector.consumerName).catch(() => undefined);
      await kv.stop().catch(() => undefined);
      await nc.drain().catch(() => undefined);
      store.close();
    },
  };
};
