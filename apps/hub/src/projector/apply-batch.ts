import {
  clockVerdictOf,
  DEFAULT_MAX_CLOCK_SKEW_MS,
  HUB_NODE,
  IN_TIME,
  type MessageEvents,
  placedEvent,
  skewText,
} from '@stocknerve/domain';
import { VIEW_SCHEMA_VERSION } from '../store/schema.js';
import type { SqlStore } from '../store/sql-store.js';
import { checkMessage, type DeadLetterReason } from './check-message.js';
import { type BatchEffects, emptyEffects, type ViewWriter } from './view-writer.js';

/** A message of the event stream, as the projector needs it. */
export interface StreamMessage {
  readonly subject: string;
  readonly seq: number;
  /** When JetStream stored it (ms): "last heard" comes from here, so a rebuild reproduces it. */
  readonly storedMs: number;
  readonly body: Uint8Array;
}

export interface DeadLetter {
  readonly message: StreamMessage;
  readonly reason: DeadLetterReason;
  readonly detail: string;
}

export interface BatchResult {
  readonly effects: BatchEffects;
  readonly deadLetters: DeadLetter[];
  readonly checkpoint: number;
  readonly correlationIds: string[];
}

const decoder = new TextDecoder();

/**
 * A message with its own copy of the body (Buffer.from copies; a Buffer's slice would not): a
 * batch's bodies can be views of a buffer it reuses.
 */
const kept = (m: StreamMessage): StreamMessage => ({ ...m, body: Buffer.from(m.body) });

export interface ApplyBatchOptions {
  /** Write dead letters to the outbox (for the DLQ stream); a rebuild only counts them. Default true. */
  readonly keepDeadLetters?: boolean;
  /** The clock rule's bound, ms (HUB_MAX_CLOCK_SKEW_MS). Default DEFAULT_MAX_CLOCK_SKEW_MS. */
  readonly maxClockSkewMs?: number;
}

/**
 * Applies messages in stream order in ONE transaction together with the new checkpoint, so a crash
 * leaves either the whole batch and its checkpoint or neither. Messages at or below the checkpoint
 * were applied before a crash and are skipped.
 */
export const applyBatch = (
  store: SqlStore,
  writer: ViewWriter,
  batch: Iterable<StreamMessage>,
  options: ApplyBatchOptions = {},
): BatchResult => {
  const keepDeadLetters = options.keepDeadLetters ?? true;
  const maxSkewMs = options.maxClockSkewMs ?? DEFAULT_MAX_CLOCK_SKEW_MS;
  const effects = emptyEffects();
  const deadLetters: DeadLetter[] = [];
  const correlationIds: string[] = [];
  const regionOf = (location: string) => writer.regionOf(location);
  let checkpoint = 0;
  let last = 0;
  try {
    store.transaction(() => {
      checkpoint = writer.checkpoint();
      for (const message of batch) {
        last = message.seq;
        if (message.seq <= checkpoint) continue;
        const checked = checkMessage(message.subject, decoder.decode(message.body), regionOf);
        if (!checked.ok) {
          deadLetters.push({ message: kept(message), reason: checked.reason, detail: checked.message });
          writer.countDeadLetter(checked.reason);
          continue;
        }
        const hubMessage: MessageEvents | undefined =
          checked.event === undefined
            ? { events: checked.group, prev: checked.prev }
            : checked.event.node === HUB_NODE
              ? { events: [checked.event] }
              : undefined;
        if (hubMessage !== undefined) {
          // The hub's own facts: whole messages in the order of its chain, or nothing of one.
          const group = hubMessage.events;
          if (writer.hubMessageOutcome(hubMessage) === 'fenced') {
            const first = group[0];
            const after = hubMessage.prev === undefined ? 'a single event' : `after ${hubMessage.prev ?? 'nothing'}`;
            const detail = `hub message (hub seq ${first?.seq}, ${after}) does not continue the hub's last applied event: a deposed leader's, or decided on top of one (fenced); nothing applied`;
            deadLetters.push({ message: kept(message), reason: 'fenced', detail });
            writer.countDeadLetter('fenced');
            continue;
          }
          // Hub facts, which the clock rule never holds.
          for (const [index, event] of group.entries())
            if (writer.apply(event, message.seq, message.storedMs, effects, IN_TIME, index) === 'applied')
              correlationIds.push(event.correlationId);
          continue;
        }
        const event = checked.event;
        if (event === undefined) continue;
        // The store time, not this hub's clock: a replay judges every event exactly as before.
        const verdict = clockVerdictOf(event, message.storedMs, maxSkewMs);
        const placed = placedEvent(event, verdict, message.storedMs, maxSkewMs);
        const outcome = writer.apply(placed, message.seq, message.storedMs, effects, verdict);
        if (outcome === 'held' && verdict.kind === 'held') {
          const detail = `${event.type} of node ${event.node} has hlc ${event.hlc}, ${skewText(verdict.aheadMs)} ahead of its store time ${new Date(message.storedMs).toISOString()}: held for review, not applied`;
          deadLetters.push({ message: kept(message), reason: 'clock-skew', detail });
          writer.countDeadLetter('clock-skew');
        } else if (outcome === 'seq-conflict') {
          const detail = `node ${event.node} already used seq ${event.seq} for another event`;
          deadLetters.push({ message: kept(message), reason: 'seq-conflict', detail });
          writer.countDeadLetter('seq-conflict');
        } else if (outcome === 'applied') correlationIds.push(event.correlationId);
      }
      // Dead letters are committed with the batch and copied to the DLQ stream afterwards, so a
      // failed copy is retried instead of lost. A rebuild counts them again but does not re-send.
      if (keepDeadLetters)
        for (const dl of deadLetters)
          store.run(
            'INSERT INTO dead_letter_outbox (stream_seq, subject, reason, detail, body) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
            dl.message.seq,
            dl.message.subject,
            dl.reason,
            dl.detail,
            dl.message.body,
          );
      writer.flushPending();
      if (last > checkpoint) {
        checkpoint = last;
        writer.setCheckpoint(last, VIEW_SCHEMA_VERSION);
      }
    });
  } catch (error) {
    writer.discardPending();
    throw error;
  }
  return { effects, deadLetters, checkpoint, correlationIds };
};
