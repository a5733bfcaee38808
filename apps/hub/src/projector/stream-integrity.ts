import type { JetStreamManager, StreamInfo } from '@nats-io/jetstream';
import { NAMES } from '@stocknerve/protocol';
import type { Logger } from '../logger.js';
import type { SqlStore } from '../store/sql-store.js';
import { readStreamIdentity, recordStreamIdentity, type StreamIdentity } from '../store/stream-identity.js';

/** Why the views cannot be trusted to follow the event stream (docs/runbook.md, "When /health answers 503"). */
export const INTEGRITY_PROBLEM_CODES = [
  'stream-missing',
  'stream-recreated',
  'stream-purged',
  'consumer-missing',
  'projector-stopped',
] as const;
export type IntegrityProblemCode = (typeof INTEGRITY_PROBLEM_CODES)[number];

export interface IntegrityProblem {
  readonly code: IntegrityProblemCode;
  readonly message: string;
}

/** The identity of the stream its info describes; an empty stream's first seq is its next one. */
export const streamIdentityOf = (info: Pick<StreamInfo, 'created' | 'state'>): StreamIdentity => ({
  created: info.created,
  firstSeq: info.state.messages === 0 ? info.state.last_seq + 1 : info.state.first_seq,
  deleted: info.state.num_deleted ?? 0,
});

const STREAM = NAMES.eventStream;

/**
 * What is wrong with the event stream, given the one the views were built from (`recorded`, undefined
 * before any), the one there now (`current`, null when there is none) and the views' checkpoint. None of these clears by
 * itself: the stream is the system of record, and only an operator can say that what it lost is
 * meant to be lost (a rebuild records the stream as it is).
 */
export const streamProblems = (
  recorded: StreamIdentity | undefined,
  current: StreamIdentity | null,
  checkpoint: number,
): IntegrityProblem[] => {
  if (current === null)
    return [{ code: 'stream-missing', message: `stream ${STREAM} does not exist: no event can be stored or applied` }];
  if (recorded === undefined) return [];
  if (current.created !== recorded.created)
    return [
      {
        code: 'stream-recreated',
        message: `stream ${STREAM} was created at ${current.created}, the views were built from the one created at ${recorded.created}: the projector waits until the stream is restored or the views are rebuilt from it`,
      },
    ];
  const problems: IntegrityProblem[] = [];
  if (current.firstSeq > recorded.firstSeq) {
    const unapplied = current.firstSeq - 1 - checkpoint;
    problems.push({
      code: 'stream-purged',
      message:
        `stream ${STREAM} starts at seq ${current.firstSeq}, the views were built from seq ${recorded.firstSeq}: ` +
        `${current.firstSeq - recorded.firstSeq} message(s) were purged from the system of record` +
        (unapplied > 0
          ? `, ${unapplied} of them (seqs ${checkpoint + 1}-${current.firstSeq - 1}) never applied to the views`
          : ''),
    });
  } else if (current.deleted > recorded.deleted)
    problems.push({
      code: 'stream-purged',
      message: `stream ${STREAM} has ${current.deleted - recorded.deleted} message(s) more deleted inside it than when the views were built (a purge by subject, or messages deleted one by one): they are gone from the system of record`,
    });
  return problems;
};

/** Thrown to the projector when the stream is not the one its checkpoint counts in. */
export class StreamNotTrusted extends Error {}

/** What the monitor needs of the projector it watches. */
export interface WatchedProjector {
  /** Last stream sequence applied to the views. */
  readonly checkpoint: number;
  /** The name of its durable consumer. */
  readonly consumerName: string;
  /** The current consume session (bumped by each new one) and whether it is consuming now. */
  readonly session: { readonly id: number; readonly consuming: boolean };
  /** Whether its consume loop ended while it should be running. */
  readonly loopEnded: boolean;
  /** Ends the current consume session: the loop recreates the consumer from the checkpoint. */
  restartConsumer(reason: string): void;
  /** Starts the consume loop again after it ended. */
  resumeLoop(): void;
}

const isNotFound = (error: unknown) => /not found/i.test(String((error as Error)?.message ?? error));

/**
 * Watches the event stream and the projector's durable consumer: on start and every `intervalMs`.
 * A stream deleted, created again or purged under the views, a consumer that disappeared, a consume
 * loop that ended: each is a problem (/health answers 503 with it), logged as an error when it
 * appears. A missing consumer is recreated (resuming from the checkpoint) and an ended loop started
 * again; the stream's problems stay until an operator acts (docs/runbook.md, "When /health answers 503").
 */
