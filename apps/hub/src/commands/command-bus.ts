import { randomBytes } from 'node:crypto';
import type { JetStreamClient, JetStreamManager, PubAck } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/nats-core';
import {
  type Decision,
  decideHubCommand,
  encodeEventGroup,
  formatHlc,
  type Hlc,
  HUB_LOCATION,
  HUB_NODE,
  type HubCommand,
  hlcNow,
  hlcZero,
  IN_TIME,
  type InventoryEvent,
  type InventoryView,
  type LocationTrust,
  parseHlc,
  stampEvent,
  uuidv7,
} from '@stocknerve/domain';
import { hubEventSubject, NAMES } from '@stocknerve/protocol';
import type { Logger } from '../logger.js';
import type { Projector } from '../projector/projector.js';
import { emptyEffects, ViewWriter } from '../projector/view-writer.js';
import type { SqlStore } from '../store/sql-store.js';
import { sqlInventoryView } from '../views/sql-inventory-view.js';
import { CommandUnavailable } from './command-errors.js';

export interface CommandContext {
  readonly correlationId: string;
  readonly causationId?: string;
}

export interface CommandResult {
  readonly decision: Decision;
  /** The stored events (empty for a rejection or an idempotent replay). */
  readonly events: readonly InventoryEvent[];
  /**
   * The stream position the views must have reached to show this outcome: the group's message for
   * a write, else what the decision read. Answers carry it so a client can ask any instance for it.
   */
  readonly position: number;
}

export type DecideFn = (view: InventoryView, now: number) => Decision;

export interface CommandBusDeps {
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly store: SqlStore;
  readonly projector: Projector;
  readonly log: Logger;
  /** How far the hub trusts each location's figures right now (staleness). */
  readonly trust: () => (location: string) => LocationTrust;
  /** Wall clock, ms. */
  readonly now?: () => number;
  /** Most commands decided together and appended as one message. Default 256. */
  readonly groupMax?: number;
  /** Why this instance may not write now (it does not hold the lease), or undefined when it may. */
  readonly mayWrite?: () => string | undefined | Promise<string | undefined>;
  /** Resolves once leadership is known (an instance starting up has not looked at the lease yet). */
  readonly leadershipKnown?: () => Promise<void>;
  /** Told when JetStream refused an append because another writer appended first. */
  readonly onFenced?: () => void;
  /** Written on every hub message (the `Stocknerve-Writer` header): which instance appended it. */
  readonly instanceId?: string;
}

interface Queued {
  readonly decide: DecideFn;
  readonly ctx: CommandContext;
  readonly resolve: (result: CommandResult) => void;
  readonly reject: (error: Error) => void;
}

/** A group's decided outcome, answered once the group is durable and applied. */
interface Outcome {
  readonly queued: Queued;
  readonly decision: Decision;
  readonly events: InventoryEvent[];
}

/** A stream sequence no real message has: the position of a group while it is only decided. */
const UNWRITTEN_SEQ = 2 ** 52;

/**
 * The hub's single writer, with group commit. Commands queue; while one group is being appended the
 * next gathers. A group is decided one command at a time against the views plus the effects of the
 * commands ahead of it (the real view writer applies them in a transaction that is rolled back), so
 * each decision sees every earlier one: no oversell. Its events go to JetStream as ONE message
 * (awaiting the PubAck: durable before any reply) under expected-last-subject-sequence, so a second
 * writer (a deposed leader) fails instead of interleaving. Every command of a group is answered
 * when the projector has applied the group. Groups appended but not yet applied are applied
 * speculatively before the next group is decided, so deciding never waits for the projector.
 */
export class CommandBus {
  private clock: Hlc = hlcZero(HUB_NODE);
  /** The last hub event appended (or applied, after init): the `prev` of the next group. */
  private chainHead: string | null = null;
  private seq = 0;
  private lastSubjectSeq = 0;
  private readonly now: () => number;
  private readonly queue: Queued[] = [];
  private pumping: Promise<void> | undefined;
  /** Groups appended (acked) whose message the projector may not have applied yet. */
  private inFlight: { readonly seq: number; readonly events: readonly InventoryEvent[] }[] = [];
  /** Answers waiting for the projector, so idle() can wait for them. */
  private readonly answering = new Set<Promise<void>>();
  private lock: Promise<unknown> = Promise.resolve();
  /**
   * This writer's position must be re-read from the views, caught up with the whole stream, before
   * the next group: at first, at the start of every term as leader, and after an append whose
   * outcome is unknown.
   */
  private resync = true;
  private readonly speculative: ViewWriter;
  private readonly groupMax: number;
  /** Groups appended, commands answered through them, and appends refused by the fence. */
  readonly stats = { groups: 0, commands: 0, fenced: 0, lastGroupSize: 0 };

