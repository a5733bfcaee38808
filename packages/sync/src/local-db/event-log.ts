import {
  type DecidedEvent,
  formatHlc,
  type Hlc,
  hlcNow,
  hlcReceive,
  hlcZero,
  type InventoryEvent,
  parseEvent,
  parseHlc,
  stampEvent,
  uuidv7,
} from '@stocknerve/domain';
import type { NodeIdentity } from '@stocknerve/protocol';
import type { RxDocument } from 'rxdb';
import type { LocalDb } from './local-db.js';
import {
  ackedAtOf,
  EMPTY_OUTBOX_STATE,
  isUnacked,
  OUTBOX_STATE_KEY,
  type OutboxState,
  parseOutboxState,
  withAcks,
  withRequeued,
  withRestoredThrough,
} from './outbox-state.js';
import type { EventDoc } from './schemas.js';

/**
 * The event a stored document holds, as plain data. A document's own `event` field is RxDB's view of
 * it (it cannot be posted to a worker or structured-cloned), and the domain's parse returns a plain
 * current-version sale as it is given instead of copying it.
 */
export const storedEventOf = (doc: RxDocument<EventDoc>): Record<string, unknown> => doc.toJSON().event;

/** Where the clock and randomness come from (injectable so simulations are reproducible). */
export interface Entropy {
  /** Wall clock, ms. */
  now(): number;
  /** 10 random bytes for a UUIDv7. */
  random(): Uint8Array;
}

export const systemEntropy: Entropy = {
  now: () => Date.now(),
  random: () => crypto.getRandomValues(new Uint8Array(10)),
};

/**
 * The node's append-only event log. Recording is the commit point: an event is done when its
 * document is written. Writes are serialised so that seqs are gap-free, and the next seq is derived
 * from what is stored, so a restart never reuses a number.
 */
export class EventLog {
  private lastSeq = 0;
  private outboxState: OutboxState = EMPTY_OUTBOX_STATE;
  /** Why the stored outbox state could not be read at start (it was then taken as empty). */
  outboxProblem: string | undefined;
  private clock: Hlc;
  private tail: Promise<unknown> = Promise.resolve();
  private readonly listeners = new Set<() => void>();

  constructor(
    readonly db: LocalDb,
    readonly identity: NodeIdentity,
    private readonly entropy: Entropy = systemEntropy,
  ) {
    this.clock = hlcZero(identity.node);
  }

  /** Loads the last seq and HLC, and what the stream has acknowledged, from the stored log. */
  async init(): Promise<void> {
    const stored = await this.db.meta.findOne(OUTBOX_STATE_KEY).exec();
    try {
      this.outboxState = stored ? parseOutboxState(stored.toJSON().value) : EMPTY_OUTBOX_STATE;
      this.outboxProblem = undefined;
    } catch (error) {
      // A terminal must keep selling: taken as "nothing acknowledged", every event is sent again and
      // the copies are absorbed (JetStream within its window, the hub beyond it). Said in the status.
      this.outboxState = EMPTY_OUTBOX_STATE;
      this.outboxProblem = `${(error as Error).message}; every event will be sent again`;
    }
    const last = await this.db.events.findOne({ selector: {}, sort: [{ seq: 'desc' }] }).exec();
    if (last) {
      this.lastSeq = last.seq;
      const hlc = parseHlc(String(last.event.hlc));
      if (hlc) this.clock = { ...hlc, node: this.identity.node };
    }
  }

  /** Highest seq recorded so far (0 for an empty log). */
  get seq(): number {
    return this.lastSeq;
  }

  /** True when nothing has ever been recorded or restored: a new or wiped terminal. */
  get isEmpty(): boolean {
    return this.lastSeq === 0;
  }

  /** The wall clock (ms) of the HLC the next local event builds on. */
  get clockWallMs(): number {
    return this.clock.wallMs;
  }

  /**
   * Sets the clock back to `wallMs` when it is more than `maxAheadMs` ahead of it. Once the wall
   * clock is known to be right (checked against the hub's), a HLC left ahead by a clock that was
   * wrong would otherwise stamp every later event as far ahead, and the hub would hold every count.
   * The hub placed the events stamped ahead at their store time, so events stamped from the wall
   * clock order after them there. Resolves true when it set the clock back.
   */
  rebaseClock(wallMs: number, maxAheadMs: number): Promise<boolean> {
    return this.serial(async () => {
      if (this.clock.wallMs - wallMs <= maxAheadMs) return false;
      this.clock = { wallMs, counter: 0, node: this.identity.node };
      return true;
    });
  }

