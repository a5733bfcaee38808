import { describe, expect, it } from 'vitest';
import { HUB_LOCATION, HUB_NODE } from '../events/envelope.js';
import type { InventoryEvent } from '../events/registry.js';
import { eventFactory } from '../testing/event-factory.js';
import { foldEvents } from './apply-event.js';
import { availableOf, channelAtp, offerableOf } from './quantities.js';
import { initialInventoryState } from './state.js';
import { inventoryView } from './view.js';

const figures = (onHand: number, reserved: number, safetyStock: number) => ({
  onHand,
  reserved,
  damaged: 0,
  inTransit: 0,
  safetyStock,
});

describe('availableOf and offerableOf', () => {
  it('available is on hand − reserved − safety stock, negative when short', () => {
    expect(availableOf(figures(10, 3, 2))).toBe(5);
    expect(availableOf(figures(2, 3, 1))).toBe(-2);
  });

  it('offerable never goes below zero', () => {
    expect(offerableOf(figures(10, 3, 2))).toBe(5);
    expect(offerableOf(figures(2, 3, 1))).toBe(0);
  });
});

describe('channelAtp', () => {
  /** a: 10 on hand (2 safety), b: 4 on hand but 6 reserved there, c: 5 on hand; 3 held network-wide by web. */
  const view = () => {
    const hub = eventFactory({ location: HUB_LOCATION, node: HUB_NODE });
    const events: InventoryEvent[] = [];
    for (const [location, qty] of [
      ['a', 10],
      ['b', 4],
      ['c', 5],
    ] as const)
      events.push(
        eventFactory({ location, node: `${location}-t1` }).next({
          type: 'GoodsReceived',
          data: { purchaseOrderId: 'PO', lines: [{ sku: 'S', qty }] },
        }),
      );
    const hold = (reservationId: string, location: string | null, qty: number) =>
      hub.next({
        type: 'ReservationPlaced',
        data: {
          reservationId,
          channel: 'web',
          location,
          lines: [{ sku: 'S', qty }],
          expiresAt: '2026-02-01T00:00:00.000Z',
          idempotencyKey: reservationId,
        },
      });
    events.push(
      hub.next({ type: 'SafetyStockSet', data: { sku: 'S', location: 'a', qty: 2 } }),
      hold('R-b', 'b', 6),
      hold('R-net', null, 3),
    );
    return inventoryView(foldEvents(events, initialInventoryState()));
  };
  const all = ['a', 'b', 'c'];

  it('pools what each location can offer, minus network-wide holds, ignoring short locations', () => {
    const atp = channelAtp(view(), { channel: 'marketplace-a', sku: 'S', locations: all });
    expect(atp.perLocation.map((l) => [l.location, l.available, l.contributes])).toEqual([
      ['a', 8, 8],
      ['b', -2, 0],
      ['c', 5, 5],
    ]);
    expect(atp).toMatchObject({ pool: 10, atp: 10, allocationRemaining: null, rule: null });
  });

  it('applies the hub’s trust: a buffer shrinks a contribution, exclusion removes it', () => {
    const atp = channelAtp(view(), {
      channel: 'marketplace-a',
      sku: 'S',
      locations: all,
      trust: (l) => (l === 'a' ? { kind: 'buffer', units: 3 } : l === 'c' ? { kind: 'exclude' } : { kind: 'full' }),
    });
    expect(atp.perLocation.map((l) => l.contributes)).toEqual([5, 0, 0]);
    expect(atp.pool).toBe(2);
  });

  it('never reports a negative pool', () => {
    expect(channelAtp(view(), { channel: 'web', sku: 'S', locations: ['b'] }).pool).toBe(0);
  });

  it('limits a channel by its allocation, net of what it already holds', () => {
    const hub = eventFactory({ location: HUB_LOCATION, node: HUB_NODE, startMs: Date.UTC(2026, 0, 5) });
    const base = view();
    const withRule = (rule: { kind: 'share'; share: number } | { kind: 'cap'; cap: number }) => {
      const allocation = hub.next({ type: 'ChannelAllocationSet', data: { channel: 'web', sku: 'S', rule } });
      return {
        ...base,
        allocation: (channel: string, sku: string) =>
          channel === 'web' && sku === 'S' && allocation.type === 'ChannelAllocationSet'
            ? allocation.data.rule
            : undefined,
      };
    };
    // web holds 9 (6 at b + 3 network-wide); sellable = (10 − 2) + 4 + 5 = 17.
    expect(channelAtp(withRule({ kind: 'cap', cap: 12 }), { channel: 'web', sku: 'S', locations: all })).toMatchObject({
      allocationRemaining: 3,
      atp: 3,
    });
    expect(
      channelAtp(withRule({ kind: 'share', share: 0.6 }), { channel: 'web', sku: 'S', locations: all }),
    ).toMatchObject({
      allocationRemaining: 1,
      atp: 1,
    });
    expect(channelAtp(withRule({ kind: 'cap', cap: 5 }), { channel: 'web', sku: 'S', locations: all })).toMatchObject({
      allocationRemaining: 0,
      atp: 0,
    });
  });
});
