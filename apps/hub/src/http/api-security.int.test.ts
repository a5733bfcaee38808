import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { makeTempDir, removeTempDir, waitFor } from '@stocknerve/test-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken, revokeToken } from '../tokens/token-store.js';
import { type ApiFixture, defineLocations, startApiFixture, TOKENS } from './api-test-kit.js';

// What keeps strangers and floods out: the gate runs before any body is read, rate limits answer
// 429 with Retry-After, the token file is followed while the hub runs, and slow or too many
// connections are cut. Behind a trusted proxy (HUB_TRUST_PROXY) the client address is the
// forwarded one: each test speaks from an address of its own, so that its limits are its own.

/** A raw HTTP/1.1 connection: what a client sends and when, byte by byte. */
interface RawConnection {
  readonly socket: Socket;
  /** Everything the hub sent so far. */
  received(): string;
  /** Resolves when the hub closed the connection. */
  readonly closed: Promise<void>;
}

const openRaw = (baseUrl: string): Promise<RawConnection> =>
  new Promise((resolve, reject) => {
    const { hostname, port } = new URL(baseUrl);
    const socket = connect({ host: hostname, port: Number(port) });
    let text = '';
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
    });
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    socket.once('error', () => undefined);
    socket.once('connect', () => resolve({ socket, received: () => text, closed }));
    socket.once('error', reject);
  });

