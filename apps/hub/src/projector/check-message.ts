import {
  HUB_EVENT_TYPES,
  HUB_LOCATION,
  HUB_NODE,
  type InventoryEvent,
  isHlcOfNode,
  parseEventJson,
  parseMessageEvents,
  STORE_EVENT_TYPES,
} from '@stocknerve/domain';
import { type ParsedSubject, parseEventSubject } from '@stocknerve/protocol';

/** Why a message is dead-lettered: the domain's parse reasons plus routing checks. */
export type DeadLetterReason =
  | 'invalid-json'
  | 'invalid-envelope'
  | 'unknown-type'
  | 'unknown-version'
  | 'invalid-data'
  | 'subject-mismatch'
  | 'unknown-location'
  | 'seq-conflict'
  | 'fenced'
  | 'clock-skew';

export type CheckedMessage =
  | { readonly ok: true; readonly event: InventoryEvent }
  /** A hub message carrying the events of a group of commands, in the order they were decided. */
  | {
      readonly ok: true;
      readonly event?: undefined;
      readonly group: readonly InventoryEvent[];
      /** The id of the hub event the group follows (null: the first). */
      readonly prev: string | null;
    }
  | { readonly ok: false; readonly reason: DeadLetterReason; readonly message: string };

/**
 * Subjects already split, by subject: a stream's subjects are its terminals' (a few hundred), so
 * each message's need not be split again (docs/decisions/0023-allocation-on-hot-paths.md).
 * Forgotten wholesale past a bound.
 */
const routes = new Map<string, ParsedSubject>();
const routeOf = (subject: string): ParsedSubject => {
  let route = routes.get(subject);
  if (route === undefined) {
    if (routes.size >= 10_000) routes.clear();
    route = parseEventSubject(subject);
    routes.set(subject, route);
  }
  return route;
};

/** A group's body starts `{"prev":` (how the hub writes it); an event's starts with another key. */
const isGroupBody = (body: string): boolean => /^\s*\{\s*"prev"\s*:/.test(body);

const notAHubFact = (event: InventoryEvent, subject: string, subjectNode: string): CheckedMessage | undefined =>
  !HUB_EVENT_TYPES.has(event.type) ||
  event.node !== subjectNode ||
  event.node !== HUB_NODE ||
  event.location !== HUB_LOCATION
    ? { ok: false, reason: 'subject-mismatch', message: `${event.type} from node ${event.node} on ${subject}` }
    : undefined;

/** A group on the hub subject: every event valid and a hub fact, or the whole message is refused. */
const checkHubGroup = (subject: string, body: string, subjectNode: string): CheckedMessage => {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch (error) {
    return { ok: false, reason: 'invalid-json', message: `not JSON: ${(error as Error).message}` };
  }
  const parsed = parseMessageEvents(raw);
  if (!parsed.ok) return { ok: false, reason: parsed.reason, message: parsed.message };
  if (parsed.prev === undefined)
    return { ok: false, reason: 'invalid-envelope', message: 'a hub group needs prev and events' };
  for (const event of parsed.events) {
    if (!isHlcOfNode(event.hlc, event.node))
      return { ok: false, reason: 'invalid-envelope', message: `hlc: ${event.hlc} was not made by node ${event.node}` };
    const refused = notAHubFact(event, subject, subjectNode);
    if (refused) return refused;
  }
  return { ok: true, group: parsed.events, prev: parsed.prev };
};

/**
 * Validates a message from the event stream: the body is a known event, and the subject agrees with
 * it (a store subject carries the body's region, location and node and only store facts; the hub
 * subject carries only hub facts). `regionOf` says the region of a known location.
 */
export const checkMessage = (
  subject: string,
  body: string,
  regionOf: (location: string) => string | undefined,
): CheckedMessage => {
  const route = routeOf(subject);
  if (route.kind === 'hub' && isGroupBody(body)) return checkHubGroup(subject, body, route.node);
  const parsed = parseEventJson(body);
  if (!parsed.ok) return { ok: false, reason: parsed.reason, message: parsed.message };
  const event = parsed.event;
  // The HLC's node breaks ties between nodes: it must be the node that recorded the event.
  // (The parse has checked the HLC's form.)
  if (!isHlcOfNode(event.hlc, event.node))
    return { ok: false, reason: 'invalid-envelope', message: `hlc: ${event.hlc} was not made by node ${event.node}` };
  if (route.kind === 'hub') {
    const refused = notAHubFact(event, subject, route.node);
    return refused ?? { ok: true, event };
  }
  if (route.kind !== 'store')
    return { ok: false, reason: 'subject-mismatch', message: `not an event subject: ${subject}` };
  if (event.node === HUB_NODE)
    return { ok: false, reason: 'subject-mismatch', message: `node id "${HUB_NODE}" is reserved for the hub` };
  if (!STORE_EVENT_TYPES.has(event.type))
    return { ok: false, reason: 'subject-mismatch', message: `${event.type} is a hub fact, not accepted from a store` };
  if (event.location !== route.location || event.node !== route.node)
    return {
      ok: false,
      reason: 'subject-mismatch',
      message: `body says ${event.location}/${event.node}, subject says ${route.location}/${route.node}`,
    };
  const region = regionOf(event.location);
  if (region === undefined)
    return { ok: false, reason: 'unknown-location', message: `location ${event.location} is not defined` };
  if (region !== route.region)
    return {
      ok: false,
      reason: 'subject-mismatch',
      message: `${event.location} is in ${region}, subject says ${route.region}`,
    };
  return { ok: true, event };
};
