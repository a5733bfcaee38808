// The hub's public surface: start it in a process (startHub, loadConfig), or run its built CLI.
export { builtHubCli } from './cli-path.js';
export * from './config.js';
export * from './hub.js';
export * from './views/dump-views.js';
