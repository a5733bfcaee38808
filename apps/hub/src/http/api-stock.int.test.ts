import type { DecidedEvent } from '@stocknerve/domain';
import { heartbeatSubject } from '@stocknerve/protocol';
import { waitFor } from '@stocknerve/test-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SkuAvailability } from '../views/availability.js';
import type { LocationWithFreshness } from '../views/locations-queries.js';
import type { NodeSyncStatus } from '../views/node-status.js';
import type { StockLine } from '../views/stock-queries.js';
import { type ApiFixture, applied, defineLocations, received, startApiFixture, storeNode } from './api-test-kit.js';
import {
  CatalogItemSchema,
  LocationSchema,
  NodeStatusSchema,
  OnHandExplanationSchema,
  SkuAvailabilitySchema,
  StockAsOfSchema,
  StockLineSchema,
} from './schemas.js';

// Availability, stock pages, history and explanations, locations, nodes, catalog and rebuild over
// store events published to JetStream the way nodes publish them.

const T0 = Date.UTC(2026, 0, 10, 12, 0, 0);
const at = (ms: number) => new Date(ms).toISOString();
const PAGE_SKUS = Array.from({ length: 25 }, (_, i) => `P-${String(i).padStart(3, '0')}`);

const sale = (receiptId: string, sku: string, qty: number): DecidedEvent => ({
  type: 'SaleRecorded',
  data: { receiptId, currency: 'EUR', lines: [{ sku, qty, unitPriceCents: 100 }], totalCents: qty * 100 },
});

