import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { fieldIssues } from '../events/issues.js';
import { initialInventoryState } from '../projection/state.js';
import { inventoryView } from '../projection/view.js';
import { stampEvent } from '../stamp.js';
import {
  DefineLocationData,
  PlacePickupOrderData,
  PlaceReservationData,
  ReleaseReservationData,
  ReservationRef,
  SetChannelAllocationData,
  SetSafetyStockData,
  UpsertCatalogItemData,
} from './hub-commands.js';
import { decideHubCommand } from './hub-decider.js';
import {
  AdjustStockData,
  PickupRef,
  ReceiveGoodsData,
  ReceiveTransferData,
  RecordCountData,
  RecordReturnData,
  RecordSaleData,
  RejectPickupData,
  ShipTransferData,
  type StoreCommand,
} from './store-commands.js';
import { decideStoreCommand } from './store-decider.js';

// The command data schemas are what the store-node UI and the hub's HTTP API validate before
// deciding: bad data is refused there, with the field named.

const lines = [
  { sku: 'SKU-1', qty: 2 },
  { sku: 'SKU-2', qty: 1 },
];

const commands: [string, z.ZodType, Record<string, unknown>][] = [
  [
    'RecordSaleData',
    RecordSaleData,
    { receiptId: 'R-1', currency: 'EUR', lines: lines.map((l) => ({ ...l, unitPriceCents: 250 })) },
  ],
  [
    'RecordReturnData',
    RecordReturnData,
    { returnId: 'RET-1', receiptId: 'R-1', lines: lines.map((l) => ({ ...l, restockTo: 'damaged' })) },
  ],
  [
    'ReceiveGoodsData',
    ReceiveGoodsData,
    { purchaseOrderId: 'PO-1', lines: [{ sku: 'SKU-1', qty: 3, expectedQty: 4 }] },
  ],
  ['ShipTransferData', ShipTransferData, { transferId: 'T-1', to: 'store-2', lines }],
  ['ReceiveTransferData', ReceiveTransferData, { transferId: 'T-1', from: 'store-2', lines }],
  [
    'AdjustStockData',
    AdjustStockData,
    { adjustmentId: 'A-1', reason: 'theft', note: 'n', lines: [{ sku: 'SKU-1', delta: -1 }] },
  ],
  ['RecordCountData', RecordCountData, { countId: 'C-1', area: 'a', lines: [{ sku: 'SKU-1', countedQty: 0 }] }],
  ['PickupRef', PickupRef, { pickupId: 'P-1' }],
  [
    'RejectPickupData',
    RejectPickupData,
    { pickupId: 'P-1', reason: 'damaged', note: 'n', missing: [{ sku: 'SKU-1', qty: 1 }] },
  ],
  [
    'PlaceReservationData',
    PlaceReservationData,
    {
      reservationId: 'RES-1',
      channel: 'web',
      location: 'store-1',
      lines,
      expiresAt: '2026-01-02T00:00:00.000Z',
      idempotencyKey: 'K-1',
    },
  ],
  ['ReservationRef', ReservationRef, { reservationId: 'RES-1' }],
  ['ReleaseReservationData', ReleaseReservationData, { reservationId: 'RES-1', reason: 'fulfilled' }],
  [
    'PlacePickupOrderData',
    PlacePickupOrderData,
    { pickupId: 'P-1', channel: 'web', location: 'store-1', orderRef: 'W-1', customerName: 'Ada', lines },
  ],
  [
    'DefineLocationData',
    DefineLocationData,
    { location: 'store-1', region: 'north', kind: 'store', name: 'One', geo: { lat: 1, lon: 2 } },
  ],
  [
    'UpsertCatalogItemData',
    UpsertCatalogItemData,
    { sku: 'SKU-1', name: 'Mug', barcode: '4006381333931', priceCents: 1, currency: 'EUR', category: 'c' },
  ],
  ['SetSafetyStockData', SetSafetyStockData, { sku: 'SKU-1', location: 'store-1', qty: 0 }],
  ['SetChannelAllocationData', SetChannelAllocationData, { channel: 'web', sku: null, rule: { kind: 'cap', cap: 5 } }],
];

