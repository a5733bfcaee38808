import { open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { CredentialProtection, StoredCredentials } from '../shared/bridge.js';

/** Electron's safeStorage as this store uses it (a fake in tests: Electron cannot run there). */
export interface StringCipher {
  /** Whether the OS can encrypt now (false on Linux with no keyring and no fallback). */
  isAvailable(): Promise<boolean>;
  /** True when "encrypted" means Chromium's built-in key (Linux `basic_text`): obfuscation only. */
  isWeak(): boolean;
  encrypt(text: string): Promise<Buffer>;
  /** The text, and whether to encrypt it again (the OS rotated the key or offers a better one). */
  decrypt(data: Buffer): Promise<{ text: string; reEncrypt: boolean }>;
}

export interface CredentialFile {
  load(): Promise<StoredCredentials | null>;
  save(text: string): Promise<CredentialProtection>;
}

/** The encrypted file, and the plain one used only where the OS cannot encrypt. */
export const CREDENTIAL_FILES = { encrypted: 'terminal-credentials.bin', plain: 'terminal-credentials.json' } as const;

/** Largest text accepted from the renderer: a JWT, a seed and a few URLs fit many times over. */
const MAX_TEXT = 64 * 1024;

const missing = (error: unknown) => (error as NodeJS.ErrnoException)?.code === 'ENOENT';

const readIfThere = async (path: string): Promise<Buffer | null> => {
  try {
    return await readFile(path);
  } catch (error) {
    if (missing(error)) return null;
    throw error;
  }
};

/**
 * Written beside the target, flushed, then renamed over it: a power cut leaves the old file or the
 * new one, never half of one. Mode 0600 from creation, so the secret is never readable by others.
 */
const writeAtomically = async (path: string, data: Buffer | string): Promise<void> => {
  const temp = `${path}.tmp`;
  const file = await open(temp, 'w', 0o600);
  try {
    await file.writeFile(data);
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temp, path);
};

/**
 * The terminal's credentials in Electron's userData directory: encrypted with the OS's key store
 * (safeStorage) when it has one, else in a plain file of mode 0600 (the main process warns).
 */
export const credentialFile = (dir: string, cipher: StringCipher): CredentialFile => {
  const encryptedPath = join(dir, CREDENTIAL_FILES.encrypted);
  const plainPath = join(dir, CREDENTIAL_FILES.plain);
  const protectionOf = (): CredentialProtection => (cipher.isWeak() ? 'weak-keyring' : 'os-keyring');

  const save = async (text: string): Promise<CredentialProtection> => {
    if (typeof text !== 'string' || text.length === 0 || text.length > MAX_TEXT)
      throw new Error('credentials: expected a non-empty text of at most 64 KiB');
    if (await cipher.isAvailable()) {
      await writeAtomically(encryptedPath, await cipher.encrypt(text));
      await rm(plainPath, { force: true });
      return protectionOf();
    }
    await writeAtomically(plainPath, text);
    await rm(encryptedPath, { force: true });
    return 'unencrypted';
  };

  return {
    load: async () => {
      const encrypted = await readIfThere(encryptedPath);
      if (encrypted) {
        if (!(await cipher.isAvailable()))
          throw new Error(
            "the terminal's credentials are encrypted with the OS key store, which is not available now (log in to the desktop session that unlocks it)",
          );
        const { text, reEncrypt } = await cipher.decrypt(encrypted);
        if (reEncrypt) await writeAtomically(encryptedPath, await cipher.encrypt(text));
        return { text, protection: protectionOf() };
      }
      const plain = await readIfThere(plainPath);
      if (!plain) return null;
      const text = plain.toString('utf8');
      // Saved while the OS could not encrypt (no keyring yet): encrypted as soon as it can.
      if (!(await cipher.isAvailable())) return { text, protection: 'unencrypted' };
      return { text, protection: await save(text) };
    },
    save,
  };
};
