import { join } from 'node:path';
import { app, BrowserWindow, ipcMain, Menu, type MenuItemConstructorOptions } from 'electron';
import { IPC } from '../shared/bridge.js';
import { provisioningFromEnv } from '../shared/provisioning.js';

// The thin main process: one window on the built renderer, nothing else. Everything a cashier
// does lives in the renderer, which runs the same in any Chromium (server/serve.ts).

/** Persistent partition: IndexedDB (the terminal's event log and outbox) survives restarts. */
const PARTITION = 'persist:stocknerve';
/** Built files: dist/electron/{main.js,preload.cjs} and the renderer in dist/renderer/. */
const HERE = import.meta.dirname;
const RENDERER = join(HERE, '..', 'renderer', 'index.html');

let mainWindow: BrowserWindow | null = null;

const openSyncPanel = () => mainWindow?.webContents.send(IPC.openSyncPanel);

const menu = (): Menu => {
  const template: MenuItemConstructorOptions[] = [
    { label: 'Stocknerve', submenu: [{ role: 'quit' }] },
    {
      label: 'View',
      submenu: [
        { label: 'Sync panel', accelerator: 'Alt+9', click: openSyncPanel },
        { type: 'separator' },
        { role: 'reload' },
        { role: 'toggleDevTools' },
        { role: 'togglefullscreen' },
      ],
    },
  ];
  return Menu.buildFromTemplate(template);
};

const createWindow = async () => {
  mainWindow = new BrowserWindow({
    width: 1280,
    height: 800,
    title: 'Stocknerve store',
    webPreferences: {
      preload: join(HERE, 'preload.cjs'),
      partition: PARTITION,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
    },
  });
  mainWindow.on('closed', () => {
    mainWindow = null;
  });
  await mainWindow.loadFile(RENDERER);
};

// One terminal, one window: a second launch focuses the first (two windows on one IndexedDB
// would be two writers of one event log).
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });
  ipcMain.handle(IPC.provisioning, () => provisioningFromEnv(process.env));
  app.on('window-all-closed', () => app.quit());
  void app.whenReady().then(async () => {
    Menu.setApplicationMenu(menu());
    await createWindow();
  });
}
