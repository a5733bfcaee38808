import { randomBytes } from 'node:crypto';
import type { ConsumerMessages, JetStreamClient, JetStreamManager, JsMsg } from '@nats-io/jetstream';
import { headers } from '@nats-io/nats-core';
import { DEFAULT_MAX_CLOCK_SKEW_MS } from '@stocknerve/domain';
import { deadLetterSubject, NAMES } from '@stocknerve/protocol';
import { resetProjectorConsumer } from '../backbone/ensure-backbone.js';
import type { Logger } from '../logger.js';
import type { SqlStore } from '../store/sql-store.js';
import { applyBatch, type BatchResult } from './apply-batch.js';
import { type Delivery, deliveryOf } from './delivery-info.js';
import { MessageBatch } from './message-batch.js';
import { StreamIntegrity, StreamNotTrusted, type WatchedProjector } from './stream-integrity.js';
import type { ViewWriter } from './view-writer.js';

export interface ProjectorDeps {
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly store: SqlStore;
  readonly writer: ViewWriter;
  readonly log: Logger;
  /** Most messages per transaction. */
  readonly batchSize: number;
  /** Called after every committed batch (KV publishing, reconciliation, metrics). */
  readonly onBatch: (result: BatchResult) => void;
  /** The clock rule's bound, ms (HUB_MAX_CLOCK_SKEW_MS). Default DEFAULT_MAX_CLOCK_SKEW_MS. */
  readonly maxClockSkewMs?: number;
  /** How often the event stream and the durable consumer are checked, ms. Default 5000. */
  readonly integrityCheckMs?: number;
  /** This instance's durable consumer (`projectorConsumerName`). */
  readonly consumerName: string;
  /**
   * Whether this instance copies dead letters to the DLQ stream (the leader does; every instance
   * keeps them in its outbox, so a new leader copies what its predecessor had not). Default always.
   */
  readonly copiesDeadLetters?: () => boolean;
}

/**
 * A consumer's message's delivery info, from its reply subject (nats.js's JsMsg has it, though its
 * type does not say so); from `m.info` when it is not there or not of the usual form.
 */
export const deliveryOfMessage = (m: JsMsg): Delivery =>
  deliveryOf((m as Partial<{ reply: string }>).reply ?? '') ?? {
    streamSeq: m.info.streamSequence,
    storedMs: Number(m.timestampNanos / 1_000_000n),
    pending: m.info.pending,
  };

/**
 * Copies committed dead letters to the DLQ stream with their reason (the original stays in the
 * event stream), then forgets them. Safe to repeat: the msg id dedupes a copy sent twice.
 */
export const flushDeadLetters = async (
  js: JetStreamClient,
  store: SqlStore,
  jsm: JetStreamManager,
): Promise<number> => {
  const rows = store.all<{ stream_seq: number; subject: string; reason: string; detail: string; body: Buffer }>(
    'SELECT * FROM dead_letter_outbox ORDER BY stream_seq',
  );
  if (rows.length === 0) return 0;
  // Copies go out in stream order from whichever instance leads: what the DLQ holds last was copied
  // by this instance or another, and everything before it too.
  const copiedUpTo = await lastCopiedSeq(jsm);
  for (const row of rows) {
    if (row.stream_seq <= copiedUpTo) {
      store.run('DELETE FROM dead_letter_outbox WHERE stream_seq = ?', row.stream_seq);
      continue;
    }
    const h = headers();
    h.set('Stocknerve-Reason', row.reason);
    h.set('Stocknerve-Detail', row.detail.slice(0, 1000));
    h.set('Stocknerve-Original-Subject', row.subject);
    h.set('Stocknerve-Original-Seq', String(row.stream_seq));
    await js.publish(deadLetterSubject(row.reason), new Uint8Array(row.body), {
      headers: h,
      msgID: `dlq-${row.stream_seq}`,
    });
    store.run('DELETE FROM dead_letter_outbox WHERE stream_seq = ?', row.stream_seq);
  }
  return rows.length;
};

/** The original stream seq of the last dead letter copied to the DLQ stream (0 when none). */
const lastCopiedSeq = async (jsm: JetStreamManager): Promise<number> => {
  const info = await jsm.streams.info(NAMES.deadLetterStream);
  if (info.state.last_seq === 0) return 0;
  const last = await jsm.streams.getMessage(NAMES.deadLetterStream, { seq: info.state.last_seq });
  return Number(last?.header.get('Stocknerve-Original-Seq') ?? 0) || 0;
};

