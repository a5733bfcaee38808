import { DeliverPolicy, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { NAMES } from '@stocknerve/protocol';
import type { Logger } from '../logger.js';
import { dropViews } from '../store/schema.js';
import type { SqlStore } from '../store/sql-store.js';
import { recordStreamIdentity } from '../store/stream-identity.js';
import { applyBatch } from './apply-batch.js';
import { MessageBatch } from './message-batch.js';
import { deliveryOfMessage } from './projector.js';
import { streamIdentityOf } from './stream-integrity.js';
import type { ViewWriter } from './view-writer.js';

/**
 * Drops every view and replays the whole event stream into them, up to the stream's last message at
 * the start of the rebuild, and records that stream as the one the views follow (an operator's
 * acknowledgement of a purged or recreated stream). Dead letters are counted again but not re-sent
 * (they are in the DLQ). Returns the number of messages replayed.
 */
export const rebuildViews = async (deps: {
  js: JetStreamClient;
  jsm: JetStreamManager;
  store: SqlStore;
  writer: ViewWriter;
  log: Logger;
  batchSize: number;
  /** The clock rule's bound, ms, as the projector applies it. Default DEFAULT_MAX_CLOCK_SKEW_MS. */
  maxClockSkewMs?: number;
}): Promise<{ messages: number; lastSeq: number; ms: number }> => {
  const started = Date.now();
  const info = await deps.jsm.streams.info(NAMES.eventStream);
  const lastSeq = info.state.last_seq;
  dropViews(deps.store);
  // The views now follow this stream as it is: what it lost before is acknowledged.
  recordStreamIdentity(deps.store, streamIdentityOf(info));
  if (info.state.messages === 0) return { messages: 0, lastSeq, ms: Date.now() - started };
  const consumer = await deps.js.consumers.get(NAMES.eventStream, {
    deliver_policy: DeliverPolicy.StartSequence,
    opt_start_seq: 1,
  });
  const messages = await consumer.consume({ max_messages: deps.batchSize * 2 });
  const subjects = new Map<string, string>();
  let batch = new MessageBatch(subjects);
  let count = 0;
  for await (const m of messages) {
    const delivery = deliveryOfMessage(m);
    batch.push(m.subject, delivery.streamSeq, delivery.storedMs, m.data);
    count++;
    // pending 0: nothing more in the stream (also when its last messages were deleted after the
    // info was read, so last_seq never arrives).
    const done = delivery.streamSeq >= lastSeq || delivery.pending === 0;
    // Full transactions: nobody waits for a rebuild's partial batches (and getPending() over-counts).
    if (batch.length >= deps.batchSize || done) {
      applyBatch(deps.store, deps.writer, batch, { keepDeadLetters: false, maxClockSkewMs: deps.maxClockSkewMs });
      if (!batch.clear()) batch = new MessageBatch(subjects);
      if (count % 100_000 < deps.batchSize) deps.log.info({ replayed: count, lastSeq }, 'rebuilding views');
    }
    if (done) break;
  }
  await messages.close();
  return { messages: count, lastSeq, ms: Date.now() - started };
};