describe('HTTP API: availability, stock, history', () => {
  let f: ApiFixture;

  beforeAll(async () => {
    f = await startApiFixture();
    await defineLocations(f.api, [
      { location: 'store-001', region: 'north', kind: 'store', name: 'Store 1' },
      { location: 'store-002', region: 'north', kind: 'store', name: 'Store 2' },
      { location: 'wh-001', region: 'north', kind: 'warehouse', name: 'Warehouse' },
      { location: 'store-009', region: 'south', kind: 'store', name: 'Never heard of' },
    ]);
    for (const [sku, name] of [
      ['SKU-A', 'Alpha'],
      ['SKU-B', 'Bravo'],
      ['SKU-H', 'History'],
    ])
      expect((await f.api.put(`/v1/admin/catalog/${sku}`, { name, priceCents: 1999, currency: 'EUR' })).status).toBe(
        200,
      );
    expect((await f.api.put('/v1/admin/safety-stock', { sku: 'SKU-A', location: 'store-001', qty: 2 })).status).toBe(
      200,
    );
    expect(
      (
        await f.api.put('/v1/admin/allocations', {
          channel: 'marketplace',
          sku: 'SKU-A',
          rule: { kind: 'cap', cap: 7 },
        })
      ).status,
    ).toBe(200);
    expect(
      (await f.api.put('/v1/admin/allocations', { channel: 'app', sku: null, rule: { kind: 'share', share: 0.5 } }))
        .status,
    ).toBe(200);

    const s1 = storeNode(f.js, { location: 'store-001', region: 'north', node: 'store-001-t1', startMs: T0 });
    const s2 = storeNode(f.js, {
      location: 'store-002',
      region: 'north',
      node: 'store-002-t1',
      startMs: T0,
      stepMs: 60_000,
    });
    // A till that was offline: its sale at T0+150 s reaches the hub after everything else.
    const late = storeNode(f.js, {
      location: 'store-002',
      region: 'north',
      node: 'store-002-t2',
      startMs: T0 + 149_000,
    });
    const wh = storeNode(f.js, { location: 'wh-001', region: 'north', node: 'wh-001-t1', startMs: T0 });
    await s1.publish(
      received('PO-1', [
        { sku: 'SKU-A', qty: 10 },
        { sku: 'SKU-B', qty: 5 },
        ...PAGE_SKUS.map((sku, i) => ({ sku, qty: i + 1 })),
      ]),
      { type: 'TransferShipped', data: { transferId: 'T-1', to: 'store-002', lines: [{ sku: 'SKU-B', qty: 2 }] } },
    );
    await wh.publish(received('PO-W', [{ sku: 'SKU-A', qty: 20 }]));
    await s2.publish(
      received('PO-2', [
        { sku: 'SKU-A', qty: 4 },
        { sku: 'SKU-H', qty: 10 },
      ]), // T0+1 min
      sale('R-1', 'SKU-H', 3), // T0+2 min
      { type: 'CycleCounted', data: { countId: 'C-1', lines: [{ sku: 'SKU-H', countedQty: 6 }] } }, // T0+3 min
      received('PO-3', [{ sku: 'SKU-H', qty: 5 }]), // T0+4 min
      {
        type: 'StockAdjusted',
        data: { adjustmentId: 'ADJ-1', reason: 'damage', lines: [{ sku: 'SKU-H', delta: -1 }] },
      }, // T0+5 min
    );
    await applied(f, await late.publish(sale('R-LATE', 'SKU-H', 1)));
  });
  afterAll(async () => {
    await f?.close();
  });

  it('gives network ATP per channel with safety stock, allocation rules and the per-location breakdown', async () => {
    const r = await f.api.get<SkuAvailability>('/v1/availability/SKU-A?channel=web&channel=marketplace&channel=app', {
      as: 'ecommerce',
    });
    expect(r.status).toBe(200);
    SkuAvailabilitySchema.parse(r.body);
    expect(r.body.sku).toBe('SKU-A');
    expect(Date.parse(r.body.asOf)).toBeGreaterThan(Date.now() - 60_000);
    // Sellable: 8 at store-001 (10 − 2 safety), 4 at store-002, 20 at the warehouse; store-009 never heard.
    expect(r.body.channels).toEqual([
      { channel: 'web', atp: 32, pool: 32, allocationRemaining: null, rule: null },
      { channel: 'marketplace', atp: 7, pool: 32, allocationRemaining: 7, rule: { kind: 'cap', cap: 7 } },
      { channel: 'app', atp: 16, pool: 32, allocationRemaining: 16, rule: { kind: 'share', share: 0.5 } },
    ]);
    const byLocation = Object.fromEntries(r.body.locations.map((l) => [l.location, l]));
    expect(byLocation['store-001']).toMatchObject({
      region: 'north',
      onHand: 10,
      reserved: 0,
      safetyStock: 2,
      available: 8,
      contributes: 8,
      trust: { kind: 'full' },
      stale: false,
    });
    expect(byLocation['store-001']?.lastHeardAt).toEqual(expect.any(String));
    expect(byLocation['store-009']).toMatchObject({
      region: 'south',
      available: 0,
      contributes: 0,
      trust: { kind: 'buffer', units: 2 },
      lastHeardAt: null,
      ageMs: null,
      stale: true,
    });
    expect(r.body.staleLocations).toEqual([{ location: 'store-009', ageMs: null }]);
    const web = await f.api.get<SkuAvailability>('/v1/availability/SKU-A', { as: 'manager' });
    expect(web.body.channels.map((c) => c.channel)).toEqual(['web']);
  });

  it('holds back a buffer at every location once the hub has not heard from them for too long', async () => {
    f.clockOffsetMs = 10 * 60_000;
    try {
      const r = await f.api.get<SkuAvailability>('/v1/availability/SKU-A', { as: 'ecommerce' });
      // Each location contributes its available minus 2 units: 6 + 2 + 18 + 0.
      expect(r.body.channels[0]).toMatchObject({ channel: 'web', atp: 26, pool: 26 });
      expect(r.body.staleLocations.map((s) => s.location).sort()).toEqual([
        'store-001',
        'store-002',
        'store-009',
        'wh-001',
      ]);
      expect(r.body.staleLocations.find((s) => s.location === 'store-001')?.ageMs).toBeGreaterThanOrEqual(600_000);
    } finally {
      f.clockOffsetMs = 0;
    }
  });

  it('answers a batch of SKUs in request order, once per SKU', async () => {
    const r = await f.api.post<{ availability: SkuAvailability[] }>(
      '/v1/availability/batch',
      { skus: ['SKU-A', 'SKU-B', 'UNKNOWN-1', 'SKU-A'], channel: 'marketplace' },
      { as: 'ecommerce' },
    );
    expect(r.status).toBe(200);
    expect(r.body.availability.map((a) => [a.sku, a.channels[0]?.channel, a.channels[0]?.atp])).toEqual([
      ['SKU-A', 'marketplace', 7],
      ['SKU-B', 'marketplace', 3],
      ['UNKNOWN-1', 'marketplace', 0],
    ]);
    for (const a of r.body.availability) SkuAvailabilitySchema.parse(a);

    const page = [...PAGE_SKUS, ...Array.from({ length: 175 }, (_, i) => `X-${i}`)];
    const started = performance.now();
    const big = await f.api.post<{ availability: SkuAvailability[] }>(
      '/v1/availability/batch',
      { skus: page },
      {
        as: 'ecommerce',
      },
    );
    expect(performance.now() - started).toBeLessThan(2000);
    expect(big.body.availability).toHaveLength(200);
    expect(big.body.availability[24]).toMatchObject({ sku: 'P-024', channels: [{ channel: 'web', atp: 25 }] });

    const tooMany = await f.api.post('/v1/availability/batch', { skus: [...page, 'ONE-MORE'] }, { as: 'ecommerce' });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body).toMatchObject({
      issues: [{ in: 'body', path: 'skus', message: 'skus must name at most 200 skus' }],
    });
    const none = await f.api.post('/v1/availability/batch', { skus: [] }, { as: 'ecommerce' });
    expect(none.body).toMatchObject({ issues: [{ path: 'skus' }] });
  });

  it("pages through a location's stock by SKU with a cursor, with damaged and in-transit figures", async () => {
    const seen: StockLine[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor === null ? '' : `&cursor=${cursor}`;
      const r = await f.api.get<{ location: string; stock: StockLine[]; nextCursor: string | null }>(
        `/v1/locations/store-001/stock?limit=10${query}`,
        { as: 'manager' },
      );
      expect(r.status).toBe(200);
      expect(r.body.location).toBe('store-001');
      seen.push(...r.body.stock);
      cursor = r.body.nextCursor;
      pages++;
    } while (cursor !== null);
    expect(pages).toBe(3);
    expect(seen.map((s) => s.sku)).toEqual([...PAGE_SKUS, 'SKU-A', 'SKU-B']);
    for (const line of seen) StockLineSchema.parse(line);
    expect(seen.find((s) => s.sku === 'SKU-A')).toMatchObject({
      name: 'Alpha',
      onHand: 10,
      reserved: 0,
      safetyStock: 2,
      available: 8,
      damaged: 0,
      inTransit: 0,
    });
    expect(seen.find((s) => s.sku === 'SKU-B')).toMatchObject({ onHand: 3, available: 3 });

    const store2 = await f.api.get<{ stock: StockLine[]; nextCursor: string | null }>('/v1/locations/store-002/stock', {
      as: 'manager',
    });
    expect(store2.body.nextCursor).toBeNull();
    expect(store2.body.stock.find((s) => s.sku === 'SKU-B')).toMatchObject({ onHand: 0, inTransit: 2 });
    expect(store2.body.stock.find((s) => s.sku === 'SKU-H')).toMatchObject({ onHand: 10, damaged: 1 });

    const prefixed = await f.api.get<{ stock: StockLine[] }>('/v1/locations/store-001/stock?sku=P-01&limit=1000', {
      as: 'manager',
    });
    expect(prefixed.body.stock.map((s) => s.sku)).toEqual(PAGE_SKUS.slice(10, 20));

    const unknown = await f.api.get('/v1/locations/store-404/stock', { as: 'manager' });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ error: 'not-found' });
  });

  it('travels in time: on hand and damaged as of any moment, placed by HLC, counts included', async () => {
    const asOf = async (ms: number) => {
      const r = await f.api.get<{ onHand: number; damaged: number; count: { qty: number } | null; movements: number }>(
        `/v1/locations/store-002/stock/SKU-H/history?asOf=${encodeURIComponent(at(ms))}`,
        { as: 'manager' },
      );
      expect(r.status).toBe(200);
      StockAsOfSchema.parse(r.body);
      return r.body;
    };
    expect(await asOf(T0)).toMatchObject({ onHand: 0, damaged: 0, count: null, movements: 0 });
    expect(await asOf(T0 + 90_000)).toMatchObject({ onHand: 10, count: null, movements: 1 });
    expect(await asOf(T0 + 120_000)).toMatchObject({ onHand: 7 });
    // The late offline sale happened at T0+150 s: history shows it there although it arrived last.
    expect(await asOf(T0 + 160_000)).toMatchObject({ onHand: 6, movements: 3 });
    expect(await asOf(T0 + 200_000)).toMatchObject({ onHand: 6, count: { qty: 6 }, movements: 0 });
    expect(await asOf(T0 + 270_000)).toMatchObject({ onHand: 11, damaged: 0 });
    expect(await asOf(T0 + 330_000)).toMatchObject({ onHand: 10, damaged: 1 });
    const offset = await f.api.get<{ onHand: number }>(
      `/v1/locations/store-002/stock/SKU-H/history?asOf=${encodeURIComponent('2026-01-10T13:04:30+01:00')}`,
      { as: 'manager' },
    );
    expect(offset.body.onHand).toBe(11);
    const now = await f.api.get<{ onHand: number; damaged: number }>('/v1/locations/store-002/stock/SKU-H/history', {
      as: 'manager',
    });
    expect(now.body).toMatchObject({ onHand: 10, damaged: 1 });
  });

  it("explains today's on hand: the latest count plus every movement after it", async () => {
    const r = await f.api.get<{
      onHand: number;
      count: { qty: number; hlc: string; eventId: string } | null;
      movements: { type: string; delta: number; hlc: string; streamSeq: number }[];
      sum: number;
      consistent: boolean;
    }>('/v1/locations/store-002/stock/SKU-H/explain', { as: 'manager' });
    expect(r.status).toBe(200);
    OnHandExplanationSchema.parse(r.body);
    expect(r.body.onHand).toBe(10);
    expect(r.body.count).toMatchObject({ qty: 6 });
    // The late sale (T0+150 s) is before the count: the count already includes it.
    expect(r.body.movements.map((m) => [m.type, m.delta])).toEqual([
      ['GoodsReceived', 5],
      ['StockAdjusted', -1],
    ]);
    expect(r.body.movements.every((m) => m.hlc > (r.body.count?.hlc ?? ''))).toBe(true);
    expect(r.body).toMatchObject({ sum: 10, consistent: true });
    const uncounted = await f.api.get<{ count: null; movements: unknown[]; sum: number; consistent: boolean }>(
      '/v1/locations/store-001/stock/SKU-B/explain',
      { as: 'manager' },
    );
    expect(uncounted.body).toMatchObject({ count: null, sum: 3, consistent: true });
    expect(uncounted.body.movements).toHaveLength(2);
    expect((await f.api.get('/v1/locations/store-404/stock/SKU-H/explain', { as: 'manager' })).status).toBe(404);
  });

  it('lists locations with freshness, and nodes with watermarks, gaps and heartbeat figures', async () => {
    const gappy = storeNode(f.js, { location: 'wh-001', region: 'north', node: 'wh-001-t9', startMs: T0 });
    const [first, , third] = gappy.stamp(
      received('PO-G1', [{ sku: 'SKU-B', qty: 1 }]),
      received('PO-G2', [{ sku: 'SKU-B', qty: 1 }]),
      received('PO-G3', [{ sku: 'SKU-B', qty: 1 }]),
    );
    if (!first || !third) throw new Error('expected three events');
    await applied(f, await gappy.send([first, third]));
    const version = f.hub.ctx.store.version();
    f.nc.publish(
      heartbeatSubject('north', 'store-001', 'store-001-t1'),
      JSON.stringify({
        node: 'store-001-t1',
        location: 'store-001',
        region: 'north',
        pending: 4,
        oldestPendingAgeMs: 1500,
        lastAckedSeq: 2,
      }),
    );
    const nodes = await waitFor(async () => {
      const r = await f.api.get<{ nodes: NodeSyncStatus[] }>('/v1/nodes', { as: 'manager' });
      return r.body.nodes.find((n) => n.node === 'store-001-t1')?.pending === 4 ? r.body.nodes : undefined;
    });
    for (const n of nodes) NodeStatusSchema.parse(n);
    // Recorded as live state: remembered availability answers were not all thrown away for it.
    expect(f.hub.ctx.store.version()).toBe(version);
    const byNode = Object.fromEntries(nodes.map((n) => [n.node, n]));
    expect(byNode['store-002-t1']).toMatchObject({
      location: 'store-002',
      region: 'north',
      watermark: 5,
      maxSeq: 5,
      gaps: [],
    });
    expect(byNode['wh-001-t9']).toMatchObject({ watermark: 1, maxSeq: 3, gaps: [[2, 2]], eventsApplied: 2 });
    expect(byNode['store-001-t1']).toMatchObject({ pending: 4, oldestPendingAgeMs: 1500, stale: false });
    expect(byNode.hub).toBeDefined();

    const locations = await f.api.get<{ locations: LocationWithFreshness[] }>('/v1/locations', { as: 'manager' });
    for (const l of locations.body.locations) LocationSchema.parse(l);
    expect(locations.body.locations.map((l) => l.location)).toEqual(['store-001', 'store-002', 'store-009', 'wh-001']);
    expect(locations.body.locations.find((l) => l.location === 'store-009')).toMatchObject({
      kind: 'store',
      stale: true,
      lastHeardAt: null,
    });
    expect(locations.body.locations.find((l) => l.location === 'store-001')).toMatchObject({ stale: false });
  });

  it('pages through the catalog for managers', async () => {
    const first = await f.api.get<{ catalog: unknown[]; nextCursor: string | null }>('/v1/catalog?limit=2', {
      as: 'manager',
    });
    expect(first.status).toBe(200);
    expect(first.body.catalog.map((c) => CatalogItemSchema.parse(c).sku)).toEqual(['SKU-A', 'SKU-B']);
    const rest = await f.api.get<{ catalog: unknown[]; nextCursor: string | null }>(
      `/v1/catalog?limit=2&cursor=${first.body.nextCursor}`,
      { as: 'manager' },
    );
    expect(rest.body.catalog).toEqual([{ sku: 'SKU-H', name: 'History', priceCents: 1999, currency: 'EUR' }]);
    expect(rest.body.nextCursor).toBeNull();
  });

  it('refuses safety stock for an unknown location and redefines a known one with 200', async () => {
    const unknown = await f.api.put('/v1/admin/safety-stock', { sku: 'SKU-A', location: 'store-404', qty: 1 });
    expect(unknown.status).toBe(422);
    expect(unknown.body).toMatchObject({ error: 'UnknownLocation' });
    const again = await f.api.post('/v1/admin/locations', {
      location: 'store-009',
      region: 'south',
      kind: 'store',
      name: 'Renamed',
      geo: { lat: 48.1, lon: 11.5 },
    });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({
      location: 'store-009',
      region: 'south',
      kind: 'store',
      name: 'Renamed',
      geo: { lat: 48.1, lon: 11.5 },
    });
  });

  it('rebuilds the views from the stream to the same figures', async () => {
    const before = await f.api.get('/v1/locations/store-002/stock', { as: 'manager' });
    const r = await f.api.post<{ messages: number; lastSeq: number }>('/v1/admin/rebuild', {});
    expect(r.status).toBe(200);
    expect(r.body.messages).toBeGreaterThan(10);
    expect(r.body.lastSeq).toBeGreaterThanOrEqual(r.body.messages);
    const after = await f.api.get('/v1/locations/store-002/stock', { as: 'manager' });
    expect(after.body).toEqual(before.body);
  });
});