/**
 * A durable consumer name for one process of one instance: a random part, so that a store terminal
 * (which may delete and read consumers it creates, by name) cannot guess it. A crashed process's
 * consumer is removed by the server after `PROJECTOR_CONSUMER_IDLE_MS`.
 */
export const projectorConsumerName = (instanceId: string): string =>
  `${NAMES.projectorConsumer}-${instanceId}-${randomBytes(8).toString('hex')}`;

/**
 * A batch whose last message said more were waiting in the stream (num_pending > 0) waits for them
 * up to this long after its first message, ms: a pause in delivery is then the server refilling the
 * pull, not the end of the traffic. Each commit writes every page its batch dirtied, so a full batch
 * costs far less per event (docs/decisions/0005-projector-batching-and-commit-wait.md).
 */
const BACKLOG_MAX_WAIT_MS = 250;

/** How long one pull request of the projector's consumer lasts, ms. */
const PULL_EXPIRES_MS = 5000;

/** No delivery for this long while the stream holds messages the views do not: restart the consumer, ms. */
export const STALL_RESTART_MS = 10_000;

/** A flush: when it ended, how long its synchronous work took (performance.now(), ms), and its size. */
export interface FlushTiming {
  readonly endedAt: number;
  readonly tookMs: number;
  readonly events: number;
}

/**
 * The longest a flush of `events` can take by its own work, ms: a commit's fixed cost and a generous
 * cost per event. A flush that took longer spent the rest waiting for a core or a GC, which says
 * nothing of what the next one needs; waiting twice that for the next commit made most of
 * freshness's tail on a busy host (docs/decisions/0005-projector-batching-and-commit-wait.md).
 */
const ownWorkMs = (events: number): number => 2 + 0.25 * events;

/**
 * When the next commit of a consumer that has caught up with the stream may run: twice the last
 * flush's duration after it ended (at most BACKLOG_MAX_WAIT_MS, and counting no more than the flush's
 * own work could take: `ownWorkMs`), so that applying takes at most a third of the thread while
 * events trickle in as fast as it commits them. Committing each arrival at once made a catch-up
 * thousands of tiny, expensive batches; a quiet hub's flush takes well under a millisecond, so its
 * latency hardly changes.
 */
export const nextCommitAt = (last: FlushTiming): number =>
  last.endedAt + Math.min(BACKLOG_MAX_WAIT_MS, 2 * Math.min(last.tookMs, ownWorkMs(last.events)));

/**
 * Applies the event stream to the views through a durable pull consumer: micro-batches (whatever
 * has arrived, up to batchSize) in one transaction each, then one ack for the batch (AckAll). Its
 * `integrity` watches the stream and the consumer under it.
 */
export class Projector implements WatchedProjector {
  /** Problems with the event stream or the consumer, as last checked. */
  readonly integrity: StreamIntegrity;
  private messages: ConsumerMessages | undefined;
  private running = false;
  private loop: Promise<void> | undefined;
  private appliedSeq = 0;
  private waiters: { seq: number; resolve: () => void }[] = [];
  /** Subjects of the stream's messages, shared by every batch. */
  private readonly subjects = new Map<string, string>();
  private buffer = new MessageBatch(this.subjects);
  /** The buffer's last message: acking it acks the batch (AckAll). */
  private bufferLast: JsMsg | undefined;
  /** The last batch applied, emptied for the next one (its buffers are kept: see MessageBatch.clear). */
  private spare: MessageBatch | undefined;
  private chain: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  /** When the armed flush is due (performance.now()). */
  private timerAt = Number.POSITIVE_INFINITY;
  private lastFlush: FlushTiming = { endedAt: Number.NEGATIVE_INFINITY, tookMs: 0, events: 0 };
  private failure: Error | undefined;
  private sessionId = 0;
  /** The checkpoint at the last progress, and when (performance.now()): for checkStall. */
  private progressSeq = 0;
  private lastProgressAt = performance.now();
  private consuming = false;
  private ended = false;

  constructor(private readonly deps: ProjectorDeps) {
    this.integrity = new StreamIntegrity({ jsm: deps.jsm, store: deps.store, log: deps.log, projector: this });
  }

