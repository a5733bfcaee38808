// Stocknerve's wire contract: what a store node, a third-party POS and the hub agree on. Both sides
// import it; whatever comes off the wire is parsed with these schemas, never cast.
export { Heartbeat } from './heartbeat.js';
export { ALL_KEYS, kvKeys, kvStreamOf, kvSubjectOf, kvToken, locationKeys, NETWORK_KEY } from './kv-keys.js';
export {
  CatalogValue,
  KV_VALUE_SCHEMAS,
  type KvValue,
  type KvValueCheck,
  kvBucketOf,
  LocationValue,
  type PickupCompletion,
  PickupValue,
  parseKvValue,
  parseKvValueOf,
  ReservationValue,
  StockValue,
  WatermarkValue,
} from './kv-values.js';
export { KV_BUCKETS, type KvBucket, type KvBucketName, NAMES } from './names.js';
export { NodeIdentity } from './node-identity.js';
export {
  adminPermissions,
  HUB_INBOX_PREFIX,
  hubPermissions,
  inboxPrefixOf,
  type NatsPermissions,
  type NatsRole,
  terminalPermissions,
} from './permissions.js';
export {
  DEAD_LETTER_SUBJECTS,
  deadLetterSubject,
  EVENT_SUBJECTS,
  HEARTBEAT_WILDCARD,
  HUB_COMMAND_SUBJECT,
  heartbeatSubject,
  hubEventSubject,
  nodeEventSubject,
  nodeHeartbeatSubject,
  type ParsedSubject,
  parseEventSubject,
  ROOT,
  storeEventSubject,
  TIME_SUBJECT,
} from './subjects.js';
export { TimeReply } from './time-reply.js';
