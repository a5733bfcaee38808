import { describe, expect, it } from 'vitest';
import { addLine, lineOf, patchLine, restoreLine } from './lines.js';

describe('document lines', () => {
  it('makes a line from a scanned product without carrying its catalog fields along', () => {
    const product = { sku: 'A', name: 'a', priceCents: 100, barcodes: ['4006381333931'] };
    expect(lineOf(product, 2)).toEqual({ sku: 'A', name: 'a', qty: 2 });
  });

  it('adds a new SKU as a line and merges a SKU scanned again', () => {
    const one = addLine([], { sku: 'A', name: 'a', qty: 1 });
    const two = addLine(one, { sku: 'B', name: 'b', qty: 2 });
    const merged = addLine(two, { sku: 'A', name: 'a', qty: 3 });
    expect(merged).toEqual([
      { sku: 'A', name: 'a', qty: 4 },
      { sku: 'B', name: 'b', qty: 2 },
    ]);
  });

  it('patches one line only', () => {
    expect(
      patchLine(
        [
          { sku: 'A', name: 'a', qty: 1 },
          { sku: 'B', name: 'b', qty: 1 },
        ],
        'B',
        { qty: 5 },
      ),
    ).toEqual([
      { sku: 'A', name: 'a', qty: 1 },
      { sku: 'B', name: 'b', qty: 5 },
    ]);
  });

  it('puts a removed line back where it was, or onto its SKU scanned again since', () => {
    const a = { sku: 'A', name: 'a', qty: 1 };
    const b = { sku: 'B', name: 'b', qty: 2 };
    const c = { sku: 'C', name: 'c', qty: 3 };
    expect(restoreLine([a, c], { line: b, index: 1 })).toEqual([a, b, c]);
    expect(restoreLine([a, { ...b, qty: 1 }], { line: b, index: 0 })).toEqual([a, { ...b, qty: 3 }]);
  });
});