  /**
   * Called with the stream's last sequence (every second): a consumer that delivered nothing for
   * STALL_RESTART_MS while the views are behind is restarted from the checkpoint. A pull can hang
   * when the consumer's leader moves between servers; nothing else would notice.
   */
  checkStall(streamLastSeq: number, now = performance.now()): boolean {
    if (!this.consuming || streamLastSeq <= this.appliedSeq) {
      this.lastProgressAt = now;
      return false;
    }
    if (this.appliedSeq !== this.progressSeq) {
      this.progressSeq = this.appliedSeq;
      this.lastProgressAt = now;
      return false;
    }
    if (now - this.lastProgressAt < STALL_RESTART_MS) return false;
    this.deps.log.warn(
      { checkpoint: this.appliedSeq, streamLastSeq, stalledMs: Math.round(now - this.lastProgressAt) },
      'projector consumer delivered nothing while behind the stream: restarting it from the checkpoint',
    );
    this.lastProgressAt = now;
    this.restartConsumer('stalled');
    return true;
  }

  /** Last stream sequence whose effects are committed to the views. */
  get checkpoint(): number {
    return this.appliedSeq;
  }

  get consumerName(): string {
    return this.deps.consumerName;
  }

  /** Copies the outbox's dead letters to the DLQ stream, when this instance is the one that does. */
  async copyDeadLetters(): Promise<void> {
    if (this.deps.copiesDeadLetters && !this.deps.copiesDeadLetters()) return;
    await flushDeadLetters(this.deps.js, this.deps.store, this.deps.jsm);
  }

  get session(): { readonly id: number; readonly consuming: boolean } {
    return { id: this.sessionId, consuming: this.consuming };
  }

  get loopEnded(): boolean {
    return this.running && this.ended;
  }

  async start(): Promise<void> {
    this.appliedSeq = this.deps.writer.checkpoint();
    this.running = true;
    this.ended = false;
    await this.integrity.start(this.deps.integrityCheckMs ?? 5000);
    this.loop = this.run();
  }

  restartConsumer(reason: string): void {
    this.messages?.stop(new Error(reason));
  }

  resumeLoop(): void {
    if (!this.loopEnded) return;
    this.ended = false;
    this.loop = this.run();
  }

