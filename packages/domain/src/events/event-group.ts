import type { FieldIssue } from './issues.js';
import { type InventoryEvent, parseEvent, type RejectReason } from './registry.js';

/**
 * Most events in one message of the hub subject. The hub decides the commands queued while it
 * appends together and appends their events as one message (a group); a group stays well inside
 * NATS's default 1 MB payload at the largest events the schemas allow.
 */
export const MAX_GROUP_EVENTS = 1000;

export type MessageParseResult =
  | { readonly ok: true; readonly events: readonly InventoryEvent[] }
  | { readonly ok: false; readonly reason: RejectReason; readonly message: string; readonly issues: FieldIssue[] };

/**
 * The events of one stream message: a store message is one event (an object); a hub message is
 * one event (written before groups existed) or a non-empty array of events in the order they were
 * decided. Any invalid element rejects the whole message, naming the element.
 */
export const parseMessageEvents = (raw: unknown): MessageParseResult => {
  if (!Array.isArray(raw)) {
    const parsed = parseEvent(raw);
    return parsed.ok ? { ok: true, events: [parsed.event] } : parsed;
  }
  if (raw.length === 0 || raw.length > MAX_GROUP_EVENTS) {
    const issues = [{ path: '(root)', message: `a group holds 1 to ${MAX_GROUP_EVENTS} events, not ${raw.length}` }];
    return { ok: false, reason: 'invalid-envelope', issues, message: issues[0]?.message ?? '' };
  }
  const events: InventoryEvent[] = [];
  for (const [index, element] of raw.entries()) {
    const parsed = parseEvent(element);
    if (!parsed.ok)
      return {
        ...parsed,
        issues: parsed.issues.map((i) => ({ ...i, path: `[${index}].${i.path}` })),
        message: `event [${index}] of the group: ${parsed.message}`,
      };
    events.push(parsed.event);
  }
  return { ok: true, events };
};

/** The body of a hub message carrying `events` (a group): what `parseMessageEvents` reads back. */
export const encodeEventGroup = (events: readonly InventoryEvent[]): string => JSON.stringify(events);
