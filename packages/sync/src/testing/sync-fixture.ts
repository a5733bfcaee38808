import { type NatsConnection, wsconnect } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import type { InventoryEvent } from '@stocknerve/domain';
import type { NatsAuthOptions } from '@stocknerve/identity';
import type { NodeIdentity } from '@stocknerve/protocol';
import { type NatsServerProcess, wsFactory, wsFactoryWith } from '@stocknerve/test-harness';
import { IDBKeyRange, indexedDB } from 'fake-indexeddb';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import { EventLog } from '../local-db/event-log.js';
import { type LocalDb, openLocalDb } from '../local-db/local-db.js';
import { SyncClient, type SyncClientOptions } from '../sync-client.js';

let dbCounter = 0;

/** A node's local database on Dexie over fake-indexeddb (same storage code path as the browser). */
export const openTestDb = (name = `node-${process.pid}-${++dbCounter}`): Promise<LocalDb> =>
  openLocalDb({ name, storage: getRxStorageDexie({ indexedDB, IDBKeyRange }) });

/**
 * A node's local database in RxDB's memory storage: for volume tests (thousands of events), where
 * fake-indexeddb costs milliseconds per document. Gone when closed.
 */
export const openMemoryTestDb = (name = `mem-node-${process.pid}-${++dbCounter}`): Promise<LocalDb> =>
  openLocalDb({ name, storage: getRxStorageMemory() });

/** Opens a database and its node's event log, runs `check` on them, and closes the database whatever happens. */
export const withEventLog = async (
  open: () => Promise<LocalDb>,
  identity: NodeIdentity,
  check: (log: EventLog, db: LocalDb) => Promise<void>,
): Promise<void> => {
  const db = await open();
  try {
    const log = new EventLog(db, identity);
    await log.init();
    await check(log, db);
  } finally {
    await db.close();
  }
};

/** Records `count` goods receipts in the log, one event each, numbered after its last seq. */
export const recordReceipts = async (log: EventLog, count: number): Promise<InventoryEvent[]> => {
  const recorded: InventoryEvent[] = [];
  for (let i = 0; i < count; i++) {
    const n = log.seq + 1;
    recorded.push(
      ...(await log.record(
        [{ type: 'GoodsReceived', data: { purchaseOrderId: `po-${n}`, lines: [{ sku: 'A', qty: n }] } }],
        { correlationId: `c-${n}` },
      )),
    );
  }
  return recorded;
};

/** TCP transport for Node: reconnect forever, short waits (tests restart servers). `auth`: the node's credentials. */
export const tcpTransport =
  (url: string, auth: Partial<NatsAuthOptions> & { tls?: { caFile: string } } = {}) =>
  (): Promise<NatsConnection> =>
    connect({ servers: url, maxReconnectAttempts: -1, reconnectTimeWait: 250, name: 'stocknerve-node', ...auth });

/**
 * WebSocket transport, as in the browser (`wsconnect`), with the `ws` package as the socket
 * (Node 20 has no global WebSocket): reconnect forever, short waits.
 */
export const wsTransport =
  (url: string, auth: Partial<NatsAuthOptions> = {}, ca?: string) =>
  (): Promise<NatsConnection> =>
    wsconnect({
      servers: url,
      wsFactory: ca ? wsFactoryWith({ ca }) : wsFactory,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      name: 'stocknerve-node-ws',
      ...auth,
    });

/** A terminal's TCP transport to a test server: its own credentials (and the server's CA under TLS). */
export const terminalTransport = async (
  server: NatsServerProcess,
  identity: NodeIdentity,
): Promise<() => Promise<NatsConnection>> => {
  const auth = server.auth ? await server.auth.terminal(identity) : {};
  return tcpTransport(server.url, { ...auth, ...(server.tls ? { tls: { caFile: server.tls.caFile } } : {}) });
};

/** A started sync client for a node, with a fresh (or given) local database. */
export const startTestNode = async (
  identity: NodeIdentity,
  server: NatsServerProcess,
  options: Partial<SyncClientOptions> & { db?: LocalDb } = {},
): Promise<SyncClient> => {
  const db = options.db ?? (await openTestDb());
  const connect = await terminalTransport(server, identity);
  const client = new SyncClient({ identity, db, connect, heartbeatMs: 1000, ...options });
  await client.start();
  return client;
};
