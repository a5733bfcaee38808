export {
  getDexieDbWithTables,
  getRxStorageDexie,
} from '../../packages/sync/node_modules/rxdb/dist/types/plugins/storage-dexie/index.js';
