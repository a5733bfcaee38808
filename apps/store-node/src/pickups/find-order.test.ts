import { describe, expect, it } from 'vitest';
import { matchesOrder, orderFor } from './find-order.js';
import type { OpenPickup } from './held-units.js';

const order = (orderRef: string, customerName?: string) =>
  ({
    pickup: {
      pickupId: `pk-${orderRef}`,
      order: { orderRef, channel: 'web', location: 'store-1', lines: [], ...(customerName ? { customerName } : {}) },
      picked: false,
      completion: null,
    },
    placedAt: null,
  }) as unknown as OpenPickup;

describe('finding a pickup order at the desk', () => {
  const orders = [order('WEB-1', 'Grace Hopper'), order('WEB-10', 'Alan Turing'), order('APP-7')];

  it('matches part of the order number or of the name, in any case; an empty search matches all', () => {
    expect(orders.filter((o) => matchesOrder(o, 'web-1')).map((o) => o.pickup.order.orderRef)).toEqual([
      'WEB-1',
      'WEB-10',
    ]);
    expect(orders.filter((o) => matchesOrder(o, ' turing ')).map((o) => o.pickup.order.orderRef)).toEqual(['WEB-10']);
    expect(orders.filter((o) => matchesOrder(o, '')).length).toBe(3);
  });

  it('a scanned number points at its order even when it is part of another one', () => {
    expect(orderFor(orders, 'WEB-1')?.pickup.order.orderRef).toBe('WEB-1');
    expect(orderFor(orders, 'grace')?.pickup.order.orderRef).toBe('WEB-1');
    expect(orderFor(orders, 'WEB')).toBeUndefined();
    expect(orderFor(orders, 'nobody')).toBeUndefined();
    expect(orderFor(orders, '  ')).toBeUndefined();
  });
});
