export { chromiumLaunchOptions } from './chromium.js';
export { freePort } from './free-port.js';
export {
  findNatsServerBinary,
  type NatsServerProcess,
  type StartNatsServerOptions,
  startNatsServer,
} from './nats-server.js';
export { makeTempDir, removeTempDir } from './temp-dir.js';
export { type WaitForOptions, waitFor } from './wait-for.js';
export { watchChild } from './watchdog.js';
export { wsFactory } from './ws.js';
