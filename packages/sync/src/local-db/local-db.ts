import { addRxPlugin, createRxDatabase, type RxCollection, type RxDatabase, type RxStorage } from 'rxdb';
import { RxDBMigrationSchemaPlugin } from 'rxdb/plugins/migration-schema';
import { LogUpgrade } from './log-upgrade.js';
import {
  type EventDoc,
  type EventDocV0,
  eventSchema,
  type MetaDoc,
  metaSchema,
  type ProjectionDoc,
  projectionSchema,
} from './schemas.js';

export type LocalCollections = {
  events: RxCollection<EventDoc>;
  projections: RxCollection<ProjectionDoc>;
  meta: RxCollection<MetaDoc>;
};
export type LocalDb = RxDatabase<LocalCollections>;

addRxPlugin(RxDBMigrationSchemaPlugin);

/** Events migrated per write while a terminal upgrades its log (RxDB's default is 10). */
const MIGRATION_BATCH = 500;

/**
 * Opens the node's local database. The storage is injected: Dexie (IndexedDB) in the browser or
 * Electron renderer, with `chromeTransactionDurability: 'strict'` so a write that resolved is on
 * disk; Dexie over fake-indexeddb or RxDB's memory storage in Node.
 */
// biome-ignore lint/suspicious/noExplicitAny: RxDB storages are generic over internal types.
export const openLocalDb = async (options: { name: string; storage: RxStorage<any, any> }): Promise<LocalDb> => {
  const db = await createRxDatabase<LocalCollections>({
    name: options.name,
    storage: options.storage,
    // One terminal, one window (Electron's single-instance lock); no cross-tab coordination needed.
    multiInstance: false,
    eventReduce: true,
    closeDuplicates: true,
  });
  await db.addCollections({
    projections: { schema: projectionSchema },
    meta: { schema: metaSchema },
  });
  const upgrade = new LogUpgrade(db.meta);
  await db.addCollections({
    events: {
      schema: eventSchema,
      autoMigrate: false,
      migrationStrategies: { 1: (old: EventDocV0) => upgrade.migrate(old) },
    },
  });
  await db.events.migratePromise(MIGRATION_BATCH);
  await upgrade.finish(db.events, Date.now());
  return db;
};
