// The hub's parts, for the workspace's own tools (the bench, the chaos test): not its public
// contract (index.ts), and free to change with the hub.
export { ensureBackbone } from './backbone/ensure-backbone.js';
export { openEnrollment } from './identity/open-enrollment.js';
export { createLogger, type Logger } from './logger.js';
export { applyBatch, type StreamMessage } from './projector/apply-batch.js';
export { checkMessage } from './projector/check-message.js';
export { rebuildViews } from './projector/rebuild.js';
export { emptyEffects, ViewWriter } from './projector/view-writer.js';
export { ensureViewSchema } from './store/schema.js';
export { openSqliteStore, type SqlStore } from './store/sql-store.js';
export { availabilityJsonOf, availabilityOf } from './views/availability.js';