  /** Makes later local events order after a timestamp seen from elsewhere (hub data). */
  observe(remoteHlc: string): void {
    const remote = parseHlc(remoteHlc);
    if (remote) this.clock = hlcReceive(this.clock, remote, this.entropy.now());
  }

  /** Calls back after every local write (the outbox wakes up on it). */
  onRecorded(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Stamps and stores decided events as this node's next events, all in one write. Resolves once
   * they are durably stored (strict durability with Dexie in Chromium).
   */
  record(
    decided: readonly DecidedEvent[],
    ctx: { correlationId: string; causationId?: string },
  ): Promise<InventoryEvent[]> {
    return this.serial(async () => {
      const now = this.entropy.now();
      let clock = this.clock;
      const events = decided.map((d, i) => {
        clock = hlcNow(clock, now);
        return stampEvent(d, {
          id: uuidv7(now, this.entropy.random()),
          location: this.identity.location,
          node: this.identity.node,
          seq: this.lastSeq + 1 + i,
          hlc: formatHlc(clock),
          occurredAt: new Date(now).toISOString(),
          correlationId: ctx.correlationId,
          ...(ctx.causationId ? { causationId: ctx.causationId } : {}),
        });
      });
      const docs: EventDoc[] = events.map((event) => ({
        id: event.id,
        seq: event.seq,
        type: event.type,
        event: event as unknown as Record<string, unknown>,
        recordedAt: now,
        origin: 'local',
      }));
      const { error } = await this.db.events.bulkInsert(docs);
      if (error.length > 0) throw new Error(`could not store events: ${JSON.stringify(error[0])}`);
      this.clock = clock;
      this.lastSeq += events.length;
      for (const l of this.listeners) l();
      return events;
    });
  }

  /**
   * Runs reads and writes of the log one at a time, in call order. RxDB (17.6) re-runs a query
   * whenever a write to the collection commits while it runs, so a query racing a steady stream of
   * writes (a busy till, an outbox marking acks) may never finish: the outbox then sent nothing
   * until recording paused. Queued behind each other, no write can overlap a query of this log.
   */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn);
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** What the stream has acknowledged of this log, as of the last write. */
  get outbox(): OutboxState {
    return this.outboxState;
  }

  /** When the stream acknowledged the event `seq` (ms), or null while it waits to be sent. */
  ackedAtOf(seq: number): number | null {
    return ackedAtOf(this.outboxState, seq);
  }

  /**
   * Events waiting to be sent, in seq order, at most `limit`: first those anti-entropy re-queued
   * (older), then those above the acknowledged prefix.
   */
  pending(limit: number): Promise<EventDoc[]> {
    return this.serial(async () => {
      const { requeued, ackedThrough } = this.outboxState;
      const again = requeued.length === 0 ? [] : await this.findSeqs(requeued.slice(0, limit));
      const above =
        again.length >= limit
          ? []
          : await this.db.events
              .find({ selector: { seq: { $gt: ackedThrough } }, sort: [{ seq: 'asc' }], limit: limit - again.length })
              .exec();
      return [...again, ...above].map((d) => d.toMutableJSON());
    });
  }

  /** How many events wait for a PubAck, and since when the oldest does (ms; null if none). */
  pendingSummary(): Promise<{ count: number; oldestRecordedAt: number | null }> {
    return this.serial(async () => {
      const { requeued, ackedThrough } = this.outboxState;
      const above = await this.db.events.count({ selector: { seq: { $gt: ackedThrough } } }).exec();
      const count = requeued.length + above;
      if (count === 0) return { count, oldestRecordedAt: null };
      const oldest = await this.db.events
        .findOne({
          selector: { seq: requeued.length > 0 ? requeued[0] : { $gt: ackedThrough } },
          sort: [{ seq: 'asc' }],
        })
        .exec();
      return { count, oldestRecordedAt: oldest?.recordedAt ?? null };
    });
  }

