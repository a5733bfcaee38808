export * from './arbitraries.js';
export * from './clock-worlds.js';
export * from './event-factory.js';