const pathsOf = (schema: z.ZodType, data: unknown): string[] => {
  const result = schema.safeParse(data);
  return result.success ? [] : fieldIssues(result.error).map((i) => i.path);
};
const names = (paths: string[], field: string) => paths.some((p) => p === field || p.startsWith(`${field}.`));

describe.each(commands)('%s', (_, schema, valid) => {
  it('accepts valid data', () => {
    expect(pathsOf(schema, valid)).toEqual([]);
  });

  it.each(Object.keys(valid))('rejects %s of the wrong type, naming it', (field) => {
    expect(names(pathsOf(schema, { ...valid, [field]: true }), field)).toBe(true);
  });

  it.each(Object.keys(valid))('rejects %s missing unless it is optional', (field) => {
    const { [field]: _dropped, ...rest } = valid;
    const shape = (schema as unknown as { shape: Record<string, z.ZodType> }).shape;
    const optional = shape[field]?.safeParse(undefined).success;
    expect(names(pathsOf(schema, rest), field)).toBe(!optional);
  });
});

describe.each(commands.filter(([, , valid]) => Array.isArray(valid.lines)))('lines of %s', (_, schema, valid) => {
  const [first] = valid.lines as object[];

  it('rejects empty lines and a SKU twice', () => {
    expect(pathsOf(schema, { ...valid, lines: [] })).toEqual(['lines']);
    expect(pathsOf(schema, { ...valid, lines: [first, first] })).toEqual(['lines']);
  });

  it('rejects a bad SKU in a line', () => {
    expect(pathsOf(schema, { ...valid, lines: [{ ...first, sku: 'no spaces please' }] })).toEqual(['lines.0.sku']);
  });
});

describe('specific command rules', () => {
  it.each([
    [
      'a negative quantity',
      'lines.0.qty',
      ShipTransferData,
      { transferId: 'T', to: 'x', lines: [{ sku: 'S', qty: -1 }] },
    ],
    [
      'a fractional quantity',
      'lines.0.qty',
      RecordSaleData,
      { receiptId: 'R', currency: 'EUR', lines: [{ sku: 'S', qty: 1.5, unitPriceCents: 1 }] },
    ],
    [
      'a negative price',
      'lines.0.unitPriceCents',
      RecordSaleData,
      { receiptId: 'R', currency: 'EUR', lines: [{ sku: 'S', qty: 1, unitPriceCents: -1 }] },
    ],
    [
      'a currency that is not ISO 4217',
      'currency',
      RecordSaleData,
      { receiptId: 'R', currency: 'eur', lines: [{ sku: 'S', qty: 1, unitPriceCents: 1 }] },
    ],
    [
      'a return to nowhere',
      'lines.0.restockTo',
      RecordReturnData,
      { returnId: 'R', lines: [{ sku: 'S', qty: 1, restockTo: 'bin' }] },
    ],
    [
      'a zero adjustment',
      'lines.0.delta',
      AdjustStockData,
      { adjustmentId: 'A', reason: 'found', lines: [{ sku: 'S', delta: 0 }] },
    ],
    [
      'an adjustment beyond 1,000,000',
      'lines.0.delta',
      AdjustStockData,
      { adjustmentId: 'A', reason: 'found', lines: [{ sku: 'S', delta: 1_000_001 }] },
    ],
    [
      'an adjustment below -1,000,000',
      'lines.0.delta',
      AdjustStockData,
      { adjustmentId: 'A', reason: 'theft', lines: [{ sku: 'S', delta: -1_000_001 }] },
    ],
    [
      'an unknown adjustment reason',
      'reason',
      AdjustStockData,
      { adjustmentId: 'A', reason: 'magic', lines: [{ sku: 'S', delta: 1 }] },
    ],
    [
      'a negative count',
      'lines.0.countedQty',
      RecordCountData,
      { countId: 'C', lines: [{ sku: 'S', countedQty: -1 }] },
    ],
    [
      'a count beyond 10,000,000',
      'lines.0.countedQty',
      RecordCountData,
      { countId: 'C', lines: [{ sku: 'S', countedQty: 10_000_001 }] },
    ],
    [
      'a missing line beyond 1,000,000',
      'missing.0.qty',
      RejectPickupData,
      { pickupId: 'P', reason: 'other', missing: [{ sku: 'S', qty: 1_000_001 }] },
    ],
    ['an unknown pickup rejection reason', 'reason', RejectPickupData, { pickupId: 'P', reason: 'bored' }],
    [
      'a negative receipt quantity on a transfer',
      'lines.0.qty',
      ReceiveTransferData,
      { transferId: 'T', from: 'x', lines: [{ sku: 'S', qty: -1 }] },
    ],
    [
      'an expiry that is not a date-time',
      'expiresAt',
      PlaceReservationData,
      { reservationId: 'R', channel: 'web', location: null, lines, expiresAt: 'tomorrow', idempotencyKey: 'K' },
    ],
    [
      'an empty idempotency key',
      'idempotencyKey',
      PlaceReservationData,
      {
        reservationId: 'R',
        channel: 'web',
        location: null,
        lines,
        expiresAt: '2026-01-02T00:00:00Z',
        idempotencyKey: '',
      },
    ],
    [
      'a channel with capitals',
      'channel',
      PlacePickupOrderData,
      { pickupId: 'P', channel: 'Web', location: 'store-1', orderRef: 'O', lines },
    ],
    [
      'an empty order reference',
      'orderRef',
      PlacePickupOrderData,
      { pickupId: 'P', channel: 'web', location: 'store-1', orderRef: '', lines },
    ],
    [
      'a latitude beyond 90',
      'geo.lat',
      DefineLocationData,
      { location: 'l', region: 'r', kind: 'store', name: 'n', geo: { lat: 91, lon: 0 } },
    ],
    [
      'a bad barcode',
      'barcode',
      UpsertCatalogItemData,
      { sku: 'S', name: 'n', barcode: '12', priceCents: 1, currency: 'EUR' },
    ],
    ['a safety stock beyond 1,000,000', 'qty', SetSafetyStockData, { sku: 'S', location: 'l', qty: 1_000_001 }],
    [
      'a share above 1',
      'rule.share',
      SetChannelAllocationData,
      { channel: 'web', sku: null, rule: { kind: 'share', share: 2 } },
    ],
  ] as [string, string, z.ZodType, unknown][])('rejects %s, naming %s', (_, path, schema, data) => {
    expect(pathsOf(schema, data)).toContain(path);
  });

  it('accepts a network-wide reservation (location null)', () => {
    expect(pathsOf(PlaceReservationData, { ...commands[9]?.[2], location: null })).toEqual([]);
  });
});

