import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { kvKeys, kvToken, NETWORK_KEY } from './kv-keys.js';

/** The inverse of kvToken, to show that no two ids share a key. */
const fromToken = (token: string) =>
  token.replace(/=([0-9a-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));

describe('KV keys', () => {
  it('kvToken makes one valid key token of any ASCII id (every business id is), and is reversible', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary-ascii', maxLength: 40 }), (id) => {
        const token = kvToken(id);
        expect(token).toMatch(/^[-_=A-Za-z0-9]*$/);
        expect(fromToken(token)).toBe(id);
      }),
    );
  });

  it('keys ids as the wire protocol says', () => {
    expect(kvKeys.stock('store-001', 'SKU-1')).toBe('store-001.SKU-1');
    expect(kvKeys.pickup('store-001', 'web:A.1')).toBe('store-001.web=3aA=2e1');
    expect(kvKeys.reservation(null, 'r-1')).toBe(`${NETWORK_KEY}.r-1`);
    expect(kvKeys.reservation('store-002', 'r-1')).toBe('store-002.r-1');
    expect(kvKeys.watermark('store-001-t1')).toBe('store-001-t1');
  });
});
