import type { CredentialBridge, CredentialProtection, StocknerveBridge } from '../../shared/bridge.js';
import { NodeSettings } from '../config/node-settings.js';
import { indexedDbCredentials } from './indexeddb-credentials.js';

/** The terminal's stored settings (its credentials among them), and how they are protected. */
export interface StoredSettings {
  readonly settings: NodeSettings;
  readonly protection: CredentialProtection;
}

/** Stored credentials that cannot be used (not decryptable, or not what this version saves). */
export class CredentialsUnreadable extends Error {}

/** Where a terminal keeps its settings and credentials (one record: they change together). */
export interface CredentialStore {
  /** Null when the terminal never enrolled. Rejects with CredentialsUnreadable. */
  load(): Promise<StoredSettings | null>;
  save(settings: NodeSettings): Promise<CredentialProtection>;
}

/** Parses and validates what a text store (Electron's file, or IndexedDB) holds. */
export const credentialStore = (texts: CredentialBridge): CredentialStore => ({
  load: async () => {
    let stored: Awaited<ReturnType<CredentialBridge['load']>>;
    try {
      stored = await texts.load();
    } catch (error) {
      throw new CredentialsUnreadable(String((error as Error)?.message ?? error));
    }
    if (!stored) return null;
    let json: unknown;
    try {
      json = JSON.parse(stored.text);
    } catch {
      throw new CredentialsUnreadable('the stored credentials are not JSON');
    }
    const parsed = NodeSettings.safeParse(json);
    if (!parsed.success) throw new CredentialsUnreadable('the stored credentials are incomplete or malformed');
    return { settings: parsed.data, protection: stored.protection };
  },
  save: async (settings) => texts.save(JSON.stringify(NodeSettings.parse(settings))),
});

/** Electron's encrypted file when the preload bridge is there, else IndexedDB. */
export const terminalCredentialStore = (electron: StocknerveBridge | undefined): CredentialStore =>
  credentialStore(electron?.credentials ?? indexedDbCredentials());
