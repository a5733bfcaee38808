import { describe, expect, it } from 'vitest';
import { parseScan } from './scan.js';

describe('parseScan', () => {
  it('reads a scanned barcode or typed SKU as one unit', () => {
    expect(parseScan('3760001000011')).toEqual({ kind: 'item', code: '3760001000011', qty: 1 });
    expect(parseScan('  sku-1001 ')).toEqual({ kind: 'item', code: 'sku-1001', qty: 1 });
  });

  it('reads 3*CODE as three of CODE and *3 as "make the last line 3"', () => {
    expect(parseScan('3*3760001000011')).toEqual({ kind: 'item', code: '3760001000011', qty: 3 });
    expect(parseScan('12 * SKU-1')).toEqual({ kind: 'item', code: 'SKU-1', qty: 12 });
    expect(parseScan('*3')).toEqual({ kind: 'set-qty', qty: 3 });
    expect(parseScan('*0')).toEqual({ kind: 'set-qty', qty: 0 });
  });

  it('ignores an empty entry', () => {
    expect(parseScan('   ')).toEqual({ kind: 'empty' });
  });
});
