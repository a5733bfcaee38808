import type { Provisioning } from './provisioning.js';

/**
 * How the terminal's stored credentials are protected at rest:
 * - `os-keyring`: encrypted with a key the OS keeps (DPAPI on Windows, the Secret Service or
 *   KWallet on Linux), readable only by this OS user;
 * - `weak-keyring`: Linux without a keyring: Electron encrypts with a key built into Chromium,
 *   which hides the file from a casual look and from nothing else;
 * - `unencrypted`: a plain file (Electron without any encryption) or IndexedDB (a browser), which
 *   any program of this OS user, or any script of the page's origin, can read.
 */
export type CredentialProtection = 'os-keyring' | 'weak-keyring' | 'unencrypted';

/** What a credential store holds: the text the renderer saved, and how it was protected. */
export interface StoredCredentials {
  readonly text: string;
  readonly protection: CredentialProtection;
}

/**
 * The main process's store of the terminal's credentials (a file in Electron's userData
 * directory, encrypted with safeStorage when the OS offers it). The renderer saves and reads
 * opaque text; the main process never parses it.
 */
export interface CredentialBridge {
  /** The saved text, or null when nothing is saved. Rejects when it cannot be decrypted. */
  load(): Promise<StoredCredentials | null>;
  /** Replaces the saved text; resolves with how it is protected. */
  save(text: string): Promise<CredentialProtection>;
}

/** What Electron's preload exposes as `window.stocknerve` (absent in a plain browser). */
export interface StocknerveBridge {
  /** The provisioning document from the main process's environment. */
  provisioning(): Promise<Provisioning>;
  /** Calls back when the app menu asks for the sync panel; returns an unsubscribe function. */
  onOpenSyncPanel(listener: () => void): () => void;
  readonly credentials: CredentialBridge;
}

/** Channel names shared by main, preload and renderer. */
export const IPC = {
  provisioning: 'stocknerve:provisioning',
  openSyncPanel: 'stocknerve:open-sync-panel',
  credentialsLoad: 'stocknerve:credentials-load',
  credentialsSave: 'stocknerve:credentials-save',
} as const;

export const bridge = (): StocknerveBridge | undefined => (globalThis as { stocknerve?: StocknerveBridge }).stocknerve;
