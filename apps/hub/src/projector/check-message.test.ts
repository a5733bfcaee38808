import { formatHlc, HUB_LOCATION, HUB_NODE, hlcZero } from '@stocknerve/domain';
import { eventFactory } from '@stocknerve/domain/testing';
import { hubEventSubject, storeEventSubject } from '@stocknerve/protocol';
import { describe, expect, it } from 'vitest';
import { checkMessage } from './check-message.js';

const regions: Record<string, string> = { 'store-1': 'north', 'store-2': 'south' };
const regionOf = (location: string) => regions[location];

const sale = (node = 'store-1-t1', location = 'store-1') =>
  eventFactory({ location, node }).next({
    type: 'SaleRecorded',
    data: {
      receiptId: 'r-1',
      currency: 'EUR',
      lines: [{ sku: 'SKU-1', qty: 1, unitPriceCents: 250 }],
      totalCents: 250,
    },
  });

const check = (subject: string, event: object) => checkMessage(subject, JSON.stringify(event), regionOf);
const reasonOf = (subject: string, event: object) => {
  const checked = check(subject, event);
  return checked.ok ? 'ok' : checked.reason;
};

describe('checkMessage', () => {
  it("takes a store's event on its own subject", () => {
    const event = sale();
    expect(check(storeEventSubject('north', 'store-1', 'store-1-t1'), event)).toEqual({ ok: true, event });
  });

  it('takes a sale with tenders (v2) and a sale stored before tenders (v1), which it reads as v2', () => {
    const subject = storeEventSubject('north', 'store-1', 'store-1-t1');
    const paid = {
      ...sale(),
      data: {
        ...sale().data,
        tenders: [
          { method: 'card', amountCents: 200 },
          { method: 'cash', amountCents: 50, givenCents: 100 },
        ],
      },
    };
    expect(check(subject, paid)).toEqual({ ok: true, event: paid });
    const v1 = { ...sale(), version: 1 };
    expect(check(subject, v1)).toEqual({ ok: true, event: { ...v1, version: 2 } });
    // Change on a card is nothing a till writes: the fast path leaves it to zod, which refuses it.
    const bad = { ...paid, data: { ...paid.data, tenders: [{ method: 'card', amountCents: 250, givenCents: 300 }] } };
    expect(reasonOf(subject, bad)).toBe('invalid-data');
  });

  it("dead-letters an event whose HLC another node made (even one whose id the node's extends)", () => {
    const subject = storeEventSubject('north', 'store-1', 'store-1-t1');
    for (const other of ['store-1-t2', 'store-1-t1-x', 'tore-1-t1', 'x-store-1-t1']) {
      const event = { ...sale(), hlc: formatHlc({ ...hlcZero(other), wallMs: 5, counter: 1 }) };
      expect(reasonOf(subject, event), other).toBe('invalid-envelope');
    }
  });

  it('judges each message by its own subject, also when a subject comes back', () => {
    const own = storeEventSubject('north', 'store-1', 'store-1-t1');
    const other = storeEventSubject('north', 'store-1', 'store-1-t2');
    const wrongRegion = storeEventSubject('south', 'store-1', 'store-1-t1');
    for (let round = 0; round < 2; round++) {
      expect(reasonOf(own, sale())).toBe('ok');
      expect(reasonOf(other, sale())).toBe('subject-mismatch');
      expect(reasonOf(wrongRegion, sale())).toBe('subject-mismatch');
      expect(reasonOf('inv.v1.evt.north.store-1', sale())).toBe('subject-mismatch');
      expect(reasonOf(hubEventSubject(), sale())).toBe('subject-mismatch');
    }
  });

  it('dead-letters an event of a location the hub does not know', () => {
    const event = sale('store-9-t1', 'store-9');
    expect(reasonOf(storeEventSubject('north', 'store-9', 'store-9-t1'), event)).toBe('unknown-location');
  });

  it("takes the hub's own facts on the hub subject only", () => {
    const fact = eventFactory({ location: HUB_LOCATION, node: HUB_NODE }).next({
      type: 'LocationDefined',
      data: { location: 'store-3', region: 'east', kind: 'store', name: 'Store 3' },
    });
    expect(reasonOf(hubEventSubject(), fact)).toBe('ok');
    expect(reasonOf(storeEventSubject('north', 'store-1', 'store-1-t1'), fact)).toBe('subject-mismatch');
  });

  it("takes a group of the hub's facts on the hub subject, all or nothing", () => {
    const hub = eventFactory({ location: HUB_LOCATION, node: HUB_NODE });
    const define = (location: string) =>
      hub.next({ type: 'LocationDefined', data: { location, region: 'east', kind: 'store', name: location } });
    const group = [define('store-3'), define('store-4')];
    expect(check(hubEventSubject(), { prev: 'e-1', events: group })).toEqual({ ok: true, group, prev: 'e-1' });
    // A store's fact in a hub group, or a group on a store subject, is refused whole.
    expect(reasonOf(hubEventSubject(), { prev: null, events: [define('store-5'), sale()] })).toBe('subject-mismatch');
    expect(reasonOf(storeEventSubject('north', 'store-1', 'store-1-t1'), { prev: null, events: [sale()] })).toBe(
      'invalid-envelope',
    );
    expect(reasonOf(hubEventSubject(), { prev: null, events: [] })).toBe('invalid-envelope');
    expect(checkMessage(hubEventSubject(), '{"prev":null,"events":[', regionOf)).toMatchObject({
      ok: false,
      reason: 'invalid-json',
    });
  });
});
