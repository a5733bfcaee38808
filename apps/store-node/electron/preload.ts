import { contextBridge, ipcRenderer } from 'electron';
import type { StocknerveBridge } from '../src/node/bridge.js';

// The only surface the renderer gets from Electron (context isolation, sandboxed preload): the
// provisioning document and the menu's "open the sync panel". Channel names match IPC in
// src/node/bridge.ts (not imported: a sandboxed preload is one self-contained script).
const api: StocknerveBridge = {
  provisioning: () => ipcRenderer.invoke('stocknerve:provisioning'),
  onOpenSyncPanel: (listener) => {
    const handler = () => listener();
    ipcRenderer.on('stocknerve:open-sync-panel', handler);
    return () => {
      ipcRenderer.removeListener('stocknerve:open-sync-panel', handler);
    };
  },
};

contextBridge.exposeInMainWorld('stocknerve', api);
