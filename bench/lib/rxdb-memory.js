// RxDB's in-memory storage, from the rxdb that packages/sync uses (see deps.ts for why the path).
export { getRxStorageMemory } from '../../packages/sync/node_modules/rxdb/dist/esm/plugins/storage-memory/index.js';
