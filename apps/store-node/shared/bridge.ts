import type { Provisioning } from './provisioning.js';

/** What Electron's preload exposes as `window.stocknerve` (absent in a plain browser). */
export interface StocknerveBridge {
  /** The provisioning document from the main process's environment. */
  provisioning(): Promise<Provisioning>;
  /** Calls back when the app menu asks for the sync panel; returns an unsubscribe function. */
  onOpenSyncPanel(listener: () => void): () => void;
}

/** Channel names shared by main, preload and renderer. */
export const IPC = {
  provisioning: 'stocknerve:provisioning',
  openSyncPanel: 'stocknerve:open-sync-panel',
} as const;

export const bridge = (): StocknerveBridge | undefined => (globalThis as { stocknerve?: StocknerveBridge }).stocknerve;