  constructor(private readonly deps: CommandBusDeps) {
    this.now = deps.now ?? Date.now;
    this.groupMax = deps.groupMax ?? 256;
    this.speculative = new ViewWriter(deps.store);
  }

  /**
   * Picks up where the hub's own history ends: its last seq and HLC from the views (call after the
   * projector caught up with the stream), and the stream position of the last message on the hub
   * subject, whatever it is (a foreign message there is dead-lettered by the projector, but the
   * single-writer expectation must still start from it).
   */
  private async init(): Promise<void> {
    const own = this.deps.store.get<{ max_seq: number; last_event_hlc: string | null }>(
      "SELECT max_seq, last_event_hlc FROM node_status WHERE node = 'hub'",
    );
    this.seq = own?.max_seq ?? 0;
    this.clock = (own?.last_event_hlc && parseHlc(own.last_event_hlc)) || hlcZero(HUB_NODE);
    this.chainHead =
      this.deps.store.get<{ event_id: string }>(
        `SELECT a.event_id FROM node_status n JOIN applied_events a
           ON a.stream_seq = n.last_event_stream_seq AND a.node = n.node AND a.seq = n.max_seq
         WHERE n.node = 'hub'`,
      )?.event_id ?? null;
    this.lastSubjectSeq = await this.lastOnHubSubject();
    this.inFlight = [];
    this.resync = false;
  }

  /** Catches the views up with the whole stream, then re-reads this writer's position from them. */
  async catchUp(): Promise<void> {
    const info = await this.deps.jsm.streams.info(NAMES.eventStream);
    await this.deps.projector.waitFor(info.state.last_seq, 0);
    await this.init();
  }

  private async lastOnHubSubject(): Promise<number> {
    try {
      const last = await this.deps.jsm.streams.getMessage(NAMES.eventStream, { last_by_subj: hubEventSubject() });
      return last?.seq ?? 0;
    } catch (error) {
      if (/no message found|not found/i.test(String(error))) return 0;
      throw error;
    }
  }

  /** Decides and records a hub command. */
  execute(command: HubCommand, ctx: CommandContext): Promise<CommandResult> {
    return this.run((view, now) => decideHubCommand(command, view, { now, trust: this.trustNow() }), ctx);
  }

  private trustOfGroup: ((location: string) => LocationTrust) | undefined;
  private trustNow(): (location: string) => LocationTrust {
    this.trustOfGroup ??= this.deps.trust();
    return this.trustOfGroup;
  }

  /** Runs any decision function (reconciliation, expiry) through the same writer. */
  run(decide: DecideFn, ctx: CommandContext): Promise<CommandResult> {
    return new Promise<CommandResult>((resolve, reject) => {
      this.queue.push({ decide, ctx, resolve, reject });
      this.startPump();
    });
  }

  private startPump(): void {
    this.pumping ??= this.pump().finally(() => {
      this.pumping = undefined;
      // A command queued while the pump was finishing found it still set.
      if (this.queue.length > 0) this.startPump();
    });
  }

  /** Takes groups off the queue until it is empty. */
  private async pump(): Promise<void> {
    while (this.queue.length > 0) {
      const group = this.queue.splice(0, this.groupMax);
      await this.withLock(() => this.commit(group));
    }
  }

