import type { CredentialBridge } from '../../shared/bridge.js';

/** Its own small database, apart from the event log's: wiping one never takes the other. */
const DATABASE = 'stocknerve.terminal-credentials';
const STORE = 'credentials';
const KEY = 'terminal';

const request = <T>(req: IDBRequest<T>): Promise<T> =>
  new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });

const done = (tx: IDBTransaction): Promise<void> =>
  new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error('credentials transaction aborted'));
  });

const openDatabase = (idb: IDBFactory): Promise<IDBDatabase> => {
  const req = idb.open(DATABASE, 1);
  req.onupgradeneeded = () => req.result.createObjectStore(STORE);
  return request(req);
};

/**
 * The terminal's credentials in the browser (no Electron bridge): a record in IndexedDB. Weaker
 * than Electron's store: nothing encrypts it at rest, and any script of this origin can read it.
 */
export const indexedDbCredentials = (idb: IDBFactory = globalThis.indexedDB): CredentialBridge => {
  const withStore = async <T>(mode: IDBTransactionMode, use: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> => {
    const db = await openDatabase(idb);
    try {
      // Strict: a relaxed commit may sit in the OS cache, and a till that lost its credentials
      // in a power cut needs a new code before it syncs again.
      const tx = db.transaction(STORE, mode, { durability: 'strict' });
      const [result] = await Promise.all([request(use(tx.objectStore(STORE))), done(tx)]);
      return result;
    } finally {
      db.close();
    }
  };
  return {
    load: async () => {
      const text = await withStore('readonly', (store) => store.get(KEY) as IDBRequest<unknown>);
      return typeof text === 'string' ? { text, protection: 'unencrypted' } : null;
    },
    save: async (text) => {
      await withStore('readwrite', (store) => store.put(text, KEY));
      return 'unencrypted';
    },
  };
};