const head = (method: string, path: string, headers: Record<string, string>) =>
  `${method} ${path} HTTP/1.1\r\nHost: hub.test\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const from = (ip: string) => ({ 'x-forwarded-for': ip });

describe('HTTP gate: auth before body, rate limits, the token file', () => {
  let f: ApiFixture;
  let dir: string;
  let tokenFile: string;

  beforeAll(async () => {
    dir = await makeTempDir('api-security');
    tokenFile = join(dir, 'tokens.json');
    f = await startApiFixture({
      tokenFile,
      trustProxy: 'loopback',
      // Slow refills: a test must see its bucket empty however slowly a loaded machine answers.
      rateLimitPerToken: 1,
      rateLimitPerTokenBurst: 10,
      rateLimitPerIp: 20,
      rateLimitPerIpBurst: 100,
      authFailuresPerIp: 1,
      authFailuresPerIpBurst: 3,
    });
    await defineLocations(f.api, [{ location: 'store-001', region: 'north', kind: 'store', name: 'Store 1' }]);
  });
  afterAll(async () => {
    await f?.close();
    await removeTempDir(dir);
  });

  it('answers 401/403 before the body is sent: a stranger never gets a 1 MB body read', async () => {
    const cases = [
      { path: '/v1/reservations', headers: {}, status: 401 },
      { path: '/v1/availability/batch', headers: {}, status: 401 },
      { path: '/v1/admin/locations', headers: bearer(TOKENS.manager), status: 403 },
      { path: '/v1/pickups', headers: bearer('not-a-token-of-this-hub-at-all'), status: 401 },
    ];
    for (const c of cases) {
      const raw = await openRaw(f.hub.url);
      const started = performance.now();
      // Headers only: the 1 MB the request announces is never sent.
      raw.socket.write(
        head('POST', c.path, {
          'content-type': 'application/json',
          'content-length': String(1024 * 1024),
          ...from('203.0.113.21'),
          ...c.headers,
        }),
      );
      await waitFor(() => raw.received().includes('\r\n\r\n{'), { message: `${c.path} answered`, timeoutMs: 2000 });
      expect(raw.received(), c.path).toMatch(new RegExp(`^HTTP/1.1 ${c.status} `));
      expect(raw.received(), c.path).toContain(c.status === 401 ? '"error":"unauthorized"' : '"error":"forbidden"');
      expect(performance.now() - started, c.path).toBeLessThan(1000);
      raw.socket.destroy();
    }
    // And with the megabyte really sent, through fetch: 401 all the same.
    const big = await f.api.call('POST', '/v1/reservations', {
      as: null,
      rawBody: JSON.stringify({ pad: 'x'.repeat(1024 * 1024) }),
      headers: from('203.0.113.22'),
    });
    expect(big.status).toBe(401);
    expect(big.body).toMatchObject({ error: 'unauthorized' });
  });

  it('limits each token: 429 with Retry-After and a JSON body, on express routes and the availability fast path', async () => {
    const asManager = { as: 'manager' as const, headers: from('203.0.113.30') };
    const statuses: number[] = [];
    let limited: Awaited<ReturnType<typeof f.api.get>> | undefined;
    for (let i = 0; i < 30 && !limited; i++) {
      const r = await f.api.get('/v1/locations', asManager);
      statuses.push(r.status);
      if (r.status === 429) limited = r;
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(200));
    expect(limited?.headers.get('retry-after')).toBe('1');
    expect(limited?.headers.get('content-type')).toContain('application/json');
    expect(limited?.body).toEqual({
      error: 'rate_limited',
      message: 'too many requests with this token; retry after Retry-After seconds',
    });
    let fast: Awaited<ReturnType<typeof f.api.get>> | undefined;
    for (let i = 0; i < 10 && fast?.status !== 429; i++) fast = await f.api.get('/v1/availability/SKU-1', asManager);
    expect(fast?.status).toBe(429);
    expect(fast?.headers.get('retry-after')).toBe('1');
    expect(fast?.body).toMatchObject({ error: 'rate_limited' });
    // Another token from the same address is not slowed down.
    expect((await f.api.get('/v1/locations', { as: 'admin', headers: from('203.0.113.30') })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await f.api.get('/v1/locations', asManager)).status).toBe(200);
  });

  it('limits each client address, public routes included', async () => {
    let limited: Awaited<ReturnType<typeof f.api.get>> | undefined;
    for (let i = 0; i < 400 && !limited; i++) {
      const r = await f.api.get('/health', { as: null, headers: from('203.0.113.40') });
      if (r.status === 429) limited = r;
      else expect(r.status).toBe(200);
    }
    expect(limited?.headers.get('retry-after')).toBe('1');
    expect(limited?.body).toEqual({
      error: 'rate_limited',
      message: 'too many requests from this address; retry after Retry-After seconds',
    });
    expect((await f.api.get('/health', { as: null, headers: from('203.0.113.41') })).status).toBe(200);
  });

  it('after a few unknown tokens an address gets 429 without its token being checked, until Retry-After', async () => {
    const guesser = from('203.0.113.9');
    for (let i = 0; i < 3; i++)
      expect(
        (await f.api.get('/v1/locations', { as: { token: `guess-${i}-0123456789abcdef` }, headers: guesser })).status,
      ).toBe(401);
    const blocked = await f.api.get('/v1/locations', { as: { token: 'guess-3-0123456789abcdef' }, headers: guesser });
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get('retry-after')).toBe('1');
    expect(blocked.body).toEqual({
      error: 'rate_limited',
      message: 'too many missing or unknown credentials from this address; retry after Retry-After seconds',
    });
    // Even a good token waits: a guesser must not learn which guess was right.
    expect((await f.api.get('/v1/locations', { as: 'admin', headers: guesser })).status).toBe(429);
    expect((await f.api.get('/v1/availability/SKU-1', { as: 'ecommerce', headers: guesser })).status).toBe(429);
    expect((await f.api.get('/v1/locations', { as: 'admin', headers: from('203.0.113.10') })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await f.api.get('/v1/locations', { as: 'admin', headers: guesser })).status).toBe(200);
  });

  it('accepts a token made with `token create` and refuses it within seconds of `token revoke`, without a restart', async () => {
    const ip = from('203.0.113.60');
    const created = createToken(tokenFile, { role: 'ecommerce', channels: ['web'], name: 'test shop' });
    if (!created.ok) throw new Error(created.message);
    const as = { token: created.token };
    await waitFor(async () => (await f.api.get('/v1/reservations', { as, headers: ip })).status === 200, {
      message: 'new token accepted',
      timeoutMs: 5000,
    });
    const scoped = await f.api.get('/v1/reservations?channel=app', { as, headers: ip });
    expect(scoped.status).toBe(403);
    expect(scoped.body).toMatchObject({ error: 'forbidden', field: 'channel' });

    expect(revokeToken(tokenFile, created.info.id).ok).toBe(true);
    const revokedAt = performance.now();
    await waitFor(async () => (await f.api.get('/v1/reservations', { as, headers: ip })).status === 401, {
      message: 'revoked token refused',
      timeoutMs: 5000,
      intervalMs: 100,
    });
    expect(performance.now() - revokedAt).toBeLessThan(3000);
    const refused = await f.api.get('/v1/reservations', { as, headers: from('203.0.113.61') });
    expect(refused.status).toBe(401);
    expect(refused.body).toEqual({ error: 'unauthorized', message: 'unknown bearer token' });
  });
});

describe('HTTP server: connection cap and timeouts', () => {
  let f: ApiFixture;

  beforeAll(async () => {
    f = await startApiFixture({ maxConnections: 3, httpHeadersTimeoutMs: 500, httpRequestTimeoutMs: 1000 });
  });
  afterAll(async () => {
    await f?.close();
  });

  it('closes connections beyond HUB_MAX_CONNECTIONS as they arrive', async () => {
    const held = [await openRaw(f.hub.url), await openRaw(f.hub.url), await openRaw(f.hub.url)];
    await new Promise((resolve) => setTimeout(resolve, 50));
    const extra = await openRaw(f.hub.url);
    extra.socket.write(head('GET', '/health', {}));
    await extra.closed;
    expect(extra.received()).toBe('');
    for (const raw of held) raw.socket.destroy();
    await Promise.all(held.map((raw) => raw.closed));
    await waitFor(async () => (await fetch(`${f.hub.url}/health`)).status === 200, { message: 'served again' });
  });

  it('cuts a request whose body does not arrive in time (408 or closed), even from a valid token', async () => {
    const raw = await openRaw(f.hub.url);
    const started = performance.now();
    raw.socket.write(
      head('POST', '/v1/reservations', {
        'content-type': 'application/json',
        'content-length': '100',
        'idempotency-key': 'slow-1',
        ...bearer(TOKENS.ecommerce),
      }),
    );
    raw.socket.write('{"channel":');
    await raw.closed;
    const elapsed = performance.now() - started;
    expect(raw.received()).toMatch(/^(HTTP\/1\.1 408 |$)/);
    expect(elapsed).toBeGreaterThanOrEqual(900);
    expect(elapsed).toBeLessThan(4000);
  });

  it('cuts a client that never finishes its headers', async () => {
    const raw = await openRaw(f.hub.url);
    const started = performance.now();
    raw.socket.write('GET /health HTTP/1.1\r\nHost: hub.test\r\n');
    await raw.closed;
    expect(raw.received()).toMatch(/^(HTTP\/1\.1 408 |$)/);
    expect(performance.now() - started).toBeLessThan(3000);
  });
});
