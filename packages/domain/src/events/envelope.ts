import { z } from 'zod';
import { HlcText } from '../hlc.js';
import { EventId, LocationId, NodeId, Reference } from '../ids.js';

/** The node id the hub records its own events under. */
export const HUB_NODE = 'hub';
/** The location the hub's own events are recorded at (it is not a store). */
export const HUB_LOCATION = 'hub';

/** Fields every event carries, whatever its type. */
export const envelopeFields = {
  /** Unique, time-sortable (UUIDv7); also the JetStream `Nats-Msg-Id`. */
  id: EventId,
  /** Where the fact happened (`hub` for the hub's own events). */
  location: LocationId,
  /** Which terminal recorded it (`hub` for the hub's own events). */
  node: NodeId,
  /** Gap-free per node, starting at 1, never reused. */
  seq: z.number().int({ error: 'seq must be a whole number' }).min(1, { error: 'seq starts at 1' }),
  /** Hybrid logical clock timestamp: the merge order of facts. */
  hlc: HlcText,
  /** Wall-clock time for humans (ISO 8601, UTC). */
  occurredAt: z.iso.datetime({ error: 'occurredAt must be an ISO 8601 UTC date-time' }),
  /** Ties together every event of one business operation, from the terminal to the hub. */
  correlationId: Reference('correlationId'),
  /** The event or command that caused this one, when there is one. */
  causationId: Reference('causationId').optional(),
};

/** Builds the schema of one event type at one schema version. */
export const eventSchema = <T extends string, V extends number, D extends z.ZodType>(type: T, version: V, data: D) =>
  z.object({
    ...envelopeFields,
    type: z.literal(type),
    version: z.literal(version),
    data,
  });

/** The envelope without its payload, e.g. for routing before the payload is validated. */
export const EnvelopeHead = z.object({
  ...envelopeFields,
  type: z.string({ error: 'type must be a string' }).min(1, { error: 'type is required' }),
  version: z.number().int().min(1, { error: 'version must be a positive whole number' }),
  data: z.unknown(),
});
export type EnvelopeHead = z.infer<typeof EnvelopeHead>;

/** Envelope fields a producer supplies when it stamps decided events into stored events. */
export type EventEnvelope = Omit<EnvelopeHead, 'type' | 'version' | 'data'>;
