import { kvToken } from './kv-keys.js';
import { KV_BUCKETS, type KvBucketName, NAMES } from './names.js';
import type { NodeIdentity } from './node-identity.js';
import { nodeEventSubject, nodeHeartbeatSubject, ROOT, TIME_SUBJECT } from './subjects.js';

// What each NATS identity may publish and subscribe to (docs/runbook.md, "Security"). The JetStream
// API subjects were found by tracing the real clients (nats.js 3.4: publisher, KV watch, direct
// reads, the ordered consumer of a restore) against nats-server 2.9 with permissions on; the
// identity package's permission tests run those clients under exactly these sets.

/** Subjects a user may (allow) and may not (deny, wins) publish or subscribe to. */
export interface NatsPermissions {
  readonly pub: { readonly allow: readonly string[]; readonly deny: readonly string[] };
  readonly sub: { readonly allow: readonly string[]; readonly deny: readonly string[] };
}

/** The kinds of NATS users Stocknerve issues. */
export type NatsRole = 'hub' | 'admin' | 'terminal';

/**
 * A node's private inbox prefix: replies and deliveries to it (pub acks, KV watch deliveries,
 * direct reads) are the only messages it may subscribe to, so no node can read another's replies.
 * Clients pass it as the connection's `inboxPrefix`.
 */
export const inboxPrefixOf = (node: string): string => `_INBOX_${kvToken(node)}`;

/** The hub's own inbox prefix (and that of its CLI commands). */
export const HUB_INBOX_PREFIX = '_INBOX_hub';

const api = (rest: string) => `$JS.API.${rest}`;
const kvStream = (bucket: KvBucketName) => `KV_${bucket}`;

/** Watching `filter` (a subject of the bucket's stream) with an ordered consumer, and reading its last values. */
const readKv = (bucket: KvBucketName, keyFilter: string): string[] => {
  const stream = kvStream(bucket);
  const subject = `$KV.${bucket}.${keyFilter}`;
  return [
    // nats-server 2.9+ puts the consumer's name and filter in the create subject, so a filter can be
    // permitted without permitting the whole bucket.
    api(`CONSUMER.CREATE.${stream}.*.${subject}`),
    api(`DIRECT.GET.${stream}.${subject}`),
    // A stopped watch deletes its ordered consumer (names are random: nobody else's is known).
    api(`CONSUMER.DELETE.${stream}.*`),
  ];
};

/**
 * A terminal (or a third-party POS, same shape): publishes only its own events and heartbeats, asks
 * the hub's time, reads the catalog, locations, every store's stock (nearby lookup), its own
 * store's pickups and reservations and its own watermark, and restores its own events.
 */
export const terminalPermissions = (id: NodeIdentity): NatsPermissions => {
  const ownEvents = nodeEventSubject(id);
  const loc = id.location;
  return {
    pub: {
      allow: [
        ownEvents,
        nodeHeartbeatSubject(id),
        TIME_SUBJECT,
        api('INFO'),
        ...readKv(KV_BUCKETS.catalog, '>'),
        ...readKv(KV_BUCKETS.locations, '>'),
        ...readKv(KV_BUCKETS.stock, '>'),
        ...readKv(KV_BUCKETS.pickups, `${loc}.>`),
        ...readKv(KV_BUCKETS.reservations, `${loc}.>`),
        ...readKv(KV_BUCKETS.watermarks, id.node),
        // Restore after a wipe: the last of its own events, then an ordered consumer over them.
        api(`DIRECT.GET.${NAMES.eventStream}.${ownEvents}`),
        api(`CONSUMER.CREATE.${NAMES.eventStream}.*.${ownEvents}`),
        api(`CONSUMER.MSG.NEXT.${NAMES.eventStream}.*`),
        api(`CONSUMER.DELETE.${NAMES.eventStream}.*`),
        api(`STREAM.INFO.${NAMES.eventStream}`),
        // Flow control and heartbeats of its own ordered consumers.
        '$JS.FC.>',
      ],
      // Names are free in the patterns above; the hub's durable consumer is not.
      deny: [
        api(`CONSUMER.MSG.NEXT.${NAMES.eventStream}.${NAMES.projectorConsumer}`),
        api(`CONSUMER.CREATE.${NAMES.eventStream}.${NAMES.projectorConsumer}.>`),
        api(`CONSUMER.DELETE.${NAMES.eventStream}.${NAMES.projectorConsumer}`),
      ],
    },
    sub: { allow: [`${inboxPrefixOf(id.node)}.>`], deny: [] },
  };
};

/**
 * The hub: the only writer of hub facts, dead letters and KV values, and of the JetStream API
 * (streams, buckets, its durable consumer). It never writes a store's events or heartbeats.
 */
export const hubPermissions = (): NatsPermissions => ({
  pub: { allow: ['>'], deny: [`${ROOT}.evt.>`, `${ROOT}.hb.>`] },
  sub: { allow: ['>'], deny: [] },
});

/** An operator at the runbook's tasks (backups, dead-letter replay, repairs): everything. */
export const adminPermissions = (): NatsPermissions => ({
  pub: { allow: ['>'], deny: [] },
  sub: { allow: ['>'], deny: [] },
});
