import { describe, expect, it } from 'vitest';
import { eventFactory } from '../testing/event-factory.js';
import { acceptedEvents, encodeEventGroup, MAX_GROUP_EVENTS, parseMessageEvents } from './event-group.js';

const hub = eventFactory({ location: 'hub', node: 'hub' });
const defined = (location: string) =>
  hub.next({ type: 'LocationDefined', data: { location, region: 'north', kind: 'store', name: location } });

describe('the events of a stream message', () => {
  it('reads a single event (a store message, or a hub message written before groups)', () => {
    const event = defined('store-1');
    expect(parseMessageEvents(JSON.parse(JSON.stringify(event)))).toEqual({ ok: true, events: [event] });
  });

  it('reads a group back in the order it was encoded, with the event it follows', () => {
    const events = [defined('store-1'), defined('store-2'), defined('store-3')];
    expect(parseMessageEvents(JSON.parse(encodeEventGroup(events, 'e-0')))).toEqual({ ok: true, events, prev: 'e-0' });
    expect(parseMessageEvents(JSON.parse(encodeEventGroup(events, null)))).toMatchObject({ ok: true, prev: null });
  });

  it('refuses an empty group, one over the limit, and one without a valid prev', () => {
    expect(parseMessageEvents({ prev: null, events: [] })).toMatchObject({ ok: false, reason: 'invalid-envelope' });
    const many = Array.from({ length: MAX_GROUP_EVENTS + 1 }, () => ({}));
    expect(parseMessageEvents({ prev: null, events: many })).toMatchObject({
      ok: false,
      message: expect.stringMatching(/1 to 1000 events/),
    });
    expect(parseMessageEvents({ prev: 7, events: [defined('store-1')] })).toMatchObject({
      ok: false,
      issues: [{ path: 'prev' }],
    });
  });

  it('refuses the whole group for one bad event, naming its place', () => {
    const bad = { ...JSON.parse(JSON.stringify(defined('store-2'))), data: { location: 'store-2' } };
    const result = parseMessageEvents({ prev: null, events: [JSON.parse(JSON.stringify(defined('store-1'))), bad] });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.message).toMatch(/^event \[1\] of the group: /);
    expect(result.issues.every((i) => i.path.startsWith('events[1].'))).toBe(true);
  });
});

describe('the events a fold applies', () => {
  const define = (writer: ReturnType<typeof eventFactory>, location: string) =>
    writer.next({ type: 'LocationDefined', data: { location, region: 'north', kind: 'store', name: location } });

  it("takes hub groups only while they continue the hub's chain, and each event once", () => {
    const leader = eventFactory({ location: 'hub', node: 'hub' });
    const a1 = define(leader, 'a1');
    const [a2, a3] = [define(leader, 'a2'), define(leader, 'a3')];
    // A deposed leader's late group follows a1 too; the one it decided on top of it follows that.
    const deposed = eventFactory({ location: 'hub', node: 'hub', startMs: Date.UTC(2026, 0, 2) });
    define(deposed, 'x');
    const late = [define(deposed, 'l2'), define(deposed, 'l3')];
    const onTop = [define(deposed, 'l4')];
    const a4 = define(leader, 'a4');
    const store = eventFactory({ location: 'store-1', node: 'store-1-t1' }).next({
      type: 'GoodsReceived',
      data: { purchaseOrderId: 'po', lines: [{ sku: 'S', qty: 1 }] },
    });
    const accepted = acceptedEvents([
      { events: [a1] },
      { events: [a2, a3], prev: a1.id },
      { events: late, prev: a1.id },
      { events: onTop, prev: late[1]?.id ?? '' },
      { events: [store] },
      { events: [store] },
      { events: [a4], prev: a3.id },
      { events: [a2, a3], prev: a1.id },
    ]);
    expect(accepted.map((e) => e.id)).toEqual([a1.id, a2.id, a3.id, store.id, a4.id]);
  });

  it('takes single hub events (written before groups) in the order of their seqs', () => {
    const leader = eventFactory({ location: 'hub', node: 'hub' });
    const [e1, e2, e3] = [define(leader, 'a'), define(leader, 'b'), define(leader, 'c')];
    expect(acceptedEvents([{ events: [e1] }, { events: [e3] }, { events: [e2] }]).map((e) => e.id)).toEqual([
      e1.id,
      e2.id,
    ]);
  });
});