describe('a command its schema accepts can always be stored', () => {
  const envelope = {
    id: '019b76da-a800-7000-8000-000000000000',
    location: 'store-1',
    node: 'store-1-t1',
    seq: 1,
    hlc: '001767225600000-000000-store-1-t1',
    occurredAt: '2026-01-01T00:00:00.000Z',
    correlationId: 'corr-1',
  };
  const meta = { now: Date.UTC(2026, 0, 1), location: 'store-1', node: 'store-1-t1' };
  const view = inventoryView(initialInventoryState());

  it.each([
    [
      'AdjustStock',
      AdjustStockData,
      {
        adjustmentId: 'A',
        reason: 'correction',
        lines: [
          { sku: 'S', delta: 1_000_000 },
          { sku: 'T', delta: -1_000_000 },
        ],
      },
    ],
    ['RecordCount', RecordCountData, { countId: 'C', lines: [{ sku: 'S', countedQty: 10_000_000 }] }],
  ] as const)('%s at the limits of its schema', (type, schema, data) => {
    const parsed = schema.parse(data);
    const decision = decideStoreCommand({ type, data: parsed } as StoreCommand, view, meta);
    if (!decision.ok) throw new Error(decision.message);
    for (const decided of decision.events) expect(() => stampEvent(decided, envelope)).not.toThrow();
  });

  it('SetSafetyStock at the limit of its schema', () => {
    const data = SetSafetyStockData.parse({ sku: 'S', location: 'store-1', qty: 1_000_000 });
    const decision = decideHubCommand({ type: 'SetSafetyStock', data }, view, meta);
    if (!decision.ok) throw new Error(decision.message);
    for (const decided of decision.events) expect(() => stampEvent(decided, envelope)).not.toThrow();
  });
});
