import type { StoreCommand } from '@stocknerve/domain';
import {
  KV_BUCKETS,
  type KvBucket,
  type KvValue,
  type LocationValue,
  type PickupValue,
  type StockValue,
} from '@stocknerve/protocol';
import { type LocalDb, openLocalDb, type ProjectionDoc, SyncClient } from '@stocknerve/sync';
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CommandRunner } from './commands.js';
import { LocalView } from './local-view.js';

const identity = { node: 'store-1-t1', location: 'store-1', region: 'north' };
let dbCount = 0;
let db: LocalDb;
let sync: SyncClient;
let view: LocalView;
let runner: CommandRunner;

const AS_OF = '2026-01-01T00:00:00.000Z';

/** A value as the hub publishes it, stored as the node's KV replica stores it. */
const projection = <B extends KvBucket>(bucket: B, key: string, value: KvValue<B>): ProjectionDoc => ({
  id: `${KV_BUCKETS[bucket]}:${key}`,
  bucket: KV_BUCKETS[bucket],
  key,
  value,
  revision: 1,
  asOf: AS_OF,
  pulledAt: 0,
});

const store = (location: string, name: string): LocationValue => ({
  location,
  region: 'north',
  kind: 'store',
  name,
  asOf: AS_OF,
});

const stock = (location: string, figures: Omit<StockValue, 'location' | 'sku' | 'lastHlc' | 'asOf'>): StockValue => ({
  location,
  sku: 'SKU-1',
  ...figures,
  lastHlc: null,
  asOf: AS_OF,
});

const pickupValue = (pickupId: string, location: string): PickupValue => ({
  pickupId,
  order: { channel: 'web', location, orderRef: `WEB-${pickupId}`, lines: [{ sku: 'SKU-1', qty: 1 }] },
  picked: false,
  completion: null,
  status: 'placed',
  placedAt: AS_OF,
  asOf: AS_OF,
});

const run = (command: StoreCommand) => runner.run(() => ({ command, correlationId: 'c-1' }));
const sale = (qty: number) =>
  runner.run((v) => {
    const receiptId = v.nextReceiptId();
    return {
      correlationId: receiptId,
      command: {
        type: 'RecordSale',
        data: { receiptId, currency: 'EUR', lines: [{ sku: 'SKU-1', qty, unitPriceCents: 100 }] },
      },
    };
  });

beforeEach(async () => {
  // RxDB's memory storage: same collections and queries as Dexie in the browser, no IndexedDB.
  db = await openLocalDb({ name: `commands-test-${process.pid}-${++dbCount}`, storage: getRxStorageMemory() });
  await db.projections.bulkUpsert([
    projection('locations', 'store-1', store('store-1', 'One')),
    projection('locations', 'store-2', store('store-2', 'Two')),
    projection(
      'stock',
      'store-1.SKU-1',
      stock('store-1', { onHand: 10, reserved: 1, damaged: 0, inTransit: 0, safetyStock: 0, available: 9 }),
    ),
    projection(
      'stock',
      'store-2.SKU-1',
      stock('store-2', { onHand: 4, reserved: 0, damaged: 1, inTransit: 2, safetyStock: 0, available: 4 }),
    ),
    projection('pickups', 'store-1.pk-1', pickupValue('pk-1', 'store-1')),
    projection('pickups', 'store-1.pk-2', pickupValue('pk-2', 'store-2')),
  ]);
  // No NATS at all: every command must work offline.
  sync = new SyncClient({
    identity,
    db,
    restoreWhenEmpty: false,
    connect: () => Promise.reject(new Error('offline')),
  });
  await sync.start();
  view = new LocalView(db, identity);
  view.init(await sync.log.all());
  runner = new CommandRunner(sync, view, identity);
});

afterEach(async () => {
  await sync.stop();
  await db.remove();
});

