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

/**
 * Applies messages in stream order in ONE transaction together with the new checkpoint, so a crash
 * leaves either the whole batch and its checkpoint or neither. Messages at or below the checkpoint
 * were applied before a crash and are skipped.
 */
export const applyBatch = (
  store: SqlStore,
  writer: ViewWriter,
  batch: Iterable<StreamMessage>,
  options: { keepDeadLetters: boolean } = { keepDeadLetters: true },
): BatchResult => {
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
        const outcome = writer.apply(checked.event, message.seq, message.storedMs, effects);
        if (outcome === 'seq-conflict') {
          const detail = `node ${checked.event.node} already used seq ${checked.event.seq} for another event`;
          deadLetters.push({ message: kept(message), reason: 'seq-conflict', detail });
          writer.countDeadLetter('seq-conflict');
        } else if (outcome === 'applied') correlationIds.push(checked.event.correlationId);
      }
      // Dead letters are committed with the batch and copied to the DLQ stream afterwards, so a
      // failed copy is retried instead of lost. A rebuild counts them again but does not re-send.
      if (options.keepDeadLetters)
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
