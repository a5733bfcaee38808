import { decode } from '@nats-io/jwt';
import { describe, expect, it } from 'vitest';
import { issueRoleJwt } from './roles.js';
import { appAccountJwt, createTrustSeeds, createUserKey, isUserPublicKey, trustPublicKeys } from './trust.js';

describe('the trust chain', () => {
  const seeds = createTrustSeeds();
  const keys = trustPublicKeys(seeds);

  it("issues a terminal's JWT for its public key, signed by the account's signing key, with its permissions", async () => {
    const user = createUserKey();
    const jwt = await issueRoleJwt(seeds, user.publicKey, {
      role: 'terminal',
      identity: { node: 'store-1-t1', location: 'store-1', region: 'north' },
    });
    const claims = decode<{ issuer_account: string; pub: { allow: string[] }; sub: { allow: string[] } }>(jwt);
    expect(claims.sub).toBe(user.publicKey);
    expect(claims.iss).toBe(keys.appSigning);
    expect(claims.nats.issuer_account).toBe(keys.app);
    expect(claims.nats.pub?.allow).toContain('inv.v1.evt.north.store-1.store-1-t1');
    expect(claims.nats.sub?.allow).toEqual(['_INBOX_store-1-t1.>']);
    expect(jwt).not.toContain(user.seed);
  });

  it('lists revoked keys in the account JWT, signed by the operator signing key', async () => {
    const user = createUserKey();
    const claims = decode<{ revocations: Record<string, number>; signing_keys: string[] }>(
      await appAccountJwt(seeds, { [user.publicKey]: 1_800_000_000 }),
    );
    expect(claims.iss).toBe(keys.operatorSigning);
    expect(claims.sub).toBe(keys.app);
    expect(claims.nats.revocations).toEqual({ [user.publicKey]: 1_800_000_000 });
    expect(claims.nats.signing_keys).toEqual([keys.appSigning]);
  });

  it('tells a user public key from anything else', () => {
    const user = createUserKey();
    expect(isUserPublicKey(user.publicKey)).toBe(true);
    expect(isUserPublicKey(keys.app)).toBe(false);
    expect(isUserPublicKey(user.seed)).toBe(false);
    expect(isUserPublicKey(`${user.publicKey.slice(0, -1)}${user.publicKey.endsWith('A') ? 'B' : 'A'}`)).toBe(false);
    expect(isUserPublicKey('U'.padEnd(56, 'A'))).toBe(false);
  });
});
