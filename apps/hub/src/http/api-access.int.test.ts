import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Role } from '../config.js';
import { type ApiFixture, defineLocations, startApiFixture } from './api-test-kit.js';

// Cross-cutting behaviour: auth per role on every route, JSON errors, correlation ids, health,
// metrics and the OpenAPI document.

interface Operation {
  readonly 'x-roles': Role[];
  readonly security: unknown[];
  readonly parameters: { name: string; in: string; required: boolean }[];
  readonly requestBody?: unknown;
  readonly responses: Record<string, unknown>;
}
interface OpenApi {
  readonly openapi: string;
  readonly paths: Record<string, Record<string, Operation>>;
  readonly components: { securitySchemes: Record<string, unknown>; schemas: Record<string, unknown> };
}

/** Every route the issue asks for. */
const EXPECTED_ROUTES = [
  'get /health',
  'get /metrics',
  'get /v1/openapi.json',
  'get /v1/availability/{sku}',
  'post /v1/availability/batch',
  'get /v1/locations',
  'get /v1/locations/{location}/stock',
  'get /v1/locations/{location}/stock/{sku}/history',
  'get /v1/locations/{location}/stock/{sku}/explain',
  'post /v1/reservations',
  'get /v1/reservations',
  'get /v1/reservations/{id}',
  'post /v1/reservations/{id}/confirm',
  'post /v1/reservations/{id}/release',
  'post /v1/pickups',
  'get /v1/pickups',
  'get /v1/pickups/{id}',
  'get /v1/incidents',
  'get /v1/nodes',
  'get /v1/catalog',
  'post /v1/admin/locations',
  'put /v1/admin/catalog/{sku}',
  'put /v1/admin/safety-stock',
  'put /v1/admin/allocations',
  'post /v1/admin/rebuild',
  'get /v1/admin/config',
  'post /v1/enrollments',
  'post /v1/enrollments/redeem',
  'get /v1/terminals',
  'post /v1/terminals/{node}/revoke',
];

const ROLES: Role[] = ['ecommerce', 'manager', 'admin'];

/** Who may call what, as the issue states it. */
const EXPECTED_ACCESS: Record<string, Role[]> = {
  'get /v1/availability/{sku}': ['ecommerce', 'manager', 'admin'],
  'post /v1/availability/batch': ['ecommerce', 'manager', 'admin'],
  'post /v1/reservations': ['ecommerce', 'admin'],
  'post /v1/reservations/{id}/confirm': ['ecommerce', 'admin'],
  'post /v1/reservations/{id}/release': ['ecommerce', 'admin'],
  'get /v1/reservations': ['ecommerce', 'manager', 'admin'],
  'get /v1/reservations/{id}': ['ecommerce', 'manager', 'admin'],
  'post /v1/pickups': ['ecommerce', 'admin'],
  'get /v1/pickups': ['ecommerce', 'manager', 'admin'],
  'get /v1/pickups/{id}': ['ecommerce', 'manager', 'admin'],
  'get /v1/locations': ['manager', 'admin'],
  'get /v1/locations/{location}/stock': ['manager', 'admin'],
  'get /v1/locations/{location}/stock/{sku}/history': ['manager', 'admin'],
  'get /v1/locations/{location}/stock/{sku}/explain': ['manager', 'admin'],
  'get /v1/incidents': ['manager', 'admin'],
  'get /v1/nodes': ['manager', 'admin'],
  'get /v1/catalog': ['manager', 'admin'],
  'post /v1/admin/locations': ['admin'],
  'put /v1/admin/catalog/{sku}': ['admin'],
  'put /v1/admin/safety-stock': ['admin'],
  'put /v1/admin/allocations': ['admin'],
  'post /v1/admin/rebuild': ['admin'],
  'post /v1/enrollments': ['admin'],
  'get /v1/terminals': ['admin'],
  'post /v1/terminals/{node}/revoke': ['admin'],
  'get /v1/admin/config': ['admin'],
};

const concretePath = (template: string) =>
  template.replace('{sku}', 'SKU-1').replace('{location}', 'store-001').replace('{id}', 'r-1');

