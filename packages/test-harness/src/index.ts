export { chromiumLaunchOptions } from './chromium.js';
export { freePort } from './free-port.js';
export {
  HARNESS_CLUSTER_NAME,
  type NatsCluster,
  type StartNatsClusterOptions,
  startNatsCluster,
} from './nats-cluster.js';
export {
  type ConnectionBasics,
  findNatsServerBinary,
  type HarnessAuth,
  type HarnessCredentials,
  type NatsServerProcess,
  type StartNatsServerOptions,
  startNatsServer,
} from './nats-server.js';
export { makeTempDir, removeTempDir } from './temp-dir.js';
export { generateTlsFiles, type TlsFiles } from './tls-files.js';
export { type WaitForOptions, waitFor } from './wait-for.js';
export { watchChild } from './watchdog.js';
export { wsFactory, wsFactoryWith } from './ws.js';
