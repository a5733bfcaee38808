import { randomBytes } from 'node:crypto';
import type { JetStreamClient, JetStreamManager, PubAck } from '@nats-io/jetstream';
import {
  type Decision,
  decideHubCommand,
  formatHlc,
  type Hlc,
  HUB_LOCATION,
  HUB_NODE,
  type HubCommand,
  hlcNow,
  hlcZero,
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
import type { SqlStore } from '../store/sql-store.js';
import { sqlInventoryView } from '../views/sql-inventory-view.js';

export interface CommandContext {
  readonly correlationId: string;
  readonly causationId?: string;
}

export interface CommandResult {
  readonly decision: Decision;
  /** The stored events (empty for a rejection or an idempotent replay). */
  readonly events: readonly InventoryEvent[];
}

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
}

/**
 * The hub's single writer. Commands run one at a time: decide against the views, stamp, append to
 * JetStream (awaiting the PubAck: durable before any reply), then wait until the projector has
 * applied them so the next decision sees them. Serial overall, hence serial per SKU: no oversell.
 * JetStream's expected-last-subject-sequence makes a second hub writing at the same time fail
 * instead of interleaving.
 */
export class CommandBus {
  private tail: Promise<unknown> = Promise.resolve();
  private clock: Hlc = hlcZero(HUB_NODE);
  private seq = 0;
  private lastSubjectSeq = 0;
  private readonly now: () => number;
  private ready: Promise<void> = Promise.resolve();

  constructor(private readonly deps: CommandBusDeps) {
    this.now = deps.now ?? Date.now;
  }

  /**
   * Picks up where the hub's own history ends: its last seq and HLC from the views (call after the
   * projector caught up with the stream), and the stream position of the last message on the hub
   * subject, whatever it is (a foreign message there is dead-lettered by the projector, but the
   * single-writer expectation must still start from it).
   */
  /** Commands wait until `caughtUp` resolved (the views hold the stream's history), then init. */
  startAfter(caughtUp: Promise<void>): void {
    this.ready = caughtUp.then(() => this.init());
  }

  async init(): Promise<void> {
    const own = this.deps.store.get<{ max_seq: number; last_event_hlc: string | null }>(
      "SELECT max_seq, last_event_hlc FROM node_status WHERE node = 'hub'",
    );
    if (own) {
      this.seq = own.max_seq;
      this.clock = (own.last_event_hlc && parseHlc(own.last_event_hlc)) || this.clock;
    }
    this.lastSubjectSeq = await this.lastOnHubSubject();
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
    return this.run((view, now) => decideHubCommand(command, view, { now, trust: this.deps.trust() }), ctx);
  }

  /** Runs any decision function (reconciliation, expiry) through the same serial writer. */
  run(decide: (view: InventoryView, now: number) => Decision, ctx: CommandContext): Promise<CommandResult> {
    const result = this.tail.then(() => this.ready).then(() => this.decideAndAppend(decide, ctx));
    this.tail = result.catch(() => undefined);
    return result;
  }

  private async decideAndAppend(
    decide: (view: InventoryView, now: number) => Decision,
    ctx: CommandContext,
  ): Promise<CommandResult> {
    const now = this.now();
    const decision = decide(sqlInventoryView(this.deps.store), now);
    if (!decision.ok || decision.events.length === 0) return { decision, events: [] };
    const events: InventoryEvent[] = [];
    let lastStreamSeq = 0;
    for (const decided of decision.events) {
      const clock = hlcNow(this.clock, now);
      const event = stampEvent(decided, {
        id: uuidv7(now, randomBytes(10)),
        location: HUB_LOCATION,
        node: HUB_NODE,
        seq: this.seq + 1,
        hlc: formatHlc(clock),
        occurredAt: new Date(now).toISOString(),
        correlationId: ctx.correlationId,
        ...(ctx.causationId ? { causationId: ctx.causationId } : {}),
      });
      let ack: PubAck;
      try {
        ack = await this.deps.js.publish(hubEventSubject(), JSON.stringify(event), {
          msgID: event.id,
          expect: { lastSubjectSequence: this.lastSubjectSeq },
        });
      } catch (error) {
        if (/wrong last sequence/i.test(String(error))) {
          // Someone else wrote on the hub subject: another hub (a deployment error) or a stray
          // publisher. Refuse this command, and start the next one from what is there now.
          this.deps.log.error({ err: error }, 'another writer published on the hub subject; command refused');
          this.lastSubjectSeq = await this.lastOnHubSubject();
        }
        throw error;
      }
      this.clock = clock;
      this.seq = event.seq;
      this.lastSubjectSeq = ack.seq;
      lastStreamSeq = ack.seq;
      events.push(event);
      this.deps.log.info(
        { correlationId: ctx.correlationId, eventId: event.id, type: event.type, streamSeq: ack.seq },
        'hub event recorded',
      );
    }
    await this.deps.projector.waitFor(lastStreamSeq);
    return { decision, events };
  }

  /** Runs fn alone: no command is decided while it runs (e.g. a rebuild of the views). */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(() => this.ready).then(fn);
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Waits for every queued command to finish. */
  async idle(): Promise<void> {
    await this.tail;
  }
}
