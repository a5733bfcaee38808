import { describe, it } from 'vitest';
import { HUB_LOCATION, HUB_NODE } from '../events/envelope.js';
import type { InventoryEvent } from '../events/registry.js';
import { eventFactory } from '../testing/event-factory.js';
import { givenHub } from '../testing/specs.js';

const NOW = Date.UTC(2026, 0, 2, 12);
const EXPIRES_AT = new Date(NOW + 60_000).toISOString();
const BEFORE_EXPIRY = { now: NOW };
const AT_EXPIRY = { now: NOW + 60_000 };

/** A reservation RES-1 placed at store-1, then taken through the given lifecycle events. */
const reservation = (...then: ('ReservationConfirmed' | 'ReservationReleased' | 'ReservationExpired')[]) => {
  const hub = eventFactory({ location: HUB_LOCATION, node: HUB_NODE });
  const store = eventFactory({ location: 'store-1', node: 'store-1-t1' });
  const events: InventoryEvent[] = [
    hub.next({ type: 'LocationDefined', data: { location: 'store-1', region: 'north', kind: 'store', name: 'One' } }),
    store.next({ type: 'GoodsReceived', data: { purchaseOrderId: 'PO-1', lines: [{ sku: 'SKU-1', qty: 5 }] } }),
    hub.next({
      type: 'ReservationPlaced',
      data: {
        reservationId: 'RES-1',
        channel: 'web',
        location: 'store-1',
        lines: [{ sku: 'SKU-1', qty: 2 }],
        expiresAt: EXPIRES_AT,
        idempotencyKey: 'K-1',
      },
    }),
  ];
  for (const type of then)
    events.push(
      type === 'ReservationReleased'
        ? hub.next({ type, data: { reservationId: 'RES-1', reason: 'cancelled' } })
        : hub.next({ type, data: { reservationId: 'RES-1' } }),
    );
  return events;
};

const RES_1 = { reservationId: 'RES-1' };
const UNKNOWN = { reservationId: 'RES-404' };

describe('ConfirmReservation', () => {
  it('confirms a placed reservation before it expires', () => {
    givenHub(reservation(), BEFORE_EXPIRY)
      .when({ type: 'ConfirmReservation', data: RES_1 })
      .thenEmits([{ type: 'ReservationConfirmed', data: RES_1 }]);
  });

  it('emits nothing when it is already confirmed', () => {
    givenHub(reservation('ReservationConfirmed'), AT_EXPIRY)
      .when({ type: 'ConfirmReservation', data: RES_1 })
      .thenEmits([]);
  });

  it('refuses a reservation past its expiry, even before the expiry is recorded', () => {
    givenHub(reservation(), AT_EXPIRY)
      .when({ type: 'ConfirmReservation', data: RES_1 })
      .thenRejects('ReservationNotActive', /expired at/);
  });

  it('refuses an expired reservation', () => {
    givenHub(reservation('ReservationExpired'), BEFORE_EXPIRY)
      .when({ type: 'ConfirmReservation', data: RES_1 })
      .thenRejects('ReservationNotActive', /expired/);
  });

  it('refuses a released reservation', () => {
    givenHub(reservation('ReservationReleased'), BEFORE_EXPIRY)
      .when({ type: 'ConfirmReservation', data: RES_1 })
      .thenRejects('ReservationNotActive', /released/);
  });

  it('refuses an unknown reservation', () => {
    givenHub(reservation(), BEFORE_EXPIRY)
      .when({ type: 'ConfirmReservation', data: UNKNOWN })
      .thenRejects('UnknownReservation', /RES-404/);
  });
});

describe('ReleaseReservation', () => {
  it.each([
    ['placed', reservation()],
    ['confirmed', reservation('ReservationConfirmed')],
  ])('releases a %s reservation', (_, events) => {
    givenHub(events, AT_EXPIRY)
      .when({ type: 'ReleaseReservation', data: { ...RES_1, reason: 'fulfilled' } })
      .thenEmits([{ type: 'ReservationReleased', data: { ...RES_1, reason: 'fulfilled' } }]);
  });

  it('emits nothing when it is already released', () => {
    givenHub(reservation('ReservationReleased'), BEFORE_EXPIRY)
      .when({ type: 'ReleaseReservation', data: { ...RES_1, reason: 'cancelled' } })
      .thenEmits([]);
  });

  it('refuses an expired reservation: its stock is already back', () => {
    givenHub(reservation('ReservationExpired'), AT_EXPIRY)
      .when({ type: 'ReleaseReservation', data: { ...RES_1, reason: 'cancelled' } })
      .thenRejects('ReservationNotActive', /expired/);
  });

  it('refuses an unknown reservation', () => {
    givenHub(reservation(), BEFORE_EXPIRY)
      .when({ type: 'ReleaseReservation', data: { ...UNKNOWN, reason: 'cancelled' } })
      .thenRejects('UnknownReservation');
  });
});

describe('ExpireReservation', () => {
  it('refuses a reservation that is not due yet', () => {
    givenHub(reservation(), { now: NOW + 59_999 })
      .when({ type: 'ExpireReservation', data: RES_1 })
      .thenRejects('ReservationNotDue', new RegExp(EXPIRES_AT));
  });

  it('expires a placed reservation once it is due', () => {
    for (const now of [NOW + 60_000, NOW + 3_600_000])
      givenHub(reservation(), { now })
        .when({ type: 'ExpireReservation', data: RES_1 })
        .thenEmits([{ type: 'ReservationExpired', data: RES_1 }]);
  });

  it('does not expire a confirmed reservation', () => {
    givenHub(reservation('ReservationConfirmed'), AT_EXPIRY)
      .when({ type: 'ExpireReservation', data: RES_1 })
      .thenEmits([]);
  });

  it.each([
    ['released', reservation('ReservationReleased')],
    ['already expired', reservation('ReservationExpired')],
  ])('emits nothing for a %s reservation', (_, events) => {
    givenHub(events, AT_EXPIRY).when({ type: 'ExpireReservation', data: RES_1 }).thenEmits([]);
  });

  it('refuses an unknown reservation', () => {
    givenHub(reservation(), AT_EXPIRY)
      .when({ type: 'ExpireReservation', data: UNKNOWN })
      .thenRejects('UnknownReservation');
  });
});