  /**
   * Records PubAcks for these events (a prefix of what `pending` handed out, in its order), the
   * last one at stream seq `lastStreamSeq`: one write for the batch. `sentAbove`: the acknowledged
   * prefix (`outbox.ackedThrough`) as read before that `pending` call.
   */
  async markAcked(
    seqs: readonly number[],
    lastStreamSeq: number,
    at: number,
    sentAbove: number = this.outboxState.ackedThrough,
  ): Promise<void> {
    if (seqs.length === 0) return;
    await this.serial(() => this.saveOutbox(withAcks(this.outboxState, seqs, lastStreamSeq, at, sentAbove)));
  }

  /** Anti-entropy: the hub lacks these acknowledged events; send them again. */
  async markPending(seqs: readonly number[]): Promise<number> {
    if (seqs.length === 0) return 0;
    const requeued = await this.serial(async () => {
      const stored = await this.findSeqs(seqs);
      const acked = stored.map((d) => d.seq).filter((seq) => !isUnacked(this.outboxState, seq));
      if (acked.length > 0) await this.saveOutbox(withRequeued(this.outboxState, acked));
      return acked.length;
    });
    if (requeued > 0) for (const l of this.listeners) l();
    return requeued;
  }

  /**
   * Acknowledged events with seq above `watermark` that the hub has not applied (above its
   * `maxSeq` or in one of its `gaps`), acknowledged before `ackedBefore`.
   */
  async ackedMissingAtHub(
    watermark: number,
    maxSeq: number,
    gaps: readonly [number, number][],
    ackedBefore: number,
  ): Promise<number[]> {
    const docs = await this.serial(() =>
      this.db.events
        .find({ selector: { seq: { $gt: watermark, $lte: this.outboxState.ackedThrough } }, sort: [{ seq: 'asc' }] })
        .exec(),
    );
    const inGap = (seq: number) => gaps.some(([a, b]) => seq >= a && seq <= b);
    return docs
      .map((d) => d.seq)
      .filter((seq) => {
        const ackedAt = this.ackedAtOf(seq);
        return ackedAt !== null && ackedAt < ackedBefore && (seq > maxSeq || inGap(seq));
      });
  }

  /**
   * The stored events among `seqs`, in seq order. Bounded by their lowest and highest seq, so that
   * the query walks that part of the seq index (RxDB plans no index range for `$in` alone: it would
   * read the whole log).
   */
  private findSeqs(seqs: readonly number[]) {
    const lo = seqs.reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY);
    const hi = seqs.reduce((a, b) => Math.max(a, b), 0);
    return this.db.events
      .find({ selector: { seq: { $gte: lo, $lte: hi, $in: [...seqs] } }, sort: [{ seq: 'asc' }] })
      .exec();
  }

  private async saveOutbox(next: OutboxState): Promise<void> {
    if (next === this.outboxState) return;
    await this.db.meta.upsert({ key: OUTBOX_STATE_KEY, value: next as unknown as Record<string, unknown> });
    this.outboxState = next;
  }

  /**
   * Puts events restored from the hub's stream back into an empty log, as acknowledged (the stream
   * holds them, and every seq below them is the hub's to know).
   */
  async importRestored(events: readonly { event: InventoryEvent; streamSeq: number }[], at: number): Promise<void> {
    const docs: EventDoc[] = events.map(({ event }) => ({
      id: event.id,
      seq: event.seq,
      type: event.type,
      event: event as unknown as Record<string, unknown>,
      recordedAt: Date.parse(event.occurredAt) || at,
      origin: 'restored',
    }));
    const through = events.reduce((max, { event }) => Math.max(max, event.seq), 0);
    const lastStreamSeq = events.reduce((max, { streamSeq }) => Math.max(max, streamSeq), 0);
    await this.serial(async () => {
      await this.db.events.bulkUpsert(docs);
      const restored = withRestoredThrough(this.outboxState, through, at);
      await this.saveOutbox({ ...restored, lastStreamSeq: Math.max(restored.lastStreamSeq, lastStreamSeq) });
      await this.init();
    });
  }

  /** Never hand out a seq at or below `seq` (the hub has seen it, even if this log has not). */
  reserveThrough(seq: number): void {
    this.lastSeq = Math.max(this.lastSeq, seq);
  }

  /** Every stored event in seq order (the local log as the domain reads it), as plain data. */
  async all(): Promise<InventoryEvent[]> {
    const docs = await this.serial(() => this.db.events.find({ selector: {}, sort: [{ seq: 'asc' }] }).exec());
    return docs.flatMap((d) => {
      const parsed = parseEvent(storedEventOf(d));
      return parsed.ok ? [parsed.event] : [];
    });
  }
}
