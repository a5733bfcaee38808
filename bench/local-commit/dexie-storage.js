// RxDB's Dexie storage from the rxdb that packages/sync uses (bench/ cannot import it by name;
// see bench/lib/deps.ts). Vite follows the path into pnpm's store.
export {
  getDexieDbWithTables,
  getRxStorageDexie,
} from '../../packages/sync/node_modules/rxdb/dist/esm/plugins/storage-dexie/index.js';
