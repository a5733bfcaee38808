import { createServer, type RequestListener, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiFixture,
  apiClient,
  applied,
  type CallOptions,
  defineLocations,
  received,
  startApiFixture,
  storeNode,
  TOKENS,
} from './api-test-kit.js';
import { STOREFRONT_READ } from './auth.js';
import { fastRoutesOf, withFastAvailability } from './fast-availability.js';
import { createHttpGate } from './gate.js';
import { type Route, route } from './route.js';
import { availabilityRoutes } from './routes/availability.js';
import { reservationRoutes } from './routes/reservations.js';

// The availability reads (GET /v1/availability/:sku, POST /v1/availability/batch) are answered
// before express's router. These tests hold the fast path to the express routes it stands in for:
// same answers, and express still answers whatever the fast path does not recognise exactly.

/** A listener standing in for express: answers 299 and remembers what it was asked. */
const fallbackSpy = () => {
  const urls: string[] = [];
  const listener: RequestListener = (req, res) => {
    urls.push(req.url ?? '');
    res.statusCode = 299;
    res.end('{}');
  };
  return { urls, listener };
};

const listen = async (listener: RequestListener): Promise<{ server: Server; url: string }> => {
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('no address');
  return { server, url: `http://127.0.0.1:${address.port}` };
};

/** What must be the same whichever way an answer came: the parts that do not move with the clock. */
const timeless = (body: unknown): unknown =>
  JSON.parse(JSON.stringify(body), (key, value) => (key === 'asOf' || key === 'ageMs' ? undefined : value));

