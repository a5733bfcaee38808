import { HUB_LOCATION, HUB_NODE, type InventoryEvent } from '@stocknerve/domain';
import { eventFactory } from '@stocknerve/domain/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emptyEffects, ViewWriter } from '../projector/view-writer.js';
import { ensureViewSchema } from '../store/schema.js';
import { openSqliteStore } from '../store/sql-store.js';
import { availabilityJsonOf, availabilityOf } from './availability.js';
import type { FreshnessPolicy } from './freshness.js';

const T0 = Date.UTC(2026, 5, 1, 12);
const SKUS = ['sku-1', 'sku-2', 'sku-3'];
const STORES = ['store-1', 'store-2', 'store-3'];

/**
 * A hub's views after: three stores defined (one never heard from), goods received, sales, and the
 * hub's allocation rules and reservations drawn at random.
 */
const viewsArb = fc.record({
  received: fc.array(fc.tuple(fc.constantFrom(...STORES.slice(0, 2)), fc.constantFrom(...SKUS), fc.nat(20)), {
    maxLength: 6,
  }),
  sold: fc.array(
    fc.tuple(fc.constantFrom(...STORES.slice(0, 2)), fc.constantFrom(...SKUS), fc.integer({ min: 1, max: 5 })),
    {
      maxLength: 4,
    },
  ),
  rules: fc.array(
    fc.tuple(
      fc.constantFrom('web', 'marketplace'),
      fc.option(fc.constantFrom(...SKUS)),
      fc.oneof(
        fc.record({ kind: fc.constant('cap' as const), cap: fc.nat(10) }),
        fc.record({ kind: fc.constant('share' as const), share: fc.double({ min: 0, max: 1, noNaN: true }) }),
      ),
    ),
    { maxLength: 3 },
  ),
  reserved: fc.array(
    fc.tuple(fc.constantFrom('web', 'marketplace'), fc.option(fc.constantFrom(...STORES)), fc.constantFrom(...SKUS)),
    { maxLength: 3 },
  ),
});

const policyArb: fc.Arbitrary<FreshnessPolicy> = fc.record({
  staleAfterMs: fc.constantFrom(1_000, 300_000),
  stalePolicy: fc.constantFrom('buffer' as const, 'exclude' as const),
  staleBufferUnits: fc.nat(3),
});

describe('availability answers as JSON', () => {
  it('are byte for byte JSON.stringify of the answers, whatever the stock, rules, reservations and trust', () => {
    fc.assert(
      fc.property(
        viewsArb,
        policyArb,
        fc.subarray(['web', 'marketplace'], { minLength: 1 }),
        (views, policy, channels) => {
          const db = openSqliteStore(':memory:');
          ensureViewSchema(db);
          const writer = new ViewWriter(db);
          const hub = eventFactory({ location: HUB_LOCATION, node: HUB_NODE, startMs: T0 - 600_000 });
          const tills = new Map(
            STORES.map((s) => [s, eventFactory({ location: s, node: `${s}-t1`, startMs: T0 - 60_000 })]),
          );
          const till = (store: string) => {
            const factory = tills.get(store);
            if (!factory) throw new Error(`no till at ${store}`);
            return factory;
          };
          const events: InventoryEvent[] = STORES.map((location, i) =>
            hub.next({
              type: 'LocationDefined',
              data: { location, region: `region-${i}`, kind: 'store', name: `Store ${i}` },
            }),
          );
          for (const [i, [store, sku, qty]] of views.received.entries())
            if (qty > 0)
              events.push(
                till(store).next({
                  type: 'GoodsReceived',
                  data: { purchaseOrderId: `po-${i}`, lines: [{ sku, qty }] },
                }),
              );
          for (const [i, [store, sku, qty]] of views.sold.entries())
            events.push(
              till(store).next({
                type: 'SaleRecorded',
                data: {
                  receiptId: `r-${i}`,
                  currency: 'EUR',
                  totalCents: qty * 100,
                  lines: [{ sku, qty, unitPriceCents: 100 }],
                },
              }),
            );
          for (const [channel, sku, rule] of views.rules)
            events.push(hub.next({ type: 'ChannelAllocationSet', data: { channel, sku, rule } }));
          for (const [i, [channel, location, sku]] of views.reserved.entries())
            events.push(
              hub.next({
                type: 'ReservationPlaced',
                data: {
                  reservationId: `res-${i}`,
                  channel,
                  location,
                  lines: [{ sku, qty: 1 }],
                  expiresAt: new Date(T0 + 600_000).toISOString(),
                  idempotencyKey: `k-${i}`,
                },
              }),
            );
          db.transaction(() => {
            for (const [i, e] of events.entries()) writer.apply(e, i + 1, T0 - 30_000 + i, emptyEffects());
            writer.flushPending();
          });
          // A clock past the answers' age bound each time: both are computed, not remembered.
          for (const nowMs of [T0, T0 + 5_000]) {
            const answers = availabilityOf(db, policy, nowMs, [...SKUS, 'sku-unknown'], channels);
            const json = availabilityJsonOf(db, policy, nowMs, [...SKUS, 'sku-unknown'], channels);
            expect(json.map((b) => b.toString('utf8'))).toEqual(answers.map((a) => JSON.stringify(a)));
          }
          db.close();
        },
      ),
      { numRuns: 60 },
    );
  });
});