  private withLock<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.lock.then(fn);
    this.lock = result.catch(() => undefined);
    return result;
  }

  private async commit(group: Queued[]): Promise<void> {
    await this.deps.leadershipKnown?.();
    const refused = await this.deps.mayWrite?.();
    if (refused !== undefined) {
      for (const q of group) q.reject(new CommandUnavailable(refused));
      return;
    }
    try {
      if (this.resync) await this.catchUp();
    } catch (error) {
      for (const q of group) q.reject(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    const checkpoint = this.deps.projector.checkpoint;
    this.inFlight = this.inFlight.filter((f) => f.seq > checkpoint);
    const readPosition = Math.max(checkpoint, this.inFlight.at(-1)?.seq ?? 0);
    const now = this.now();
    let clock = this.clock;
    let seq = this.seq;
    this.trustOfGroup = undefined;
    const outcomes = this.deps.store.speculate(() => {
      const writer = this.speculative;
      const fx = emptyEffects();
      for (const flight of this.inFlight)
        for (const [i, e] of flight.events.entries()) writer.apply(e, flight.seq, now, fx, IN_TIME, i);
      writer.flushPending();
      const view = sqlInventoryView(this.deps.store);
      const decided: Outcome[] = [];
      let index = 0;
      for (const queued of group) {
        let decision: Decision;
        try {
          decision = queued.decide(view, now);
        } catch (error) {
          queued.reject(error instanceof Error ? error : new Error(String(error)));
          continue;
        }
        const events: InventoryEvent[] = [];
        if (decision.ok)
          for (const d of decision.events) {
            clock = hlcNow(clock, now);
            seq++;
            const event = stampEvent(d, {
              id: uuidv7(now, randomBytes(10)),
              location: HUB_LOCATION,
              node: HUB_NODE,
              seq,
              hlc: formatHlc(clock),
              occurredAt: new Date(now).toISOString(),
              correlationId: queued.ctx.correlationId,
              ...(queued.ctx.causationId ? { causationId: queued.ctx.causationId } : {}),
            });
            writer.apply(event, UNWRITTEN_SEQ, now, fx, IN_TIME, index++);
            events.push(event);
          }
        writer.flushPending();
        decided.push({ queued, decision, events });
      }
      writer.discardPending();
      return decided;
    });
    this.trustOfGroup = undefined;
    const events = outcomes.flatMap((o) => o.events);
    if (events.length === 0) {
      this.answer(outcomes, readPosition, []);
      return;
    }
    const ack = await this.append(events);
    if (typeof ack === 'string') {
      const error = new CommandUnavailable(ack);
      for (const o of outcomes) o.queued.reject(error);
      return;
    }
    this.clock = clock;
    this.seq = seq;
    this.lastSubjectSeq = ack.seq;
    this.chainHead = events.at(-1)?.id ?? this.chainHead;
    this.inFlight.push({ seq: ack.seq, events });
    this.stats.groups++;
    this.stats.commands += outcomes.length;
    this.stats.lastGroupSize = outcomes.length;
    this.answer(outcomes, ack.seq, events);
  }

  /** Appends the group's events as one message; why not (logged) when it did not. */
  private async append(events: InventoryEvent[]): Promise<PubAck | string> {
    const h = natsHeaders();
    if (this.deps.instanceId) h.set('Stocknerve-Writer', this.deps.instanceId);
    try {
      return await this.deps.js.publish(hubEventSubject(), encodeEventGroup(events, this.chainHead), {
        // A publish that nats.js repeats after a timeout is the same message: JetStream keeps one.
        msgID: events[0]?.id ?? '',
        expect: { lastSubjectSequence: this.lastSubjectSeq },
        headers: h,
      });
    } catch (error) {
      this.resync = true;
      if (/wrong last sequence/i.test(String(error))) {
        // Another writer appended on the hub subject: a leader elected while this one was paused,
        // or a stray publisher. Nothing of this group was written.
        this.stats.fenced++;
        this.deps.log.error(
          { err: error },
          'another writer appended on the hub subject first; commands refused (fenced)',
        );
        this.deps.onFenced?.();
        return 'another writer appended on the hub subject first (wrong last sequence): nothing was recorded; retry';
      }
      this.deps.log.error({ err: error }, 'could not append the commands to the event stream');
      return 'the event log did not take the commands (its outcome is unknown); retry';
    }
  }

  /** Answers each command of a group once the views hold `position` (durable and applied). */
  private answer(outcomes: Outcome[], position: number, events: InventoryEvent[]): void {
    if (events.length > 0 && this.deps.log.isLevelEnabled('info'))
      for (const o of outcomes)
        for (const e of o.events)
          this.deps.log.info(
            { correlationId: o.queued.ctx.correlationId, eventId: e.id, type: e.type, streamSeq: position },
            'hub event recorded',
          );
    const answered = this.deps.projector.waitFor(position).then(
      () => {
        const first = events[0];
        if (first && !this.deps.store.get('SELECT 1 FROM applied_events WHERE event_id = ?', first.id)) {
          // JetStream took the message, but another writer's came first (its fence is not
          // serializable on a clustered stream): the projector refused ours whole ('fenced').
          this.stats.fenced++;
          this.resync = true;
          this.deps.log.error({ streamSeq: position }, 'the views refused this group (another writer came first)');
          this.deps.onFenced?.();
          const error = new CommandUnavailable('another writer appended first: nothing was recorded; retry');
          for (const o of outcomes) o.queued.reject(error);
          return;
        }
        for (const o of outcomes) o.queued.resolve({ decision: o.decision, events: o.events, position });
      },
      (error: unknown) => {
        const failure = error instanceof Error ? error : new Error(String(error));
        for (const o of outcomes) o.queued.reject(failure);
      },
    );
    this.answering.add(answered);
    void answered.finally(() => this.answering.delete(answered));
  }

  /** Runs fn alone: no command is decided while it runs, and every appended one is applied first. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.withLock(async () => {
      await Promise.allSettled([...this.answering]);
      return fn();
    });
  }

  /** Refuses every queued command (this instance stopped leading) and re-reads its position next time. */
  abandon(reason: string): void {
    for (const q of this.queue.splice(0)) q.reject(new CommandUnavailable(reason));
    this.resync = true;
  }

  /** Waits for every queued command to be answered. */
  async idle(): Promise<void> {
    while (this.pumping || this.answering.size > 0) {
      await this.pumping;
      await Promise.allSettled([...this.answering]);
    }
    await this.lock;
  }
}
