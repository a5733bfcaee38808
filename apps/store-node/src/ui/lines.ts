import { useState } from 'preact/hooks';

/** A document line: one SKU with a quantity, plus whatever the screen adds (price, restock...). */
export interface Line {
  readonly sku: string;
  readonly name: string;
  readonly qty: number;
}

/** The plain line a scanned product makes; screens with more per line spread it and add theirs. */
export const lineOf = (product: { readonly sku: string; readonly name: string }, qty: number): Line => ({
  sku: product.sku,
  name: product.name,
  qty,
});

/** Adds a line, or adds its quantity to the line of the same SKU (a document names a SKU once). */
export const addLine = <L extends Line>(lines: readonly L[], line: L): L[] => {
  const i = lines.findIndex((l) => l.sku === line.sku);
  if (i < 0) return [...lines, line];
  return lines.map((l, j) => (j === i ? { ...l, qty: l.qty + line.qty } : l));
};

export const patchLine = <L extends Line>(lines: readonly L[], sku: string, patch: Partial<L>): L[] =>
  lines.map((l) => (l.sku === sku ? { ...l, ...patch } : l));

/** The lines of a document being keyed in, with the usual edits. */
export const useLines = <L extends Line>() => {
  const [lines, setLines] = useState<readonly L[]>([]);
  return {
    lines,
    add: (line: L) => setLines((ls) => addLine(ls, line)),
    patch: (sku: string, patch: Partial<L>) => setLines((ls) => patchLine(ls, sku, patch)),
    /** Sets the quantity of the last line (`*3`). */
    setLastQty: (qty: number) =>
      setLines((ls) => (ls.length ? [...ls.slice(0, -1), { ...(ls[ls.length - 1] as L), qty }] : ls)),
    removeLast: () => setLines((ls) => ls.slice(0, -1)),
    remove: (sku: string) => setLines((ls) => ls.filter((l) => l.sku !== sku)),
    clear: () => setLines([]),
    set: (next: readonly L[]) => setLines(next),
  };
};

export type Lines<L extends Line> = ReturnType<typeof useLines<L>>;

/** A whole, non-negative number from an input's text (NaN when it is not one). */
export const wholeNumber = (text: string): number => (/^\s*\d{1,7}\s*$/.test(text) ? Number(text) : Number.NaN);