export class StreamIntegrity {
  private current: readonly IntegrityProblem[] = [];
  private timer: NodeJS.Timeout | undefined;
  private checking: Promise<void> | undefined;
  private consumerMissing: IntegrityProblem | undefined;

  constructor(
    private readonly deps: {
      readonly jsm: JetStreamManager;
      readonly store: SqlStore;
      readonly log: Logger;
      readonly projector: WatchedProjector;
    },
  ) {}

  /** The problems found by the last check (none: the views follow the stream). */
  get problems(): readonly IntegrityProblem[] {
    return this.current;
  }

  /** Checks now, then every `intervalMs` until `stop`. */
  async start(intervalMs: number): Promise<void> {
    await this.check();
    this.timer = setInterval(() => void this.check(), intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * Resolves when the stream is the one the checkpoint counts in; throws StreamNotTrusted when it is
   * missing or another one: consuming it from the checkpoint would skip or misapply its messages.
   */
  async verifyStream(): Promise<void> {
    const current = await this.currentStream();
    if (current === null) throw new StreamNotTrusted(`stream ${STREAM} does not exist`);
    const recorded = this.recorded(current);
    if (recorded.created !== current.created)
      throw new StreamNotTrusted(`stream ${STREAM} is not the one the views were built from`);
  }

  /** One check (concurrent calls share it). */
  check(): Promise<void> {
    this.checking ??= this.checkNow().finally(() => {
      this.checking = undefined;
    });
    return this.checking;
  }

  private async checkNow(): Promise<void> {
    const { projector, log } = this.deps;
    let current: StreamIdentity | null;
    try {
      current = await this.currentStream();
    } catch (error) {
      // NATS unreachable: nothing is known, and /health already says it is disconnected.
      log.debug({ err: error }, 'stream integrity check skipped');
      return;
    }
    const recorded = current === null ? undefined : this.recorded(current);
    const problems = streamProblems(recorded, current, projector.checkpoint);
    const sameStream = current !== null && recorded?.created === current.created;
    const before = projector.session;
    if (!sameStream && before.consuming) projector.restartConsumer('the event stream is not the one the views follow');
    if (sameStream && before.consuming) {
      if (await this.consumerExists()) this.consumerMissing = undefined;
      else if (projector.session.id === before.id && projector.session.consuming) {
        // (A consumer the projector deleted itself, to recreate it, is not missing: its session moved.)
        this.consumerMissing = {
          code: 'consumer-missing',
          message: `durable consumer ${projector.consumerName} of ${STREAM} was missing: recreated from checkpoint ${projector.checkpoint}`,
        };
        projector.restartConsumer(`consumer ${projector.consumerName} is missing`);
      }
    }
    // Reported until a check finds the recreated consumer consuming.
    if (this.consumerMissing) problems.push(this.consumerMissing);
    if (projector.loopEnded) {
      problems.push({ code: 'projector-stopped', message: 'the projector’s consume loop had ended: restarted' });
      projector.resumeLoop();
    }
    this.report(problems);
  }

  private report(problems: readonly IntegrityProblem[]): void {
    const was = new Set(this.current.map((p) => p.code));
    const now = new Set(problems.map((p) => p.code));
    for (const p of problems)
      if (!was.has(p.code))
        this.deps.log.error({ code: p.code, detail: p.message }, `event stream integrity: ${p.message}`);
    for (const code of was) if (!now.has(code)) this.deps.log.info({ code }, 'event stream integrity: problem cleared');
    this.current = problems;
  }

  /** The recorded identity, recording `current` when there is none (a new views file). */
  private recorded(current: StreamIdentity): StreamIdentity {
    const recorded = readStreamIdentity(this.deps.store);
    if (recorded) return recorded;
    // Views that hold nothing yet were built from seq 1: a stream starting later has lost events.
    const adopted = { ...current, firstSeq: Math.min(current.firstSeq, this.deps.projector.checkpoint + 1) };
    recordStreamIdentity(this.deps.store, adopted);
    return adopted;
  }

  private async currentStream(): Promise<StreamIdentity | null> {
    try {
      return streamIdentityOf(await this.deps.jsm.streams.info(STREAM));
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  private async consumerExists(): Promise<boolean> {
    try {
      await this.deps.jsm.consumers.info(STREAM, this.deps.projector.consumerName);
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      // Unknown (a timeout): not a missing consumer.
      return true;
    }
  }
}

/**
 * Whether `info` describes the stream the views were built from (also before any was recorded): a
 * stream created anew is never mistaken for one that lost its newest messages.
 */
export const isRecordedStream = (store: SqlStore, info: Pick<StreamInfo, 'created'>): boolean => {
  const recorded = readStreamIdentity(store);
  return recorded === undefined || recorded.created === info.created;
};
