import { describe, expect, it } from 'vitest';
import { defaultConfig, loadConfig, parseTokens } from './config.js';

describe('hub config', () => {
  it('is the defaults when the environment says nothing', () => {
    expect(loadConfig({})).toEqual(defaultConfig());
  });

  it('replays a rebuild in larger transactions than live ingest', () => {
    const config = loadConfig({});
    expect(config.rebuildBatchSize).toBeGreaterThan(config.batchSize);
  });

  it('reads the environment over the defaults, and overrides over both', () => {
    const config = loadConfig(
      { HUB_BATCH_SIZE: '500', HUB_REBUILD_BATCH_SIZE: '40000', HUB_PORT: '0', HUB_STALE_POLICY: 'exclude' },
      { httpPort: 9000 },
    );
    expect(config).toMatchObject({ batchSize: 500, rebuildBatchSize: 40_000, httpPort: 9000, stalePolicy: 'exclude' });
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ HUB_REBUILD_BATCH_SIZE: '' }).rebuildBatchSize).toBe(defaultConfig().rebuildBatchSize);
  });

  it('refuses a bad value and names the setting', () => {
    expect(() => loadConfig({ HUB_REBUILD_BATCH_SIZE: 'lots' })).toThrow(/invalid hub config: rebuildBatchSize/);
    expect(() => loadConfig({ HUB_BATCH_SIZE: '0' })).toThrow(/batchSize/);
    expect(() => loadConfig({ HUB_STALE_POLICY: 'maybe' })).toThrow(/stalePolicy/);
  });

  it('names a bad token by its position, never by its text (the message goes to logs)', () => {
    const messageFor = (tokens: string) => {
      try {
        loadConfig({ HUB_TOKENS: tokens });
        return 'accepted';
      } catch (error) {
        return (error as Error).message;
      }
    };
    const short = messageFor('good-token-0123456789:admin,tiny-secret:manager');
    expect(short).toBe('invalid hub config: tokens[2]: tokens must be at least 16 characters');
    const role = messageFor('secret-token-0123456789:owner');
    expect(role).toMatch(/^invalid hub config: tokens\[1\]: Invalid option: expected one of/);
    const noRole = messageFor('good-token-0123456789:admin, secret-token-without-role');
    expect(noRole).toMatch(/^invalid hub config: tokens\[2\]: Invalid option/);
    for (const message of [short, role, noRole]) expect(message).not.toMatch(/secret/);
  });

  it('splits tokens on the last colon, so a token may contain one', () => {
    expect(parseTokens(' abc:def-0123456789:admin , other-token-0123456789:ecommerce,')).toEqual({
      'abc:def-0123456789': 'admin',
      'other-token-0123456789': 'ecommerce',
    });
  });
});
