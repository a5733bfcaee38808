import { describe, expect, it } from 'vitest';
import { eventFactory } from '../testing/event-factory.js';
import { encodeEventGroup, MAX_GROUP_EVENTS, parseMessageEvents } from './event-group.js';

const hub = eventFactory({ location: 'hub', node: 'hub' });
const defined = (location: string) =>
  hub.next({ type: 'LocationDefined', data: { location, region: 'north', kind: 'store', name: location } });

describe('the events of a stream message', () => {
  it('reads a single event (a store message, or a hub message written before groups)', () => {
    const event = defined('store-1');
    expect(parseMessageEvents(JSON.parse(JSON.stringify(event)))).toEqual({ ok: true, events: [event] });
  });

  it('reads a group back in the order it was encoded', () => {
    const events = [defined('store-1'), defined('store-2'), defined('store-3')];
    expect(parseMessageEvents(JSON.parse(encodeEventGroup(events)))).toEqual({ ok: true, events });
  });

  it('refuses an empty group and one over the limit', () => {
    expect(parseMessageEvents([])).toMatchObject({ ok: false, reason: 'invalid-envelope' });
    const many = Array.from({ length: MAX_GROUP_EVENTS + 1 }, () => ({}));
    expect(parseMessageEvents(many)).toMatchObject({ ok: false, message: expect.stringMatching(/1 to 1000 events/) });
  });

  it('refuses the whole group for one bad event, naming its place', () => {
    const bad = { ...JSON.parse(JSON.stringify(defined('store-2'))), data: { location: 'store-2' } };
    const result = parseMessageEvents([JSON.parse(JSON.stringify(defined('store-1'))), bad]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.message).toMatch(/^event \[1\] of the group: /);
    expect(result.issues.every((i) => i.path.startsWith('[1].'))).toBe(true);
  });
});