describe('the availability fast path', () => {
  let f: ApiFixture;

  beforeAll(async () => {
    f = await startApiFixture();
    await defineLocations(f.api, [
      { location: 'store-001', region: 'north', kind: 'store', name: 'Store 1' },
      { location: 'store-002', region: 'north', kind: 'store', name: 'Store 2' },
    ]);
    const node = storeNode(f.js, { location: 'store-001', region: 'north', node: 'store-001-t1' });
    await applied(f, await node.publish(received('po-1', [{ sku: 'SKU-1', qty: 7 }])));
  });
  afterAll(async () => {
    await f?.close();
  });

  it('answers every kind of request exactly as the express route does', async () => {
    // A trailing slash is matched by express's router but not by the fast path.
    const cases: [string, Parameters<ApiFixture['api']['get']>[1]][] = [
      ['/v1/availability/SKU-1', { as: 'ecommerce' }],
      ['/v1/availability/SKU-1?channel=web&channel=marketplace-a', { as: 'manager' }],
      ['/v1/availability/UNKNOWN-SKU', { as: 'admin' }],
      ['/v1/availability/SKU-1', { as: null }],
      ['/v1/availability/SKU-1', { as: { token: 'not-a-token' } }],
      ['/v1/availability/bad%20sku', { as: 'ecommerce' }],
      ['/v1/availability/SKU-1?channel=web&channel=NOPE', { as: 'ecommerce' }],
    ];
    for (const [path, options] of cases) {
      const [base, query] = path.split('?');
      const viaExpress = `${base}/${query === undefined ? '' : `?${query}`}`;
      const fast = await f.api.get(path, options);
      const slow = await f.api.get(viaExpress, options);
      expect({ path, status: fast.status }).toEqual({ path, status: slow.status });
      expect(fast.headers.get('content-type')).toBe(slow.headers.get('content-type'));
      expect(fast.headers.get('www-authenticate')).toBe(slow.headers.get('www-authenticate'));
      expect(fast.headers.get('x-correlation-id')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
      expect(timeless(fast.body)).toEqual(timeless(slow.body));
    }
    const stock = await f.api.get<{ locations: { location: string; onHand: number }[] }>('/v1/availability/SKU-1', {
      as: 'ecommerce',
    });
    expect(stock.body.locations).toContainEqual(expect.objectContaining({ location: 'store-001', onHand: 7 }));
  });

  it('echoes a valid correlation id, makes distinct ones otherwise, and counts its answers under the route in /metrics', async () => {
    const count = async () => {
      const metrics = await f.api.get<string>('/metrics', { as: null });
      const line = metrics.body
        .split('\n')
        .find((l) => l.includes('route="/v1/availability/:sku",status="200"') && l.includes('method="GET"'));
      return Number(line?.split(' ').at(-1) ?? 0);
    };
    const before = await count();
    const given = await f.api.get('/v1/availability/SKU-1', {
      as: 'ecommerce',
      headers: { 'x-correlation-id': 'order-42:attempt.1' },
    });
    expect(given.headers.get('x-correlation-id')).toBe('order-42:attempt.1');
    // More than one draw of the random pool behind the ids (256 ids each).
    const made = await Promise.all(
      Array.from({ length: 300 }, () => f.api.get('/v1/availability/SKU-1', { as: 'ecommerce' })),
    );
    const ids = made.map((r) => r.headers.get('x-correlation-id'));
    expect(new Set(ids).size).toBe(300);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(await count()).toBe(before + 301);
  });

  it('answers batches exactly as the express route does, bad JSON first', async () => {
    const cases: [string, CallOptions][] = [
      ['valid', { as: 'ecommerce', body: { skus: ['SKU-1', 'UNKNOWN-SKU', 'SKU-1'], channel: 'web' } }],
      ['invalid', { as: 'ecommerce', body: { skus: [] } }],
      ['empty body', { as: 'ecommerce', rawBody: '' }],
      ['byte order mark', { as: 'manager', rawBody: '\uFEFF{"skus":["SKU-1"]}' }],
      ['not an object', { as: 'ecommerce', rawBody: '"SKU-1"' }],
      ['bad JSON, no token', { as: null, rawBody: '{"skus": [' }],
      ['no token', { as: null, body: { skus: ['SKU-1'] } }],
      ['not JSON', { as: 'ecommerce', rawBody: 'skus=SKU-1', headers: { 'content-type': 'text/plain' } }],
    ];
    for (const [name, options] of cases) {
      const fast = await f.api.call('POST', '/v1/availability/batch', options);
      const slow = await f.api.call('POST', '/v1/availability/batch/', options);
      expect({ name, status: fast.status }).toEqual({ name, status: slow.status });
      expect(fast.headers.get('content-type')).toBe(slow.headers.get('content-type'));
      expect(timeless(fast.body)).toEqual(timeless(slow.body));
    }
    const page = await f.api.post<{ availability: { sku: string }[] }>(
      '/v1/availability/batch',
      { skus: ['SKU-1', 'UNKNOWN-SKU'] },
      { as: 'ecommerce' },
    );
    expect(page.body.availability.map((a) => a.sku)).toEqual(['SKU-1', 'UNKNOWN-SKU']);
  });

  it('leaves to express what it does not recognise exactly, and a GET whose answer throws', async () => {
    const ctx = f.hub.ctx;
    const gate = createHttpGate(ctx.config, ctx.log);
    const routes = fastRoutesOf([...availabilityRoutes(ctx), ...reservationRoutes(ctx)]);
    const spy = fallbackSpy();
    const { server, url } = await listen(withFastAvailability(ctx, spy.listener, routes, gate));
    try {
      const api = apiClient(url);
      expect((await api.get('/v1/availability/SKU-1', { as: 'ecommerce' })).status).toBe(200);
      expect((await api.get('/v1/availability/SKU-1?channel=web', { as: 'ecommerce' })).status).toBe(200);
      expect((await api.get('/v1/availability/SKU-1', { as: null })).status).toBe(401);
      expect((await api.post('/v1/availability/batch', { skus: ['SKU-1'] }, { as: 'ecommerce' })).status).toBe(200);
      expect(spy.urls).toEqual([]);
      const others = [
        '/v1/availability/SKU-1/',
        '/V1/availability/SKU-1',
        '/v1/availability/',
        '/v1/availability/a/b',
        '/v1/availability/%E0%A4%A',
        '/v1/locations',
      ];
      for (const path of others) expect((await api.get(path, { as: 'ecommerce' })).status).toBe(299);
      expect((await api.call('HEAD', '/v1/availability/SKU-1', { as: 'ecommerce' })).status).toBe(299);
      // Sent with fetch itself: the test client always says application/json.
      const batchesForExpress: Record<string, string>[] = [
        { 'content-type': 'application/json; charset=latin1' },
        { 'content-type': 'application/json', 'content-encoding': 'gzip' },
        { 'content-type': 'text/plain' },
        { 'content-type': 'application/vnd.api+json' },
      ];
      const auth = { authorization: `Bearer ${TOKENS.ecommerce}` };
      for (const headers of batchesForExpress) {
        const r = await fetch(`${url}/v1/availability/batch`, {
          method: 'POST',
          headers: { ...auth, ...headers },
          body: '{}',
        });
        expect(r.status).toBe(299);
      }
      const tooLarge = await api.call('POST', '/v1/availability/batch', {
        as: 'ecommerce',
        rawBody: 'x'.repeat(1024 * 1024 + 1),
      });
      expect(tooLarge.status).toBe(299);
      expect((await api.post('/v1/availability/batch?x=1', { skus: ['SKU-1'] }, { as: 'ecommerce' })).status).toBe(299);
      expect(spy.urls).toEqual([
        ...others,
        '/v1/availability/SKU-1',
        ...batchesForExpress.map(() => '/v1/availability/batch'),
        '/v1/availability/batch',
        '/v1/availability/batch?x=1',
      ]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('answers a failing GET through express, a failing batch with a 500 that says nothing, and closes on a reply it cannot write', async () => {
    const ctx = f.hub.ctx;
    const failing = (method: 'get' | 'post', path: string): Route =>
      route({
        method,
        path,
        operationId: `failing-${method}`,
        summary: 'fails',
        tag: 'availability',
        access: STOREFRONT_READ,
        responses: {},
        handle: () => {
          throw new Error('views unreadable at /var/lib/secret');
        },
      });
    const spy = fallbackSpy();
    const broken = await listen(
      withFastAvailability(
        ctx,
        spy.listener,
        {
          single: failing('get', '/v1/availability/:sku'),
          batch: failing('post', '/v1/availability/batch'),
          placeReservation: failing('post', '/v1/reservations'),
        },
        createHttpGate(ctx.config, ctx.log),
      ),
    );
    try {
      const api = apiClient(broken.url);
      expect((await api.get('/v1/availability/SKU-1', { as: 'ecommerce' })).status).toBe(299);
      expect(spy.urls).toEqual(['/v1/availability/SKU-1']);
      const batch = await api.post('/v1/availability/batch', { skus: ['SKU-1'] }, { as: 'ecommerce' });
      expect(batch.status).toBe(500);
      expect(batch.body).toEqual({ error: 'internal', message: 'internal error' });
      expect(spy.urls).toHaveLength(1);
    } finally {
      await new Promise((resolve) => broken.server.close(resolve));
    }

    // A reply that cannot be written closes the connection instead of an unhandled rejection.
    const unwritable = route({
      method: 'get',
      path: '/v1/availability/:sku',
      operationId: 'unwritable',
      summary: 'answers a header node refuses',
      tag: 'availability',
      access: STOREFRONT_READ,
      responses: {},
      handle: () => ({ status: 200, json: {}, headers: { 'X-Broken': 'line\nbreak' } }),
    });
    const closing = await listen(
      withFastAvailability(
        ctx,
        spy.listener,
        { single: unwritable, batch: unwritable, placeReservation: unwritable },
        createHttpGate(ctx.config, ctx.log),
      ),
    );
    try {
      await expect(apiClient(closing.url).get('/v1/availability/SKU-1', { as: 'ecommerce' })).rejects.toThrow();
      expect(spy.urls).toHaveLength(1);
    } finally {
      closing.server.closeAllConnections();
      await new Promise((resolve) => closing.server.close(resolve));
    }
  });
});
