export * from './backbone/subjects.js';
export * from './config.js';
export * from './hub.js';
export * from './views/dump-views.js';
