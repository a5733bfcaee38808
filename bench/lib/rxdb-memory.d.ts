export { getRxStorageMemory } from '../../packages/sync/node_modules/rxdb/dist/types/plugins/storage-memory/index.js';
