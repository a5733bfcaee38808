import { describe, expect, it } from 'vitest';
import type { CredentialBridge, CredentialProtection } from '../../shared/bridge.js';
import type { NodeSettings } from '../config/node-settings.js';
import { CredentialsUnreadable, credentialStore } from './credential-store.js';

/** A text store in memory, in the shape of Electron's bridge and of the IndexedDB store. */
const memoryTexts = (protection: CredentialProtection = 'os-keyring') => {
  const state: { text: string | null; failLoad: string | null } = { text: null, failLoad: null };
  const texts: CredentialBridge = {
    load: async () => {
      if (state.failLoad) throw new Error(state.failLoad);
      return state.text === null ? null : { text: state.text, protection };
    },
    save: async (text) => {
      state.text = text;
      return protection;
    },
  };
  return { state, texts };
};

const settings: NodeSettings = {
  natsUrl: 'wss://nats.example:7423',
  hubUrl: 'https://hub.example:7480',
  credentials: {
    jwt: 'eyJ0eXAiOiJKV1QifQ.e30.sig',
    seed: 'SUAIBDPBAUTWCWBKIO6XHQNINK5FWJW4OHLXC3HQ2KFE4PEJUA44CNHTC4',
    identity: { node: 'store-001-t1', location: 'store-001', region: 'north' },
    inboxPrefix: '_INBOX_store-001-t1',
  },
};

describe("the terminal's credential store", () => {
  it('keeps the settings with the credentials, and says how they are protected', async () => {
    const { texts } = memoryTexts('unencrypted');
    const store = credentialStore(texts);
    expect(await store.load()).toBeNull();
    expect(await store.save(settings)).toBe('unencrypted');
    expect(await store.load()).toEqual({ settings, protection: 'unencrypted' });
  });

  it('never saves settings without valid credentials', async () => {
    const { state, texts } = memoryTexts();
    const broken = { ...settings, credentials: { ...settings.credentials, seed: 'not-a-seed' } };
    await expect(credentialStore(texts).save(broken)).rejects.toThrow();
    expect(state.text).toBeNull();
  });

  it('reports stored text it cannot use as unreadable, not as "never enrolled"', async () => {
    const { state, texts } = memoryTexts();
    const store = credentialStore(texts);
    for (const text of [
      '{not json',
      JSON.stringify({ natsUrl: settings.natsUrl }),
      JSON.stringify({ ...settings, hubUrl: 'x' }),
    ]) {
      state.text = text;
      await expect(store.load()).rejects.toBeInstanceOf(CredentialsUnreadable);
    }
    state.failLoad = 'the OS key store is locked';
    await expect(store.load()).rejects.toThrow(/locked/);
  });
});
