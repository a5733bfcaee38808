import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  app,
  BrowserWindow,
  type IpcMainInvokeEvent,
  ipcMain,
  Menu,
  type MenuItemConstructorOptions,
  safeStorage,
  session,
} from 'electron';
import { IPC } from '../shared/bridge.js';
import { provisioningFromEnv } from '../shared/provisioning.js';
import { credentialFile, type StringCipher } from './credential-file.js';
import { issuedByPrivateCa } from './private-ca.js';

// The thin main process: one window on the built renderer, nothing else. Everything a cashier
// does lives in the renderer, which runs the same in any Chromium (server/serve.ts).

/** Persistent partition: IndexedDB (the terminal's event log and outbox) survives restarts. */
const PARTITION = 'persist:stocknerve';
/** Built files: dist/electron/{main.js,preload.cjs} and the renderer in dist/renderer/. */
const HERE = import.meta.dirname;
const RENDERER = join(HERE, '..', 'renderer', 'index.html');

let mainWindow: BrowserWindow | null = null;

/** safeStorage's asynchronous API (Electron deprecates the synchronous one). */
const osCipher: StringCipher = {
  isAvailable: () => safeStorage.isAsyncEncryptionAvailable(),
  isWeak: () => process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text',
  encrypt: (text) => safeStorage.encryptStringAsync(text),
  decrypt: async (data) => {
    const { result, shouldReEncrypt } = await safeStorage.decryptStringAsync(data);
    return { text: result, reEncrypt: shouldReEncrypt };
  },
};

/** The terminal's NATS credentials; the renderer reaches them only through the preload bridge. */
const handleCredentials = () => {
  const file = credentialFile(app.getPath('userData'), osCipher);
  const warnIfUnprotected = (protection: string) => {
    if (protection === 'unencrypted')
      console.warn('safeStorage cannot encrypt here (no OS key store): the terminal credentials are kept unencrypted');
    if (protection === 'weak-keyring')
      console.warn("no OS keyring: the terminal credentials are encrypted with Chromium's built-in key only");
  };
  // The secret goes only to the app's own page, never to a page the window was navigated to.
  const own = (event: IpcMainInvokeEvent) => {
    if (!event.senderFrame?.url.startsWith(pathToFileURL(RENDERER).href))
      throw new Error('credentials are only for the store node page');
  };
  ipcMain.handle(IPC.credentialsLoad, (event) => {
    own(event);
    return file.load();
  });
  ipcMain.handle(IPC.credentialsSave, async (event, text: unknown) => {
    own(event);
    const protection = await file.save(typeof text === 'string' ? text : '');
    warnIfUnprotected(protection);
    return protection;
  });
};

/**
 * STOCKNERVE_NATS_CA: PEM of a private CA that signed the NATS server's (and the hub's)
 * certificate. Chromium's own verification runs first; a certificate it rejects is accepted only
 * when that CA issued it for the host.
 */
const trustPrivateCa = () => {
  const file = process.env.STOCKNERVE_NATS_CA?.trim();
  if (!file) return;
  const ca = readFileSync(file, 'utf8');
  session.fromPartition(PARTITION).setCertificateVerifyProc((request, callback) => {
    if (request.verificationResult === 'net::OK') callback(0);
    else callback(issuedByPrivateCa(ca, request.certificate.data, request.hostname) ? 0 : -2);
  });
};

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
  handleCredentials();
  app.on('window-all-closed', () => app.quit());
  void app.whenReady().then(async () => {
    Menu.setApplicationMenu(menu());
    trustPrivateCa();
    await createWindow();
  });
}
