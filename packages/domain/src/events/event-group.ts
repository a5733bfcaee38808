import { HUB_NODE } from './envelope.js';
import type { FieldIssue } from './issues.js';
import { type InventoryEvent, parseEvent, type RejectReason } from './registry.js';

/**
 * Most events in one message of the hub subject. The hub decides the commands queued while it
 * appends together and appends their events as one message (a group); a group stays well inside
 * NATS's default 1 MB payload at the largest events the schemas allow.
 */
export const MAX_GROUP_EVENTS = 1000;

/** The events of one stream message, and for a group the hub event it follows. */
export interface MessageEvents {
  readonly events: readonly InventoryEvent[];
  /**
   * A group's predecessor: the id of the last hub event its writer had applied (null: none yet).
   * Undefined for a message of one event (a store's, or the hub's written before groups).
   */
  readonly prev?: string | null;
}

export type MessageParseResult =
  | ({ readonly ok: true } & MessageEvents)
  | { readonly ok: false; readonly reason: RejectReason; readonly message: string; readonly issues: FieldIssue[] };

const isGroup = (raw: unknown): raw is { prev?: unknown; events: unknown } =>
  typeof raw === 'object' && raw !== null && !Array.isArray(raw) && 'events' in raw && !('type' in raw);

const invalid = (path: string, message: string): MessageParseResult => ({
  ok: false,
  reason: 'invalid-envelope',
  issues: [{ path, message }],
  message: `${path}: ${message}`,
});

/**
 * The events of one stream message: one event (an object with `type`: every store message, and
 * hub messages written before groups), or a hub group `{ prev, events }`: the id of the hub event
 * it follows (null for the first) and 1..MAX_GROUP_EVENTS events in the order they were decided.
 * Any invalid element rejects the whole message, naming the element.
 */
export const parseMessageEvents = (raw: unknown): MessageParseResult => {
  if (!isGroup(raw)) {
    const parsed = parseEvent(raw);
    return parsed.ok ? { ok: true, events: [parsed.event] } : parsed;
  }
  const { prev, events: elements } = raw;
  if (prev !== null && (typeof prev !== 'string' || prev.length === 0 || prev.length > 200))
    return invalid('prev', 'must be the id of the hub event the group follows, or null');
  if (!Array.isArray(elements) || elements.length === 0 || elements.length > MAX_GROUP_EVENTS)
    return invalid('events', `a group holds 1 to ${MAX_GROUP_EVENTS} events`);
  const events: InventoryEvent[] = [];
  for (const [index, element] of elements.entries()) {
    const parsed = parseEvent(element);
    if (!parsed.ok)
      return {
        ...parsed,
        issues: parsed.issues.map((i) => ({ ...i, path: `events[${index}].${i.path}` })),
        message: `event [${index}] of the group: ${parsed.message}`,
      };
    events.push(parsed.event);
  }
  return { ok: true, events, prev };
};

/** The body of a hub message carrying a group: what `parseMessageEvents` reads back. */
export const encodeEventGroup = (events: readonly InventoryEvent[], prev: string | null): string =>
  JSON.stringify({ prev, events });

/**
 * Whether a hub message continues the hub's chain of messages, given the last hub event applied
 * (its id and node seq, or undefined): a group when it names that event as its predecessor, a
 * single event when its seq is the next one. A deposed leader's late message, and anything decided
 * on top of it, does not: the hub dead-letters it as `fenced`, whatever JetStream let through.
 */
export const continuesHubChain = (
  message: MessageEvents,
  last: { readonly id: string; readonly seq: number } | undefined,
): boolean => {
  if (message.prev !== undefined) return message.prev === (last?.id ?? null);
  return (message.events[0]?.seq ?? 0) === (last?.seq ?? 0) + 1;
};

/**
 * The events a fold of the stream applies, from its messages in stream order: hub messages only
 * while they continue the hub's chain (`continuesHubChain`), and each event id once.
 */
export const acceptedEvents = (messages: Iterable<MessageEvents>): InventoryEvent[] => {
  const out: InventoryEvent[] = [];
  const seen = new Set<string>();
  let last: { id: string; seq: number } | undefined;
  for (const message of messages) {
    const first = message.events[0];
    if (first === undefined) continue;
    if (first.node === HUB_NODE) {
      if (seen.has(first.id)) continue;
      if (!continuesHubChain(message, last)) continue;
      const tail = message.events.at(-1) ?? first;
      last = { id: tail.id, seq: tail.seq };
    }
    for (const event of message.events) {
      if (seen.has(event.id)) continue;
      seen.add(event.id);
      out.push(event);
    }
  }
  return out;
};
