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

  it('reads channels after an ecommerce role, and only there', () => {
    expect(parseTokens('shop-token-0123456789:ecommerce:web+marketplace-a,a:b-0123456789:ecommerce')).toEqual({
      'shop-token-0123456789': { role: 'ecommerce', channels: ['web', 'marketplace-a'] },
      'a:b-0123456789': 'ecommerce',
    });
    // A role in the last field is the role: the token is everything before it.
    expect(parseTokens('x-0123456789:ecommerce:manager')).toEqual({ 'x-0123456789:ecommerce': 'manager' });
    expect(loadConfig({ HUB_TOKENS: 'shop-token-0123456789:ecommerce:web' }).tokens).toEqual({
      'shop-token-0123456789': { role: 'ecommerce', channels: ['web'] },
    });
    expect(() => loadConfig({ HUB_TOKENS: 'good-token-0123456789:admin,shop-token-0123456789:ecommerce:Web' })).toThrow(
      /^invalid hub config: tokens\[2\]\.channels\.0: channel must be/,
    );
  });

  describe('a hub others can reach refuses guessable HUB_TOKENS, named by position', () => {
    const strong = `snt_${'A'.repeat(43)}`;
    const messageFor = (env: NodeJS.ProcessEnv) => {
      try {
        loadConfig(env);
        return 'accepted';
      } catch (error) {
        return (error as Error).message;
      }
    };

    it('accepts demo and short tokens on loopback outside production (the local demo)', () => {
      for (const host of ['127.0.0.1', 'localhost', '::1', '127.0.0.2'])
        expect(messageFor({ HUB_HOST: host, HUB_TOKENS: 'demo-admin-token-change-me:admin' })).toBe('accepted');
    });

    it('refuses them with NODE_ENV=production or a non-loopback address', () => {
      const tokens = `${strong}:admin,demo-manager-token-change-me:manager,short-token-for-a-shop-1234:ecommerce`;
      const production = messageFor({ NODE_ENV: 'production', HUB_TOKENS: tokens });
      expect(production).toBe(
        'invalid hub config: ' +
          'tokens[2]: a demo token is refused (NODE_ENV=production); make one with `stocknerve-hub token create`; ' +
          'tokens[3]: must be at least 43 characters (NODE_ENV=production); make one with `stocknerve-hub token create`',
      );
      const exposed = messageFor({ HUB_HOST: '0.0.0.0', HUB_TOKENS: tokens });
      expect(exposed).toMatch(/tokens\[2\]: a demo token is refused \(HUB_HOST 0\.0\.0\.0 is not a loopback address\)/);
      expect(exposed).toMatch(/tokens\[3\]: must be at least 43 characters/);
      for (const message of [production, exposed]) {
        expect(message).not.toContain('demo-manager');
        expect(message).not.toContain('short-token');
        expect(message).not.toContain(strong);
      }
      expect(messageFor({ NODE_ENV: 'production', HUB_HOST: '0.0.0.0', HUB_TOKENS: `${strong}:admin` })).toBe(
        'accepted',
      );
    });
  });

  it('reads the HTTP limits, timeouts, trust proxy and the longest hold', () => {
    const config = loadConfig({
      HUB_TOKEN_FILE: '/var/lib/stocknerve/tokens.json',
      HUB_RATE_LIMIT_PER_TOKEN: '200',
      HUB_RATE_LIMIT_PER_TOKEN_BURST: '400',
      HUB_RATE_LIMIT_PER_IP: '0',
      HUB_AUTH_FAILURES_PER_IP: '0.5',
      HUB_HTTP_HEADERS_TIMEOUT_MS: '5000',
      HUB_HTTP_REQUEST_TIMEOUT_MS: '20000',
      HUB_MAX_CONNECTIONS: '500',
      HUB_MAX_HOLD_MS: '3600000',
      HUB_TRUST_PROXY: 'loopback',
    });
    expect(config).toMatchObject({
      tokenFile: '/var/lib/stocknerve/tokens.json',
      rateLimitPerToken: 200,
      rateLimitPerTokenBurst: 400,
      rateLimitPerIp: 0,
      authFailuresPerIp: 0.5,
      httpHeadersTimeoutMs: 5000,
      httpRequestTimeoutMs: 20_000,
      maxConnections: 500,
      maxHoldMs: 3_600_000,
      trustProxy: 'loopback',
    });
    expect(loadConfig({ HUB_TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ HUB_TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(() => loadConfig({ HUB_AUTH_FAILURES_PER_IP: '0' })).toThrow(/authFailuresPerIp/);
    expect(() => loadConfig({ HUB_HTTP_HEADERS_TIMEOUT_MS: '60000' })).toThrow(
      /httpHeadersTimeoutMs: must not exceed httpRequestTimeoutMs/,
    );
  });
});
