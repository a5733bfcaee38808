import { slugPattern } from '@stocknerve/domain';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  deadLetterSubject,
  heartbeatSubject,
  hubEventSubject,
  nodeEventSubject,
  nodeHeartbeatSubject,
  parseEventSubject,
  storeEventSubject,
} from './subjects.js';

const slugArb = fc.stringMatching(slugPattern);

describe('subjects', () => {
  it('a store event subject parses back into its region, location and node', () => {
    fc.assert(
      fc.property(slugArb, slugArb, slugArb, (region, location, node) => {
        expect(parseEventSubject(storeEventSubject(region, location, node))).toEqual({
          kind: 'store',
          region,
          location,
          node,
        });
        expect(nodeEventSubject({ region, location, node })).toBe(storeEventSubject(region, location, node));
        expect(nodeHeartbeatSubject({ region, location, node })).toBe(heartbeatSubject(region, location, node));
      }),
    );
  });

  it("the hub's subject parses as the hub's", () => {
    expect(hubEventSubject()).toBe('inv.v1.hub.hub');
    expect(parseEventSubject(hubEventSubject())).toEqual({ kind: 'hub', node: 'hub' });
  });

  it.each([
    'inv.v1.evt.north.store-001',
    'inv.v1.evt.north.store-001.t1.extra',
    'inv.v2.evt.north.store-001.t1',
    'inv.v1.hub.hub.extra',
    'inv.v1.hb.north.store-001.t1',
    deadLetterSubject('invalid-json'),
    'other.v1.evt.a.b.c',
  ])('%s is not an event subject', (subject) => {
    expect(parseEventSubject(subject)).toEqual({ kind: 'other' });
  });
});