  /**
   * Resolves once the views include stream sequence `seq` (read-your-writes for commands). A
   * timeout of 0 waits as long as it takes (catching up at start).
   */
  waitFor(seq: number, timeoutMs = 10_000): Promise<void> {
    if (this.appliedSeq >= seq) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        reject(new Error(`projector did not reach stream seq ${seq} within ${timeoutMs} ms`));
      }, timeoutMs);
      if (timeoutMs === 0) clearTimeout(timer);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.waiters.push({ seq, resolve: done });
    });
  }

  async stop(): Promise<void> {
    this.integrity.stop();
    this.running = false;
    await this.messages?.close().catch(() => undefined);
    await this.loop;
  }

  private async run(): Promise<void> {
    try {
      await this.consumeLoop();
    } finally {
      this.consuming = false;
      this.ended = true;
    }
  }

  private async consumeLoop(): Promise<void> {
    const { log } = this.deps;
    while (this.running) {
      if (!this.buffer.clear()) this.buffer = new MessageBatch(this.subjects);
      this.bufferLast = undefined;
      this.chain = Promise.resolve();
      this.failure = undefined;
      try {
        await this.copyDeadLetters();
        // Consuming another stream from this checkpoint would skip or misapply its messages.
        await this.integrity.verifyStream();
        await resetProjectorConsumer(this.deps.jsm, this.deps.consumerName, this.appliedSeq, this.deps.batchSize * 4);
        const consumer = await this.deps.js.consumers.get(NAMES.eventStream, this.deps.consumerName);
        // Short pulls: their idle heartbeats tell a stalled pull (its consumer's leader moved to
        // another server of a cluster) within seconds instead of half a minute.
        const messages = await consumer.consume({ max_messages: this.deps.batchSize * 2, expires: PULL_EXPIRES_MS });
        this.messages = messages;
        this.sessionId++;
        this.consuming = true;
        if (!this.running) break;
        // The new consumer starts at checkpoint + 1: its first message is the first one that exists
        // there, so a hole before it is a deleted (or lost) message, not a missed delivery.
        let expected: number | null = null;
        for await (const m of messages) {
          if (this.failure) throw this.failure;
          const delivery = deliveryOfMessage(m);
          const seq = delivery.streamSeq;
          expected ??= Math.max(seq, this.appliedSeq + 1);
          if (seq < expected) continue; // a redelivery of something already applied
          if (seq > expected) {
            // A message was not delivered (e.g. still pending from before a reconnect). Acking past
            // it would skip it for good: apply what is contiguous and restart from the checkpoint.
            await this.flushBuffered();
            throw new Error(`delivery gap: expected stream seq ${expected}, got ${seq}`);
          }
          expected++;
          this.buffer.push(m.subject, seq, delivery.storedMs, m.data);
          this.bufferLast = m;
          // Big transactions under a backlog, low latency when quiet: commit when the batch is full
          // or the stream had nothing more for this consumer when the message was sent (its
          // num_pending; then no sooner than nextCommitAt), else at the latest BACKLOG_MAX_WAIT_MS
          // after the first buffered message.
          // The client-side getPending() is not consulted: nats.js counts its own queued pull
          // requests in it, and "nothing queued right now" is true after every socket read, which
          // made ~110-event transactions.
          const now = performance.now();
          if (this.buffer.length >= this.deps.batchSize) await this.flushBuffered();
          else if (delivery.pending === 0) {
            const due = nextCommitAt(this.lastFlush);
            if (now >= due) await this.flushBuffered();
            else this.armFlushTimer(due);
          } else this.armFlushTimer(now + BACKLOG_MAX_WAIT_MS);
        }
        this.consuming = false;
        await this.chain;
        if (this.failure) throw this.failure;
      } catch (error) {
        this.consuming = false;
        clearTimeout(this.timer);
        this.timer = undefined;
        if (!this.running) break;
        // The integrity check reports an untrusted stream (and logs it once): wait for an operator.
        if (error instanceof StreamNotTrusted) {
          await new Promise((r) => setTimeout(r, 1000));
          continue;
        }
        log.warn({ err: error }, 'projector consumer interrupted; resuming from the checkpoint');
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  /** Arms the flush of a partial batch for `at` (performance.now()), unless one is armed sooner. */
  private armFlushTimer(at: number): void {
    if (this.timer !== undefined && this.timerAt <= at) return;
    clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        void this.flushBuffered();
      },
      Math.max(0, at - performance.now()),
    );
  }

  /**
   * Applies what is buffered, after any flush already under way (batches commit in stream order).
   * A failed batch stops the consumer: nothing after it is applied or acked, and the loop restarts
   * from the checkpoint.
   */
  private flushBuffered(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.buffer;
    const last = this.bufferLast;
    if (batch.length === 0 || !last) return this.chain;
    this.buffer = this.spare ?? new MessageBatch(this.subjects);
    this.spare = undefined;
    this.bufferLast = undefined;
    this.chain = this.chain.then(async () => {
      if (this.failure) return;
      try {
        await this.flush(batch, last);
      } catch (error) {
        this.failure = error instanceof Error ? error : new Error(String(error));
        this.messages?.stop(this.failure);
      }
    });
    return this.chain;
  }

  private async flush(batch: MessageBatch, last: JsMsg): Promise<void> {
    const startedAt = performance.now();
    const size = batch.length;
    const result = applyBatch(this.deps.store, this.deps.writer, batch, {
      maxClockSkewMs: this.deps.maxClockSkewMs ?? DEFAULT_MAX_CLOCK_SKEW_MS,
    });
    if (batch.clear()) this.spare = batch;
    const appliedMs = performance.now() - startedAt;
    if (result.deadLetters.length > 0) {
      for (const dl of result.deadLetters)
        this.deps.log.warn(
          { reason: dl.reason, detail: dl.detail, subject: dl.message.subject, streamSeq: dl.message.seq },
          'dead-lettered',
        );
      await this.copyDeadLetters();
    }
    last.ack();
    this.appliedSeq = result.checkpoint;
    if (result.correlationIds.length > 0 && this.deps.log.isLevelEnabled('debug'))
      for (const correlationId of result.correlationIds) this.deps.log.debug({ correlationId }, 'event applied');
    const notifiedAt = performance.now();
    this.deps.onBatch(result);
    const ready = this.waiters.filter((w) => w.seq <= this.appliedSeq);
    this.waiters = this.waiters.filter((w) => w.seq > this.appliedSeq);
    for (const w of ready) w.resolve();
    // The dead letters' copy to the DLQ stream is waiting on the network, not work of this thread.
    const endedAt = performance.now();
    this.lastFlush = { endedAt, tookMs: appliedMs + (endedAt - notifiedAt), events: size };
  }
}
