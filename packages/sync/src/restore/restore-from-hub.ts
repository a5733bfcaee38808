import { DeliverPolicy, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { type InventoryEvent, parseEvent } from '@stocknerve/domain';
import { NAMES, nodeEventSubject } from '@stocknerve/protocol';
import type { EventLog } from '../local-db/event-log.js';

/**
 * Rebuilds a wiped node's log from the hub's stream (its own subject), so that a replaced terminal
 * continues its sequence without reusing a number. Returns how many events were restored.
 */
export const restoreFromHub = async (
  log: EventLog,
  js: JetStreamClient,
  jsm: JetStreamManager,
  now: () => number = Date.now,
): Promise<number> => {
  const subject = nodeEventSubject(log.identity);
  let last: number;
  try {
    const lastMsg = await jsm.direct.getMessage(NAMES.eventStream, { last_by_subj: subject });
    if (!lastMsg) return 0;
    last = lastMsg.seq;
  } catch (error) {
    if (/no message found|not found/i.test(String(error))) return 0;
    throw error;
  }
  const consumer = await js.consumers.get(NAMES.eventStream, {
    // A string, not an array: an array needs nats-server 2.10 (multiple filters); Debian ships 2.9.
    filter_subjects: subject,
    deliver_policy: DeliverPolicy.All,
  });
  const messages = await consumer.consume({ max_messages: 1000 });
  const bySeq = new Map<number, { event: InventoryEvent; streamSeq: number }>();
  for await (const m of messages) {
    const parsed = parseEvent(m.json());
    // The first copy in the stream wins; a later copy is a re-send of the same event.
    if (parsed.ok && parsed.event.node === log.identity.node && !bySeq.has(parsed.event.seq))
      bySeq.set(parsed.event.seq, { event: parsed.event, streamSeq: m.seq });
    if (m.seq >= last) break;
  }
  await messages.close();
  const restored = [...bySeq.values()].sort((a, b) => a.event.seq - b.event.seq);
  await log.importRestored(restored, now());
  return restored.length;
};