describe('commands through decideStoreCommand and the local view, offline', () => {
  it('numbers receipts per terminal, also after a restart', async () => {
    const first = await sale(2);
    const second = await sale(1);
    expect(first.ok && first.events[0]?.type === 'SaleRecorded' && first.events[0].data.receiptId).toBe(
      'store-1-t1-000001',
    );
    expect(second.ok && second.events[0]?.type === 'SaleRecorded' && second.events[0].data.totalCents).toBe(100);
    const restarted = new LocalView(db, identity);
    restarted.init(await sync.log.all());
    expect(restarted.nextReceiptId()).toBe('store-1-t1-000003');
    expect(sync.status.pending).toBeGreaterThanOrEqual(0);
    expect((await sync.log.pending(10)).map((d) => d.seq)).toEqual([1, 2]);
  });

  it('refuses a return beyond what the receipt sold, counting earlier returns', async () => {
    await sale(1);
    const ret = (returnId: string, qty: number) =>
      run({
        type: 'RecordReturn',
        data: { returnId, receiptId: 'store-1-t1-000001', lines: [{ sku: 'SKU-1', qty, restockTo: 'damaged' }] },
      });
    expect(await ret('RET-1', 2)).toMatchObject({ ok: false, code: 'ReturnExceedsSale' });
    expect(await ret('RET-2', 1)).toMatchObject({ ok: true });
    expect(await ret('RET-3', 1)).toMatchObject({ ok: false, code: 'ReturnExceedsSale' });
  });

  it('validates data before deciding', async () => {
    const outcome = await run({
      type: 'ShipTransfer',
      data: { transferId: 'T-1', to: 'store-2', lines: [{ sku: 'SKU-1', qty: 0 }] },
    });
    expect(outcome).toMatchObject({ ok: false, code: 'Invalid' });
    expect(!outcome.ok && outcome.message).toMatch(/lines\.0\.qty/);
  });

  it('checks transfers against the pulled locations', async () => {
    const ship = (to: string) =>
      run({ type: 'ShipTransfer', data: { transferId: `T-${to}`, to, lines: [{ sku: 'SKU-1', qty: 1 }] } });
    expect(await ship('store-1')).toMatchObject({ ok: false, code: 'TransferToSelf' });
    expect(await ship('store-9')).toMatchObject({ ok: false, code: 'UnknownLocation' });
    expect(await ship('store-2')).toMatchObject({ ok: true });
  });

  it('decides pickups from the pulled orders overlaid with this node’s own actions', async () => {
    expect(await run({ type: 'PickPickup', data: { pickupId: 'pk-1' } })).toMatchObject({ ok: true });
    const handOver = await run({ type: 'HandOverPickup', data: { pickupId: 'pk-1' } });
    expect(handOver.ok && handOver.events[0]).toMatchObject({
      type: 'PickupHandedOver',
      data: { lines: [{ sku: 'SKU-1', qty: 1 }] },
    });
    // The hub still says "placed" (offline): the node's own hand-over counts.
    expect(await run({ type: 'HandOverPickup', data: { pickupId: 'pk-1' } })).toMatchObject({
      ok: false,
      code: 'PickupNotOpen',
    });
    expect(await run({ type: 'HandOverPickup', data: { pickupId: 'pk-2' } })).toMatchObject({
      ok: false,
      code: 'PickupNotAtThisLocation',
    });
    expect(await run({ type: 'PickPickup', data: { pickupId: 'pk-404' } })).toMatchObject({
      ok: false,
      code: 'UnknownPickup',
    });
  });

  it('gives the deciders this store’s figures with local events and other stores’ as pulled', async () => {
    await sale(3);
    const snapshot = await view.snapshot();
    expect(snapshot.stock('SKU-1', 'store-1')).toMatchObject({ onHand: 7, reserved: 1 });
    expect(snapshot.stock('SKU-1', 'store-2')).toEqual({
      onHand: 4,
      reserved: 0,
      damaged: 1,
      inTransit: 2,
      safetyStock: 0,
    });
    expect(snapshot.location('store-2')?.name).toBe('Two');
    expect(snapshot.receipt('store-1', 'store-1-t1-000001')?.sold.get('SKU-1')).toBe(3);
  });
});
