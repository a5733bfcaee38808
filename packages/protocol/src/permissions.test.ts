import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NAMES } from './names.js';
import { hubPermissions, inboxPrefixOf, type NatsPermissions, terminalPermissions } from './permissions.js';
import { storeEventSubject } from './subjects.js';

/** NATS subject matching: `*` is one token, `>` one or more trailing tokens. */
const matches = (pattern: string, subject: string): boolean => {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return s.length > i;
    if (i >= s.length) return false;
    if (p[i] !== '*' && p[i] !== s[i]) return false;
  }
  return p.length === s.length;
};

const allowed = (rules: NatsPermissions['pub'], subject: string) =>
  rules.allow.some((p) => matches(p, subject)) && !rules.deny.some((p) => matches(p, subject));

const token = fc.stringMatching(/^[a-z][a-z0-9-]{0,11}$/);
const identity = fc.record({ node: token, location: token, region: token });

describe('terminal permissions', () => {
  it("allow a node's own subjects and no other node's, for any ids", () => {
    fc.assert(
      fc.property(identity, identity, (me, other) => {
        const { pub, sub } = terminalPermissions(me);
        expect(allowed(pub, storeEventSubject(me.region, me.location, me.node))).toBe(true);
        if (me.node !== other.node || me.location !== other.location || me.region !== other.region)
          expect(allowed(pub, storeEventSubject(other.region, other.location, other.node))).toBe(false);
        if (me.location !== other.location)
          expect(
            allowed(
              pub,
              `$JS.API.CONSUMER.CREATE.KV_${NAMES.pickupsBucket}.x.$KV.${NAMES.pickupsBucket}.${other.location}.>`,
            ),
          ).toBe(false);
        if (me.node !== other.node) expect(allowed(sub, `${inboxPrefixOf(other.node)}.abc`)).toBe(false);
      }),
    );
  });

  it('never allow hub facts, dead letters, KV writes or stream and consumer administration', () => {
    fc.assert(
      fc.property(identity, (me) => {
        const { pub, sub } = terminalPermissions(me);
        for (const subject of [
          'inv.v1.hub.hub',
          'inv.v1.dlq.seq-conflict',
          `$KV.${NAMES.stockBucket}.${me.location}.SKU-1`,
          `$KV.${NAMES.watermarksBucket}.${me.node}`,
          `$JS.API.STREAM.PURGE.${NAMES.eventStream}`,
          `$JS.API.STREAM.DELETE.${NAMES.eventStream}`,
          `$JS.API.STREAM.UPDATE.${NAMES.eventStream}`,
          `$JS.API.CONSUMER.DELETE.${NAMES.eventStream}.${NAMES.projectorConsumer}`,
          `$JS.API.CONSUMER.MSG.NEXT.${NAMES.eventStream}.${NAMES.projectorConsumer}`,
          `$JS.ACK.${NAMES.eventStream}.${NAMES.projectorConsumer}.1.1.1.1.0`,
        ])
          expect(allowed(pub, subject), subject).toBe(false);
        for (const subject of ['_INBOX.x', 'inv.v1.evt.a.b.c', 'inv.v1.hb.a.b.c', `$KV.${NAMES.pickupsBucket}.x`])
          expect(allowed(sub, subject), subject).toBe(false);
      }),
    );
  });
});

describe('hub permissions', () => {
  it('let the hub write hub facts, dead letters and KV, never a store event or heartbeat', () => {
    const { pub } = hubPermissions();
    expect(allowed(pub, 'inv.v1.hub.hub')).toBe(true);
    expect(allowed(pub, 'inv.v1.dlq.x')).toBe(true);
    expect(allowed(pub, `$KV.${NAMES.stockBucket}.a.b`)).toBe(true);
    expect(allowed(pub, 'inv.v1.evt.north.store-1.t1')).toBe(false);
    expect(allowed(pub, 'inv.v1.hb.north.store-1.t1')).toBe(false);
  });
});
