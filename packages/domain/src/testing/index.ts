export * from './arbitraries.js';
export * from './event-factory.js';
