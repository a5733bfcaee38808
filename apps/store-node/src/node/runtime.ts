import { wsconnect } from '@nats-io/nats-core';
import type { NodeIdentity } from '@stocknerve/protocol';
import { type LocalDb, openLocalDb, SyncClient, terminalAuth } from '@stocknerve/sync';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import type { NodeSettings } from '../config/node-settings.js';
import { APP_VERSION } from '../version.js';
import { CommandRunner } from './commands.js';
import { LocalView } from './local-view.js';
import { NodeData } from './node-data.js';

/** One running terminal: its database, sync client, local view, pulled data and command runner. */
export interface StoreNode {
  readonly settings: NodeSettings;
  readonly identity: NodeIdentity;
  readonly db: LocalDb;
  readonly sync: SyncClient;
  readonly view: LocalView;
  readonly data: NodeData;
  readonly commands: CommandRunner;
  stop(): Promise<void>;
}

/**
 * IndexedDB database of a terminal: one per node id, so a till enrolled as another node never mixes
 * logs, and one enrolled again as the same node (after a revocation) keeps its log.
 */
export const databaseNameOf = (node: string): string => `stocknerve-${node}`;

/**
 * Opens the terminal's local database and starts syncing. Resolves without waiting for NATS: the
 * till works from the first second, online or not. Who it is comes from its credentials (the hub
 * bound them to that identity; the server refuses anything else).
 */
export const startStoreNode = async (settings: NodeSettings): Promise<StoreNode> => {
  const identity: NodeIdentity = settings.credentials.identity;
  // Strict durability: with Chromium's default ("relaxed") a committed IndexedDB transaction may
  // still sit in the OS cache, so a sale shown as done could vanish in a power cut or crash.
  // No RxDB dev-mode here: in a browser it injects an iframe loaded from the internet.
  const db = await openLocalDb({
    name: databaseNameOf(identity.node),
    storage: getRxStorageDexie({ chromeTransactionDurability: 'strict' }),
  });
  const sync = new SyncClient({
    identity,
    db,
    appVersion: APP_VERSION,
    connect: () =>
      wsconnect({
        servers: settings.natsUrl,
        name: `stocknerve-${identity.node}`,
        // Signs the server's nonce with the seed kept on this till; its inbox prefix is the only
        // one its permissions let it subscribe to.
        ...terminalAuth(settings.credentials),
        maxReconnectAttempts: -1,
        reconnectTimeWait: 1000,
        // Otherwise every outbox publish builds an Error with the caller's async stack up front, in
        // case it fails (docs/decisions/0023-allocation-on-hot-paths.md). A failed publish still says
        // what and why.
        noAsyncTraces: true,
      }),
  });
  await sync.start();
  const view = new LocalView(db, identity);
  view.init(await sync.log.all());
  const data = new NodeData(db, identity);
  data.start();
  const commands = new CommandRunner(sync, view, identity);
  // Ask the browser not to evict this origin's storage under disk pressure (the outbox lives there).
  void navigator.storage?.persist?.().catch(() => false);
  return {
    settings,
    identity,
    db,
    sync,
    view,
    data,
    commands,
    stop: async () => {
      data.stop();
      await sync.stop();
      await db.close();
    },
  };
};
