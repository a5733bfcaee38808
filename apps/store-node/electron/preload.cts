import electron = require('electron');

import type { StocknerveBridge } from '../shared/bridge.js';

// The only surface the renderer gets from Electron (context isolation, sandboxed preload): the
// provisioning document, the menu's "open the sync panel" and the credential store. A sandboxed
// preload is one CommonJS script that can require nothing but electron, so the channel names are
// written here again; they match IPC in shared/bridge.ts (a test compares them).
const api: StocknerveBridge = {
  provisioning: () => electron.ipcRenderer.invoke('stocknerve:provisioning'),
  onOpenSyncPanel: (listener) => {
    const handler = () => listener();
    electron.ipcRenderer.on('stocknerve:open-sync-panel', handler);
    return () => {
      electron.ipcRenderer.removeListener('stocknerve:open-sync-panel', handler);
    };
  },
  credentials: {
    load: () => electron.ipcRenderer.invoke('stocknerve:credentials-load'),
    save: (text) => electron.ipcRenderer.invoke('stocknerve:credentials-save', text),
  },
};

electron.contextBridge.exposeInMainWorld('stocknerve', api);
