/** Replaced by Vite at build time with package.json's version (vite.config.ts). */
declare const __STOCKNERVE_VERSION__: string;

/** This build of the till, reported in heartbeats and shown in the sync panel. */
export const APP_VERSION = `stocknerve-store-node/${__STOCKNERVE_VERSION__}`;
