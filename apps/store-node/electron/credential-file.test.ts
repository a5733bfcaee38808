import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir, removeTempDir } from '@stocknerve/test-harness';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CREDENTIAL_FILES, credentialFile, type StringCipher } from './credential-file.js';

// Electron cannot run here: safeStorage is replaced by a reversible fake that marks what it
// encrypted, so the tests see which file holds what.

interface CipherState {
  available: boolean;
  weak?: boolean;
  /** The key it encrypts with. */
  key: string;
  /** Older keys it still decrypts (and asks to encrypt again). */
  retired?: string[];
}

const fakeCipher = (state: CipherState): StringCipher => ({
  isAvailable: async () => state.available,
  isWeak: () => state.weak ?? false,
  encrypt: async (text) => Buffer.from(`${state.key}:${Buffer.from(text).toString('base64')}`),
  decrypt: async (data) => {
    const [key = '', body = ''] = data.toString().split(':');
    if (key !== state.key && !state.retired?.includes(key))
      throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
    return { text: Buffer.from(body, 'base64').toString(), reEncrypt: key !== state.key };
  },
});

const SECRET = '{"credentials":{"seed":"SUAEXAMPLE"}}';
let dir: string;

beforeEach(async () => {
  dir = await makeTempDir('credential-file-test');
});

afterEach(async () => {
  await removeTempDir(dir);
});

const files = async () => ({
  encrypted: await readFile(join(dir, CREDENTIAL_FILES.encrypted), 'utf8').catch(() => null),
  plain: await readFile(join(dir, CREDENTIAL_FILES.plain), 'utf8').catch(() => null),
});

describe('the credential file of the Electron main process', () => {
  it('is empty before the first save', async () => {
    expect(await credentialFile(dir, fakeCipher({ available: true, key: 'k1' })).load()).toBeNull();
  });

  it('encrypts with the OS key store, readable only by the owner, and never keeps the plain text', async () => {
    const store = credentialFile(dir, fakeCipher({ available: true, key: 'k1' }));
    expect(await store.save(SECRET)).toBe('os-keyring');
    const onDisk = await files();
    expect(onDisk.plain).toBeNull();
    expect(onDisk.encrypted).not.toContain('SUAEXAMPLE');
    expect((await stat(join(dir, CREDENTIAL_FILES.encrypted))).mode & 0o777).toBe(0o600);
    expect(await store.load()).toEqual({ text: SECRET, protection: 'os-keyring' });
  });

  it('says when the "encryption" is only Chromium’s built-in key (Linux without a keyring)', async () => {
    const store = credentialFile(dir, fakeCipher({ available: true, weak: true, key: 'k1' }));
    expect(await store.save(SECRET)).toBe('weak-keyring');
    expect((await store.load())?.protection).toBe('weak-keyring');
  });

  it('falls back to a plain file of mode 0600 where nothing can encrypt, and encrypts it once something can', async () => {
    const state = { available: false, key: 'k1' };
    const store = credentialFile(dir, fakeCipher(state));
    expect(await store.save(SECRET)).toBe('unencrypted');
    expect((await files()).plain).toBe(SECRET);
    expect((await stat(join(dir, CREDENTIAL_FILES.plain))).mode & 0o777).toBe(0o600);
    expect(await store.load()).toEqual({ text: SECRET, protection: 'unencrypted' });

    state.available = true;
    expect(await store.load()).toEqual({ text: SECRET, protection: 'os-keyring' });
    expect(await files()).toEqual({ encrypted: expect.stringMatching(/^k1:/), plain: null });
  });

  it('refuses to pretend there is nothing when the encrypted file cannot be read now', async () => {
    const state = { available: true, key: 'k1' };
    await credentialFile(dir, fakeCipher(state)).save(SECRET);
    state.available = false;
    await expect(credentialFile(dir, fakeCipher(state)).load()).rejects.toThrow(/OS key store, which is not available/);
    await expect(credentialFile(dir, fakeCipher({ available: true, key: 'other-user' })).load()).rejects.toThrow(
      /decrypting/,
    );
  });

  it('encrypts again when the OS asks for it (a rotated key)', async () => {
    const state: CipherState = { available: true, key: 'k1' };
    const store = credentialFile(dir, fakeCipher(state));
    await store.save(SECRET);
    state.key = 'k2';
    state.retired = ['k1'];
    expect(await store.load()).toEqual({ text: SECRET, protection: 'os-keyring' });
    expect((await files()).encrypted).toMatch(/^k2:/);
  });

  it('takes only a non-empty text of bounded size', async () => {
    const store = credentialFile(dir, fakeCipher({ available: true, key: 'k1' }));
    await expect(store.save('')).rejects.toThrow(/non-empty/);
    await expect(store.save('x'.repeat(65 * 1024))).rejects.toThrow(/64 KiB/);
  });
});
