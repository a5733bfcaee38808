// Third-party modules the benchmarks use, imported through the workspace packages that depend on
// them. The root package.json does not list the workspace packages (nor their NATS, RxDB, Vite and
// Playwright dependencies), so `bench/` cannot import them by bare name; these relative paths follow
// pnpm's links from the packages that do. Everything else in bench/ imports from here.
export {
  AckPolicy,
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
} from '../../packages/sync/node_modules/@nats-io/jetstream/lib/mod.js';
export { type NatsConnection, nanos } from '../../packages/sync/node_modules/@nats-io/nats-core/lib/mod.js';
export { connect } from '../../packages/sync/node_modules/@nats-io/transport-node/lib/mod.js';