describe('HTTP API: access, errors, system endpoints', () => {
  let f: ApiFixture;
  let doc: OpenApi;

  beforeAll(async () => {
    f = await startApiFixture();
    await defineLocations(f.api, [{ location: 'store-001', region: 'north', kind: 'store', name: 'Store 1' }]);
    doc = (await f.api.get<OpenApi>('/v1/openapi.json', { as: null })).body;
  });
  afterAll(async () => {
    await f?.close();
  });

  it('serves an OpenAPI 3.1 document with a path for every route, bearer auth and role notes', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`));
    expect(documented.sort()).toEqual([...EXPECTED_ROUTES].sort());
    for (const [key, roles] of Object.entries(EXPECTED_ACCESS)) {
      const [method, path] = key.split(' ') as [string, string];
      const op = doc.paths[path]?.[method];
      expect(op?.['x-roles'], key).toEqual(roles);
      expect(op?.security, key).toEqual([{ bearerAuth: [] }]);
      expect(op?.responses, key).toHaveProperty('401');
      expect(op?.responses, key).toHaveProperty('403');
    }
    expect(doc.paths['/health']?.get?.security).toEqual([]);
    // Request schemas come from the domain's zod schemas.
    const place = doc.paths['/v1/reservations']?.post;
    expect(place?.parameters.find((p) => p.name === 'Idempotency-Key')).toMatchObject({ in: 'header', required: true });
    expect(place?.responses).toHaveProperty('409');
    expect(place?.responses).toHaveProperty('422');
    const body = doc.components.schemas.PlaceReservationRequest as { properties: Record<string, unknown> };
    expect(Object.keys(body.properties)).toEqual(
      expect.arrayContaining(['channel', 'location', 'lines', 'expiresAt', 'ttlSeconds', 'reservationId']),
    );
    expect(body.properties).not.toHaveProperty('idempotencyKey');
    const stock = doc.paths['/v1/locations/{location}/stock']?.get;
    expect(stock?.parameters.map((p) => p.name)).toEqual(
      expect.arrayContaining(['location', 'sku', 'cursor', 'limit']),
    );
    expect(doc.components.schemas).toHaveProperty('Reservation');
    expect(JSON.stringify(doc)).not.toContain('"$schema"');
  });

  it('answers 401 with WWW-Authenticate without a token or with an unknown one, on every protected route', async () => {
    for (const key of Object.keys(EXPECTED_ACCESS)) {
      const [method, path] = key.split(' ') as [string, string];
      const none = await f.api.call(method.toUpperCase(), concretePath(path), { as: null });
      expect(none.status, key).toBe(401);
      expect(none.headers.get('www-authenticate'), key).toMatch(/^Bearer/);
      expect(none.body, key).toMatchObject({ error: 'unauthorized' });
      const wrong = await f.api.call(method.toUpperCase(), concretePath(path), {
        as: { token: 'not-a-token-of-this-hub-at-all' },
      });
      expect(wrong.status, key).toBe(401);
      expect(wrong.headers.get('www-authenticate'), key).toContain('invalid_token');
    }
  });

  it('answers 403 to every role a route does not allow, and lets allowed roles through', async () => {
    for (const [key, allowed] of Object.entries(EXPECTED_ACCESS)) {
      const [method, path] = key.split(' ') as [string, string];
      for (const role of ROLES) {
        // Allowed roles would really rebuild or write: their success is covered elsewhere.
        if (allowed.includes(role) && method !== 'get') continue;
        const r = await f.api.call(method.toUpperCase(), concretePath(path), { as: role });
        if (allowed.includes(role)) expect([200, 404], `${key} as ${role}`).toContain(r.status);
        else {
          expect(r.status, `${key} as ${role}`).toBe(403);
          expect(r.body).toMatchObject({ error: 'forbidden' });
        }
      }
    }
  });

  it('leaves /health, /metrics and /v1/openapi.json open', async () => {
    const health = await f.api.get('/health', { as: null });
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'ok', natsConnected: true, lagMessages: expect.any(Number) });
    expect((health.body as { checkpoint: number }).checkpoint).toBeGreaterThan(0);
    const metrics = await f.api.get<string>('/metrics', { as: null });
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    expect(metrics.headers.get('content-type')).toContain('version=0.0.4');
    for (const name of [
      'stocknerve_events_applied_total',
      'stocknerve_projection_lag_messages',
      'stocknerve_reservations_placed_total',
      'stocknerve_reservations_rejected_total',
      'stocknerve_location_last_heard_age_seconds{location="store-001"}',
      'stocknerve_http_requests_total{method="GET",route="/v1/openapi.json",status="200"}',
      'stocknerve_http_requests_total{method="POST",route="/v1/admin/locations",status="201"}',
    ])
      expect(metrics.body).toContain(name);
  });

  it('answers 400 with issues naming each field, in body, query, path and header', async () => {
    const body = await f.api.post(
      '/v1/reservations',
      { channel: 'Web!', lines: [{ sku: 'A', qty: 0 }] },
      {
        as: 'ecommerce',
      },
    );
    expect(body.status).toBe(400);
    expect(body.body).toMatchObject({ error: 'invalid-request', message: expect.any(String) });
    const issues = (body.body as { issues: { in: string; path: string; message: string }[] }).issues;
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ in: 'header', path: 'idempotency-key' }),
        expect.objectContaining({ in: 'body', path: 'channel', message: expect.stringContaining('channel') }),
        expect.objectContaining({ in: 'body', path: 'lines.0.qty', message: 'qty must be positive' }),
        expect.objectContaining({ in: 'body', path: 'location' }),
        expect.objectContaining({ in: 'body', path: 'expiresAt', message: 'give expiresAt or ttlSeconds' }),
      ]),
    );
    const query = await f.api.get('/v1/locations/store-001/stock?limit=5000', { as: 'manager' });
    expect(query.status).toBe(400);
    expect(query.body).toMatchObject({
      issues: [{ in: 'query', path: 'limit', message: 'limit must be at most 1000' }],
    });
    const path = await f.api.get('/v1/availability/bad%20sku', { as: 'ecommerce' });
    expect(path.status).toBe(400);
    expect(path.body).toMatchObject({ issues: [{ in: 'path', path: 'sku' }] });
    const asOf = await f.api.get('/v1/locations/store-001/stock/SKU-1/history?asOf=yesterday', { as: 'manager' });
    expect(asOf.body).toMatchObject({
      issues: [{ in: 'query', path: 'asOf', message: expect.stringContaining('ISO') }],
    });
    const cursor = await f.api.get('/v1/catalog?cursor=%21%21', { as: 'manager' });
    expect(cursor.body).toMatchObject({ issues: [{ in: 'query', path: 'cursor' }] });
    const channels = await f.api.get('/v1/availability/SKU-1?channel=web&channel=NOPE', { as: 'ecommerce' });
    expect(channels.body).toMatchObject({ issues: [{ in: 'query', path: 'channel.1' }] });
    const admin = await f.api.put('/v1/admin/allocations', {
      channel: 'web',
      sku: null,
      rule: { kind: 'share', share: 2 },
    });
    expect(admin.status).toBe(400);
    expect(admin.body).toMatchObject({ issues: [{ in: 'body', path: 'rule.share' }] });
  });

  it('refuses the reserved location id hub, and control characters in any field, with 400 naming the field', async () => {
    const reserved = { in: 'body', path: 'location', message: 'location "hub" is reserved for the hub itself' };
    const define = await f.api.post('/v1/admin/locations', {
      location: 'hub',
      region: 'north',
      kind: 'store',
      name: 'Hub',
    });
    expect(define.status).toBe(400);
    expect(define.body).toMatchObject({ error: 'invalid-request', issues: [reserved] });
    const safety = await f.api.put('/v1/admin/safety-stock', { sku: 'SKU-1', location: 'hub', qty: 1 });
    expect(safety.body).toMatchObject({ issues: [reserved] });
    const hold = await f.api.post(
      '/v1/reservations',
      { channel: 'web', location: 'hub', lines: [{ sku: 'SKU-1', qty: 1 }], ttlSeconds: 60 },
      { as: 'ecommerce', headers: { 'idempotency-key': 'hub-1' } },
    );
    expect(hold.status).toBe(400);
    expect(hold.body).toMatchObject({ issues: [reserved] });
    const stock = await f.api.get('/v1/locations/hub/stock', { as: 'manager' });
    expect(stock.status).toBe(400);
    expect(stock.body).toMatchObject({ issues: [{ ...reserved, in: 'path' }] });

    const bell = await f.api.post('/v1/admin/locations', {
      location: 'store-002',
      region: 'north',
      kind: 'store',
      name: 'Store\u0007 2',
    });
    expect(bell.status).toBe(400);
    expect(bell.body).toMatchObject({
      error: 'invalid-request',
      issues: [{ in: 'body', path: 'name', message: 'name must not contain control characters' }],
    });
    const c1 = await f.api.put('/v1/admin/catalog/SKU-1', {
      name: 'Tent',
      priceCents: 100,
      currency: 'EUR',
      category: 'camping\u009b31m',
    });
    expect(c1.body).toMatchObject({
      issues: [{ in: 'body', path: 'category', message: 'category must not contain control characters' }],
    });
    const pickup = await f.api.post(
      '/v1/pickups',
      {
        channel: 'web',
        location: 'store-001',
        orderRef: 'WEB-1',
        customerName: 'Ada\u0000Lovelace',
        lines: [{ sku: 'SKU-1', qty: 1 }],
      },
      { as: 'ecommerce' },
    );
    expect(pickup.body).toMatchObject({
      issues: [{ in: 'body', path: 'customerName', message: 'customerName must not contain control characters' }],
    });
    const query = await f.api.get('/v1/incidents?location=store-001%0A', { as: 'manager' });
    expect(query.body).toMatchObject({
      issues: [{ in: 'query', path: 'location', message: 'location must not contain control characters' }],
    });
    const del = await f.api.put('/v1/admin/catalog/SKU-1', { name: 'Tent\u007f', priceCents: 100, currency: 'EUR' });
    expect(del.body).toMatchObject({ issues: [{ in: 'body', path: 'name' }] });
  });

  it('answers bad JSON with 400 JSON and unknown routes with 404 JSON, never HTML or a stack', async () => {
    const bad = await f.api.call('POST', '/v1/availability/batch', { as: 'ecommerce', rawBody: '{"skus": [' });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/json');
    expect(bad.body).toMatchObject({ error: 'invalid-request', issues: [{ in: 'body' }] });
    expect(JSON.stringify(bad.body)).not.toMatch(/at .*\.js|SyntaxError/);
    const big = await f.api.call('POST', '/v1/availability/batch', {
      as: 'ecommerce',
      rawBody: JSON.stringify({ skus: ['x'.repeat(2_000_000)] }),
    });
    expect(big.status).toBe(413);
    expect(big.body).toMatchObject({ error: 'payload-too-large' });
    const notJson = await f.api.call('POST', '/v1/availability/batch', { as: 'ecommerce' });
    expect(notJson.status).toBe(400);
    expect(notJson.body).toMatchObject({
      issues: [{ in: 'body', path: '', message: 'a JSON body (Content-Type: application/json) is required' }],
    });
    const missing = await f.api.get('/v1/nothing-here', { as: null });
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error: 'not-found' });
    const wrongMethod = await f.api.call('DELETE', '/v1/reservations/r-1');
    expect(wrongMethod.status).toBe(404);
    expect(wrongMethod.headers.get('content-type')).toContain('application/json');
  });

  it('answers an unexpected error with 500 {error:"internal"} and no details', async () => {
    const spy = vi.spyOn(f.hub.ctx.metrics, 'render').mockImplementationOnce(() => {
      throw new Error('secret internals /etc/passwd');
    });
    const r = await f.api.get('/metrics', { as: null });
    spy.mockRestore();
    expect(r.status).toBe(500);
    expect(r.body).toEqual({ error: 'internal', message: 'internal error' });
  });

  it('echoes a valid X-Correlation-Id, replaces an invalid one, and stamps it on the events', async () => {
    const given = await f.api.get('/health', { as: null, headers: { 'x-correlation-id': 'order-42:attempt.1' } });
    expect(given.headers.get('x-correlation-id')).toBe('order-42:attempt.1');
    const invalid = await f.api.get('/health', { as: null, headers: { 'x-correlation-id': 'has spaces/and slashes' } });
    expect(invalid.headers.get('x-correlation-id')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
    const generated = await f.api.get('/health', { as: null });
    expect(generated.headers.get('x-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
    await f.api.post(
      '/v1/admin/locations',
      { location: 'store-777', region: 'north', kind: 'store', name: 'Traced' },
      { headers: { 'x-correlation-id': 'trace-me-777' } },
    );
    const row = f.hub.ctx.store.get<{ correlation_id: string }>(
      "SELECT correlation_id FROM applied_events WHERE type = 'LocationDefined' ORDER BY stream_seq DESC LIMIT 1",
    );
    expect(row?.correlation_id).toBe('trace-me-777');
  });

  it('shows the configuration to admins without token values', async () => {
    const r = await f.api.get<Record<string, unknown>>('/v1/admin/config');
    expect(r.status).toBe(200);
    expect(r.body.tokens).toEqual({ admin: 1, ecommerce: 1, manager: 1 });
    expect(JSON.stringify(r.body)).not.toContain('token-for-tests');
    expect(r.body).toMatchObject({ stalePolicy: 'buffer', httpPort: 0 });
  });
});
