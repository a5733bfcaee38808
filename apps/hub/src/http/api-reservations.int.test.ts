import { waitFor } from '@stocknerve/test-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SkuAvailability } from '../views/availability.js';
import type { IncidentRecord } from '../views/incidents-queries.js';
import type { PickupRecord } from '../views/pickups-queries.js';
import type { ReservationRecord } from '../views/reservations-queries.js';
import type { StockLine } from '../views/stock-queries.js';
import {
  type ApiFixture,
  applied,
  defineLocations,
  received,
  startApiFixture,
  storeNode,
  TOKENS,
} from './api-test-kit.js';
import { IncidentSchema, PickupSchema, ReservationSchema } from './schemas.js';

// Reservations and pickups through the hub's single writer, including a flash sale.

interface Rejection {
  error: string;
  message: string;
  details: unknown;
}

/** Ecommerce tokens limited to one channel each (HUB_TOKENS `token:ecommerce:web`). */
const WEB_SHOP = { token: 'web-shop-token-for-tests-0001' };
const MARKETPLACE = { token: 'marketplace-token-for-tests-01' };

describe('HTTP API: reservations, pickups, incidents', () => {
  let f: ApiFixture;
  let key = 0;
  const place = (
    body: Record<string, unknown>,
    idempotencyKey = `key-${++key}`,
    as: 'ecommerce' | 'manager' = 'ecommerce',
  ) =>
    f.api.post<ReservationRecord & Rejection>('/v1/reservations', body, {
      as,
      headers: { 'idempotency-key': idempotencyKey },
    });
  const cell = async (location: string, sku: string) => {
    const r = await f.api.get<{ stock: StockLine[] }>(`/v1/locations/${location}/stock?sku=${sku}`, { as: 'manager' });
    return r.body.stock.find((s) => s.sku === sku);
  };

  beforeAll(async () => {
    f = await startApiFixture({
      tokens: {
        ...Object.fromEntries(Object.entries(TOKENS).map(([role, token]) => [token, role as keyof typeof TOKENS])),
        [WEB_SHOP.token]: { role: 'ecommerce', channels: ['web'] },
        [MARKETPLACE.token]: { role: 'ecommerce', channels: ['marketplace-a'] },
      },
    });
    await defineLocations(f.api, [
      { location: 'store-001', region: 'north', kind: 'store', name: 'Store 1' },
      { location: 'store-002', region: 'north', kind: 'store', name: 'Store 2' },
      { location: 'wh-001', region: 'north', kind: 'warehouse', name: 'Warehouse' },
    ]);
    const s1 = storeNode(f.js, { location: 'store-001', region: 'north', node: 'store-001-t1' });
    const s2 = storeNode(f.js, { location: 'store-002', region: 'north', node: 'store-002-t1' });
    const wh = storeNode(f.js, { location: 'wh-001', region: 'north', node: 'wh-001-t1' });
    await s1.publish(
      received('PO-1', [
        { sku: 'SKU-R', qty: 10 },
        { sku: 'FLASH', qty: 50 },
        { sku: 'SKU-P', qty: 3 },
      ]),
    );
    await s2.publish(received('PO-2', [{ sku: 'SKU-R', qty: 5 }]));
    await applied(f, await wh.publish(received('PO-3', [{ sku: 'SKU-P', qty: 10 }])));
  });
  afterAll(async () => {
    await f?.close();
  });

  it('places a reservation (201), replays it for the same key (200) and refuses the key for other content (409)', async () => {
    const body = { channel: 'web', location: 'store-001', lines: [{ sku: 'SKU-R', qty: 2 }], ttlSeconds: 600 };
    const first = await f.api.post<ReservationRecord>('/v1/reservations', body, {
      as: 'ecommerce',
      headers: { 'idempotency-key': 'order-1001', 'x-correlation-id': 'checkout-1001' },
    });
    expect(first.status).toBe(201);
    ReservationSchema.parse(first.body);
    expect(first.body).toMatchObject({
      channel: 'web',
      location: 'store-001',
      status: 'placed',
      lines: [{ sku: 'SKU-R', qty: 2 }],
      idempotencyKey: 'order-1001',
      correlationId: 'checkout-1001',
    });
    expect(first.body.reservationId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-/);
    expect(first.headers.get('location')).toBe(`/v1/reservations/${first.body.reservationId}`);
    expect(first.headers.get('x-correlation-id')).toBe('checkout-1001');
    expect(Date.parse(first.body.expiresAt) - Date.now()).toBeGreaterThan(590_000);
    expect(first.body.expiresAt).toMatch(/\.\d{3}Z$/);

    const replay = await place(body, 'order-1001');
    expect(replay.status).toBe(200);
    expect(replay.body.reservationId).toBe(first.body.reservationId);
    expect((await cell('store-001', 'SKU-R'))?.reserved).toBe(2);

    const reused = await place({ ...body, lines: [{ sku: 'SKU-R', qty: 3 }] }, 'order-1001');
    expect(reused.status).toBe(409);
    expect(reused.body).toMatchObject({
      error: 'IdempotencyKeyReused',
      message: expect.stringContaining('order-1001'),
    });

    const taken = await place({ ...body, reservationId: first.body.reservationId }, 'order-1002');
    expect(taken.status).toBe(409);
    expect(taken.body.error).toBe('DuplicateReservation');
  });

  it('answers identical concurrent first attempts with one reservation', async () => {
    const body = { channel: 'web', location: 'store-002', lines: [{ sku: 'SKU-R', qty: 1 }], ttlSeconds: 600 };
    const [a, b] = await Promise.all([place(body, 'order-race'), place(body, 'order-race')]);
    expect([a.status, b.status].sort()).toEqual([200, 201]);
    expect(a.body.reservationId).toBe(b.body.reservationId);
    expect((await cell('store-002', 'SKU-R'))?.reserved).toBe(1);
  });

  it('normalises expiresAt, and refuses past expiry and unknown locations with 422', async () => {
    const inThreeDays = new Date(Math.ceil(Date.now() / 1000) * 1000 + 3 * 86_400_000).toISOString();
    const normalised = await place({
      reservationId: 'res-explicit-1',
      channel: 'marketplace',
      location: null,
      lines: [{ sku: 'SKU-R', qty: 1 }],
      expiresAt: inThreeDays.replace('.000Z', 'Z'),
    });
    expect(normalised.status).toBe(201);
    expect(normalised.body).toMatchObject({
      reservationId: 'res-explicit-1',
      location: null,
      expiresAt: inThreeDays,
    });
    const availability = await f.api.get<SkuAvailability>('/v1/availability/SKU-R?channel=marketplace', {
      as: 'ecommerce',
    });
    expect(availability.body.networkReserved).toBe(1);

    const past = await place({
      channel: 'web',
      location: 'store-001',
      lines: [{ sku: 'SKU-R', qty: 1 }],
      expiresAt: '2020-01-01T00:00:00Z',
    });
    expect(past.status).toBe(422);
    expect(past.body).toMatchObject({ error: 'InvalidExpiry', details: null });
    const unknown = await place({
      channel: 'web',
      location: 'store-404',
      lines: [{ sku: 'SKU-R', qty: 1 }],
      ttlSeconds: 60,
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error).toBe('UnknownLocation');
    const both = await place({
      channel: 'web',
      location: 'store-001',
      lines: [{ sku: 'SKU-R', qty: 1 }],
      ttlSeconds: 60,
      expiresAt: inThreeDays,
    });
    expect(both.status).toBe(400);
    expect(both.body).toMatchObject({ issues: [{ in: 'body', path: 'ttlSeconds' }] });
    const longTtl = await place({
      channel: 'web',
      location: 'store-001',
      lines: [{ sku: 'SKU-R', qty: 1 }],
      ttlSeconds: 7 * 86_400 + 1,
    });
    expect(longTtl.status).toBe(400);
    expect(longTtl.body).toMatchObject({
      error: 'invalid-request',
      issues: [
        {
          in: 'body',
          path: 'ttlSeconds',
          message: 'ttlSeconds must be at most 604800 (the longest hold this hub grants)',
        },
      ],
    });
    // The same longest hold whichever field sets the expiry (HUB_MAX_HOLD_MS, default 7 days).
    const farExpiry = await place({
      channel: 'web',
      location: 'store-001',
      lines: [{ sku: 'SKU-R', qty: 1 }],
      expiresAt: new Date(Date.now() + 7 * 86_400_000 + 60_000).toISOString(),
    });
    expect(farExpiry.status).toBe(400);
    expect(farExpiry.body).toMatchObject({
      error: 'invalid-request',
      issues: [
        {
          in: 'body',
          path: 'expiresAt',
          message: 'expiresAt must be at most 604800 seconds from now (the longest hold this hub grants)',
        },
      ],
    });
    const noKey = await f.api.post(
      '/v1/reservations',
      { channel: 'web', location: null, lines: [{ sku: 'SKU-R', qty: 1 }], ttlSeconds: 60 },
      {
        as: 'ecommerce',
      },
    );
    expect(noKey.status).toBe(400);
    expect(noKey.body).toMatchObject({
      issues: [{ in: 'header', path: 'idempotency-key', message: 'the Idempotency-Key header is required' }],
    });
    expect(
      (
        await place(
          { channel: 'web', location: null, lines: [{ sku: 'SKU-R', qty: 1 }], ttlSeconds: 60 },
          'k',
          'manager',
        )
      ).status,
    ).toBe(403);
  });

  it('refuses more than is available with 409 and the short lines', async () => {
    const r = await place({ channel: 'web', location: 'store-001', lines: [{ sku: 'SKU-R', qty: 9 }], ttlSeconds: 60 });
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({
      error: 'InsufficientStock',
      details: { short: [{ sku: 'SKU-R', requested: 9, atp: 8 }] },
    });
  });

  it('confirms, releases and reads reservations; a released one cannot be confirmed', async () => {
    const placed = await place({
      channel: 'app',
      location: 'store-002',
      lines: [{ sku: 'SKU-R', qty: 1 }],
      ttlSeconds: 600,
    });
    const id = placed.body.reservationId;
    const confirmed = await f.api.post<ReservationRecord>(`/v1/reservations/${id}/confirm`, {}, { as: 'ecommerce' });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.status).toBe('confirmed');
    expect((await f.api.post(`/v1/reservations/${id}/confirm`, undefined, { as: 'ecommerce' })).status).toBe(200);
    expect((await cell('store-002', 'SKU-R'))?.reserved).toBe(2);

    const badReason = await f.api.post(`/v1/reservations/${id}/release`, { reason: 'bored' }, { as: 'ecommerce' });
    expect(badReason.status).toBe(400);
    expect(badReason.body).toMatchObject({
      issues: [{ path: 'reason', message: 'reason must be cancelled or fulfilled' }],
    });
    const released = await f.api.post<ReservationRecord>(
      `/v1/reservations/${id}/release`,
      { reason: 'fulfilled' },
      {
        as: 'ecommerce',
      },
    );
    expect(released.status).toBe(200);
    expect(released.body.status).toBe('released');
    expect((await cell('store-002', 'SKU-R'))?.reserved).toBe(1);
    expect(
      (await f.api.post(`/v1/reservations/${id}/release`, { reason: 'fulfilled' }, { as: 'ecommerce' })).status,
    ).toBe(200);
    const notActive = await f.api.post<Rejection>(`/v1/reservations/${id}/confirm`, {}, { as: 'ecommerce' });
    expect(notActive.status).toBe(409);
    expect(notActive.body.error).toBe('ReservationNotActive');
    const missing = await f.api.post<Rejection>('/v1/reservations/nope-1/confirm', {}, { as: 'ecommerce' });
    expect(missing.status).toBe(404);
    expect(missing.body.error).toBe('UnknownReservation');

    const read = await f.api.get<ReservationRecord>(`/v1/reservations/${id}`, { as: 'manager' });
    expect(read.body).toMatchObject({ reservationId: id, status: 'released', channel: 'app' });
    expect((await f.api.get('/v1/reservations/nope-1', { as: 'ecommerce' })).status).toBe(404);

    const list = await f.api.get<{ reservations: ReservationRecord[] }>(
      '/v1/reservations?channel=app&status=released',
      {
        as: 'ecommerce',
      },
    );
    expect(list.body.reservations.map((r) => r.reservationId)).toEqual([id]);
    const atStore = await f.api.get<{ reservations: ReservationRecord[] }>(
      '/v1/reservations?location=store-001&limit=1',
      {
        as: 'manager',
      },
    );
    expect(atStore.body.reservations).toHaveLength(1);
    expect(atStore.body.reservations[0]?.location).toBe('store-001');
    expect((await f.api.get('/v1/reservations?status=gone', { as: 'manager' })).body).toMatchObject({
      issues: [{ in: 'query', path: 'status' }],
    });
  });

  it('expires an unconfirmed hold once its ttl has passed', async () => {
    const placed = await place({
      channel: 'web',
      location: 'store-002',
      lines: [{ sku: 'SKU-R', qty: 1 }],
      ttlSeconds: 1,
    });
    expect(placed.status).toBe(201);
    await waitFor(
      async () =>
        (await f.api.get<ReservationRecord>(`/v1/reservations/${placed.body.reservationId}`)).body.status === 'expired',
      { message: 'reservation expired' },
    );
  });

  it('flash sale: 200 concurrent requests for 1 unit against 50 available grant exactly 50', async () => {
    const metricsBefore = { ...f.hub.ctx.metrics };
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        place(
          { channel: 'web', location: 'store-001', lines: [{ sku: 'FLASH', qty: 1 }], ttlSeconds: 900 },
          `flash-${i}`,
        ),
      ),
    );
    const granted = responses.filter((r) => r.status === 201);
    const refused = responses.filter((r) => r.status === 409);
    expect(granted).toHaveLength(50);
    expect(refused).toHaveLength(150);
    for (const r of refused) {
      expect(r.headers.get('content-type')).toContain('application/json');
      expect(r.body).toMatchObject({
        error: 'InsufficientStock',
        details: { short: [{ sku: 'FLASH', requested: 1, atp: 0 }] },
      });
    }
    expect(new Set(granted.map((r) => r.body.reservationId)).size).toBe(50);

    expect(await cell('store-001', 'FLASH')).toMatchObject({ onHand: 50, reserved: 50, available: 0 });
    const held = await f.api.get<{ reservations: ReservationRecord[] }>(
      '/v1/reservations?location=store-001&status=placed&limit=1000',
      {
        as: 'manager',
      },
    );
    expect(held.body.reservations.filter((r) => r.lines[0]?.sku === 'FLASH')).toHaveLength(50);
    const availability = await f.api.get<SkuAvailability>('/v1/availability/FLASH', { as: 'ecommerce' });
    expect(availability.body.channels[0]?.atp).toBe(0);
    expect(f.hub.ctx.metrics.reservationsPlaced - metricsBefore.reservationsPlaced).toBe(50);
    expect(f.hub.ctx.metrics.reservationsRejected - metricsBefore.reservationsRejected).toBe(150);
    const explain = await f.api.get<{ onHand: number; consistent: boolean }>(
      '/v1/locations/store-001/stock/FLASH/explain',
      {
        as: 'manager',
      },
    );
    expect(explain.body).toMatchObject({ onHand: 50, consistent: true });
  });

  it('places pickups at stores, replays them by id, refuses warehouses, and lists them', async () => {
    const order = {
      pickupId: 'pu-1',
      channel: 'web',
      location: 'store-001',
      orderRef: 'WEB-77',
      customerName: 'Ada',
      lines: [{ sku: 'SKU-P', qty: 2 }],
    };
    const placed = await f.api.post<PickupRecord>('/v1/pickups', order, { as: 'ecommerce' });
    expect(placed.status).toBe(201);
    PickupSchema.parse(placed.body);
    expect(placed.body).toMatchObject({ pickupId: 'pu-1', status: 'placed', picked: false, orderRef: 'WEB-77' });
    expect(placed.headers.get('location')).toBe('/v1/pickups/pu-1');
    expect((await f.api.post('/v1/pickups', order, { as: 'ecommerce' })).status).toBe(200);
    const clash = await f.api.post<Rejection>('/v1/pickups', { ...order, orderRef: 'WEB-78' }, { as: 'ecommerce' });
    expect(clash.status).toBe(409);
    expect(clash.body.error).toBe('DuplicatePickup');
    expect((await cell('store-001', 'SKU-P'))?.reserved).toBe(2);

    const generated = await f.api.post<PickupRecord>(
      '/v1/pickups',
      { channel: 'web', location: 'store-001', orderRef: 'WEB-79', lines: [{ sku: 'SKU-P', qty: 1 }] },
      { as: 'ecommerce' },
    );
    expect(generated.status).toBe(201);
    expect(generated.body.pickupId).toMatch(/^[0-9a-f]{8}-/);
    const short = await f.api.post<Rejection>(
      '/v1/pickups',
      { channel: 'web', location: 'store-001', orderRef: 'WEB-80', lines: [{ sku: 'SKU-P', qty: 1 }] },
      { as: 'ecommerce' },
    );
    expect(short.status).toBe(409);
    expect(short.body.error).toBe('InsufficientStock');
    const warehouse = await f.api.post<Rejection>(
      '/v1/pickups',
      { channel: 'web', location: 'wh-001', orderRef: 'WEB-81', lines: [{ sku: 'SKU-P', qty: 1 }] },
      { as: 'ecommerce' },
    );
    expect(warehouse.status).toBe(422);
    expect(warehouse.body.error).toBe('NotAStore');
    const invalid = await f.api.post(
      '/v1/pickups',
      { channel: 'web', location: 'store-001', lines: [] },
      { as: 'ecommerce' },
    );
    expect(invalid.body).toMatchObject({
      issues: expect.arrayContaining([
        expect.objectContaining({ path: 'orderRef' }),
        expect.objectContaining({ path: 'lines', message: 'lines must have at least one line' }),
      ]),
    });

    expect((await f.api.get<PickupRecord>('/v1/pickups/pu-1', { as: 'ecommerce' })).body.customerName).toBe('Ada');
    expect((await f.api.get('/v1/pickups/pu-404', { as: 'ecommerce' })).status).toBe(404);
    const list = await f.api.get<{ pickups: PickupRecord[] }>('/v1/pickups?location=store-001&status=placed', {
      as: 'manager',
    });
    expect(list.body.pickups.map((p) => p.pickupId).sort()).toEqual(['pu-1', generated.body.pickupId].sort());
    expect(
      (await f.api.get<{ pickups: unknown[] }>('/v1/pickups?location=store-002', { as: 'ecommerce' })).body.pickups,
    ).toEqual([]);
  });

  it('lists the incident recorded when a store rejects a pickup', async () => {
    const s1 = storeNode(f.js, { location: 'store-001', region: 'north', node: 'store-001-t2' });
    await applied(
      f,
      await s1.publish({ type: 'PickupRejected', data: { pickupId: 'pu-1', reason: 'damaged', note: 'box crushed' } }),
    );
    const incidents = await waitFor(async () => {
      const r = await f.api.get<{ incidents: IncidentRecord[] }>('/v1/incidents?kind=pickup-rejected', {
        as: 'manager',
      });
      return r.body.incidents.length > 0 ? r.body.incidents : undefined;
    });
    for (const i of incidents) IncidentSchema.parse(i);
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({
      kind: 'pickup-rejected',
      location: 'store-001',
      sku: 'SKU-P',
      shortfall: 2,
      affected: [{ kind: 'pickup', id: 'pu-1', qty: 2 }],
      note: 'damaged: box crushed',
    });
    expect(incidents[0]?.proposal).toMatchObject({ location: 'wh-001' });
    expect((await f.api.get<PickupRecord>('/v1/pickups/pu-1', { as: 'ecommerce' })).body).toMatchObject({
      status: 'rejected',
      rejectReason: 'damaged',
    });
    expect(
      (await f.api.get<{ incidents: unknown[] }>('/v1/incidents?kind=oversell', { as: 'manager' })).body.incidents,
    ).toEqual([]);
    expect(
      (await f.api.get<{ incidents: unknown[] }>('/v1/incidents?location=store-002', { as: 'manager' })).body.incidents,
    ).toEqual([]);
    expect((await f.api.get('/v1/incidents?limit=0', { as: 'manager' })).status).toBe(400);
  });
  it("limits a channel-scoped ecommerce token to its channel: another channel's ids answer 404, placing for it 403", async () => {
    const s2 = storeNode(f.js, { location: 'store-002', region: 'north', node: 'store-002-t9' });
    await applied(f, await s2.publish(received('PO-9', [{ sku: 'SKU-S', qty: 10 }])));
    const hold = (as: { token: string }, channel: string, key: string) =>
      f.api.post<ReservationRecord & Rejection>(
        '/v1/reservations',
        { channel, location: 'store-002', lines: [{ sku: 'SKU-S', qty: 1 }], ttlSeconds: 600 },
        { as, headers: { 'idempotency-key': key } },
      );
    const mine = await hold(WEB_SHOP, 'web', 'scope-1');
    const theirs = await hold(MARKETPLACE, 'marketplace-a', 'scope-2');
    expect([mine.status, theirs.status]).toEqual([201, 201]);
    const theirId = theirs.body.reservationId;

    const foreign = await hold(WEB_SHOP, 'marketplace-a', 'scope-3');
    expect(foreign.status).toBe(403);
    expect(foreign.body).toEqual({
      error: 'forbidden',
      message: 'channel: this token is limited to channel web',
      field: 'channel',
      in: 'body',
    });

    // Another channel's reservation reads exactly like one that does not exist.
    const read = await f.api.get(`/v1/reservations/${theirId}`, { as: WEB_SHOP });
    expect(read.status).toBe(404);
    expect(read.body).toEqual({ error: 'not-found', message: `no reservation ${theirId}` });
    for (const [action, body] of [
      ['confirm', {}],
      ['release', { reason: 'cancelled' }],
    ] as const) {
      const changed = await f.api.post(`/v1/reservations/${theirId}/${action}`, body, { as: WEB_SHOP });
      expect(changed.status, action).toBe(404);
      expect(changed.body, action).toEqual({
        error: 'UnknownReservation',
        message: `no reservation ${theirId}`,
        details: null,
      });
    }
    const untouched = await f.api.get<ReservationRecord>(`/v1/reservations/${theirId}`, { as: MARKETPLACE });
    expect(untouched.body.status).toBe('placed');
    const own = await f.api.post<ReservationRecord>(
      `/v1/reservations/${mine.body.reservationId}/confirm`,
      {},
      {
        as: WEB_SHOP,
      },
    );
    expect(own.status).toBe(200);

    const listed = await f.api.get<{ reservations: ReservationRecord[] }>('/v1/reservations?limit=1000', {
      as: WEB_SHOP,
    });
    expect(listed.body.reservations.length).toBeGreaterThan(1);
    expect(new Set(listed.body.reservations.map((r) => r.channel))).toEqual(new Set(['web']));
    expect(listed.body.reservations.map((r) => r.reservationId)).toContain(mine.body.reservationId);
    const listForeign = await f.api.get('/v1/reservations?channel=marketplace-a', { as: WEB_SHOP });
    expect(listForeign.status).toBe(403);
    expect(listForeign.body).toMatchObject({ error: 'forbidden', field: 'channel', in: 'query' });
    // Managers and tokens without channels see every channel.
    expect((await f.api.get(`/v1/reservations/${theirId}`, { as: 'manager' })).status).toBe(200);
    expect((await f.api.get(`/v1/reservations/${theirId}`, { as: 'ecommerce' })).status).toBe(200);

    const pickup = (as: { token: string }, channel: string, pickupId: string) =>
      f.api.post<PickupRecord & Rejection>(
        '/v1/pickups',
        { pickupId, channel, location: 'store-002', orderRef: pickupId, lines: [{ sku: 'SKU-S', qty: 1 }] },
        { as },
      );
    expect((await pickup(MARKETPLACE, 'marketplace-a', 'pu-market-1')).status).toBe(201);
    const foreignPickup = await pickup(WEB_SHOP, 'marketplace-a', 'pu-web-1');
    expect(foreignPickup.status).toBe(403);
    expect(foreignPickup.body).toMatchObject({ error: 'forbidden', field: 'channel', in: 'body' });
    const readPickup = await f.api.get('/v1/pickups/pu-market-1', { as: WEB_SHOP });
    expect(readPickup.status).toBe(404);
    expect(readPickup.body).toEqual({ error: 'not-found', message: 'no pickup pu-market-1' });
    const webPickups = await f.api.get<{ pickups: PickupRecord[] }>('/v1/pickups?limit=1', { as: WEB_SHOP });
    expect(webPickups.body.pickups).toHaveLength(1);
    expect(webPickups.body.pickups[0]?.channel).toBe('web');
    const marketPickups = await f.api.get<{ pickups: PickupRecord[] }>('/v1/pickups', { as: MARKETPLACE });
    expect(marketPickups.body.pickups.map((p) => p.pickupId)).toEqual(['pu-market-1']);
  });
});
