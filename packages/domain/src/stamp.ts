import type { DecidedEvent } from './deciders/decision.js';
import type { EventEnvelope } from './events/envelope.js';
import { describeIssues } from './events/issues.js';
import { currentVersionOf, type InventoryEvent, parseEvent } from './events/registry.js';

/**
 * Turns a decided fact into a stored event: the producer (node or hub) supplies id, seq, HLC,
 * time and correlation. Validates the result, so a producer can never store an invalid event.
 */
export const stampEvent = (decided: DecidedEvent, envelope: EventEnvelope): InventoryEvent => {
  const version = currentVersionOf(decided.type);
  const parsed = parseEvent({ ...envelope, type: decided.type, version, data: decided.data });
  if (!parsed.ok) throw new Error(`stampEvent: invalid ${decided.type}: ${describeIssues(parsed.issues)}`);
  return parsed.event;
};
