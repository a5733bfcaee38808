// @stocknerve/sync: a store node's local event log and its replication with the hub. The rest of
// the package (connection loop, outbox, replicas, anti-entropy) is internal.

export type { ClockCheck } from './connection/clock-check.js';
export {
  EnrollmentFailed,
  type EnrollOptions,
  enrollTerminal,
  TerminalCredentials,
  terminalAuth,
} from './enrollment/enroll.js';
export { type Entropy, EventLog, storedEventOf, systemEntropy } from './local-db/event-log.js';
export { type LocalCollections, type LocalDb, openLocalDb } from './local-db/local-db.js';
export { type EventDoc, eventSchema, type MetaDoc, type ProjectionDoc } from './local-db/schemas.js';
export { type LocalStockFigures, localStock } from './local-projection.js';
export type { OutboxOptions } from './outbox/outbox-publisher.js';
export type { KvReplica } from './pull/kv-replica.js';
export { type Pulled, pulledValuesOf, readPulled, readPulledValue } from './pull/pulled-values.js';
export { initialSyncStatus, type SyncStatus } from './status.js';
export { SyncClient, type SyncClientOptions } from './sync-client.js';
