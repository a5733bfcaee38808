import type { NodeIdentity } from './node-identity.js';

// NATS subjects of the contract (docs/wire-protocol.md, section 3). Tokens are validated ids: no dots
// or wildcards.

/** Root of every inventory subject, versioned so a v2 contract can run beside v1. */
export const ROOT = 'inv.v1';

/** Store events: `inv.v1.evt.<region>.<location>.<node>`. */
export const storeEventSubject = (region: string, location: string, node: string) =>
  `${ROOT}.evt.${region}.${location}.${node}`;

/** The hub's own events: one subject, so JetStream can enforce a single writer. */
export const hubEventSubject = (node = 'hub') => `${ROOT}.hub.${node}`;

/** Heartbeats (core NATS, not stored): `inv.v1.hb.<region>.<location>.<node>`. */
export const heartbeatSubject = (region: string, location: string, node: string) =>
  `${ROOT}.hb.${region}.${location}.${node}`;

/** Dead letters: `inv.v1.dlq.<reason>`. */
export const deadLetterSubject = (reason: string) => `${ROOT}.dlq.${reason}`;

/**
 * The hub's clock (core NATS request/reply): a node asks on connect and compares with its own, so a
 * terminal whose clock is wrong warns its cashier (docs/wire-protocol.md).
 */
export const TIME_SUBJECT = `${ROOT}.time`;

/**
 * Hub commands forwarded to the hub instance that leads (core NATS request/reply). Only hub
 * credentials may publish or subscribe here: a terminal's permissions do not name it.
 */
export const HUB_COMMAND_SUBJECT = `${ROOT}.cmd.hub`;

/** A node's own event subject. */
export const nodeEventSubject = (id: NodeIdentity) => storeEventSubject(id.region, id.location, id.node);

/** A node's own heartbeat subject. */
export const nodeHeartbeatSubject = (id: NodeIdentity) => heartbeatSubject(id.region, id.location, id.node);

/** What the event stream stores: every store's events and the hub's. */
export const EVENT_SUBJECTS = [`${ROOT}.evt.>`, `${ROOT}.hub.>`];
/** What the dead-letter stream stores. */
export const DEAD_LETTER_SUBJECTS = [`${ROOT}.dlq.>`];
/** Every node's heartbeats. */
export const HEARTBEAT_WILDCARD = `${ROOT}.hb.>`;

export type ParsedSubject =
  | { kind: 'store'; region: string; location: string; node: string }
  | { kind: 'hub'; node: string }
  | { kind: 'other' };

/** Splits an event subject into its routing tokens. */
export const parseEventSubject = (subject: string): ParsedSubject => {
  const [root, version, space, a, b, c, ...rest] = subject.split('.');
  if (root !== 'inv' || version !== 'v1' || rest.length > 0) return { kind: 'other' };
  if (space === 'evt' && a && b && c) return { kind: 'store', region: a, location: b, node: c };
  if (space === 'hub' && a && !b) return { kind: 'hub', node: a };
  return { kind: 'other' };
};
