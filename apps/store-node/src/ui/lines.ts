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

/** The line a removal took out, and where it was, so it can be put back. */
export interface RemovedLine<L extends Line> {
  readonly line: L;
  readonly index: number;
}

/** Puts a removed line back where it was (adding to its SKU's line if that was scanned again since). */
export const restoreLine = <L extends Line>(lines: readonly L[], removed: RemovedLine<L>): L[] =>
  lines.some((l) => l.sku === removed.line.sku)
    ? addLine(lines, removed.line)
    : [...lines.slice(0, removed.index), removed.line, ...lines.slice(removed.index)];

/** The lines of a document being keyed in, with the usual edits; a removal can be undone. */
export const useLines = <L extends Line>() => {
  const [state, setState] = useState<{ lines: readonly L[]; removed: RemovedLine<L> | null }>({
    lines: [],
    removed: null,
  });
  const edit = (f: (ls: readonly L[]) => readonly L[]) => setState((s) => ({ ...s, lines: f(s.lines) }));
  const removeAt = (pick: (ls: readonly L[]) => number) =>
    setState((s) => {
      const index = pick(s.lines);
      const line = s.lines[index];
      if (!line) return s;
      return { lines: s.lines.filter((_, i) => i !== index), removed: { line, index } };
    });
  return {
    lines: state.lines,
    /** The last removed line while it can still be put back. */
    removed: state.removed,
    add: (line: L) => edit((ls) => addLine(ls, line)),
    patch: (sku: string, patch: Partial<L>) => edit((ls) => patchLine(ls, sku, patch)),
    /** Sets the quantity of the last line (`*3`). */
    setLastQty: (qty: number) =>
      edit((ls) => (ls.length ? [...ls.slice(0, -1), { ...(ls[ls.length - 1] as L), qty }] : ls)),
    removeLast: () => removeAt((ls) => ls.length - 1),
    remove: (sku: string) => removeAt((ls) => ls.findIndex((l) => l.sku === sku)),
    undoRemove: () => setState((s) => (s.removed ? { lines: restoreLine(s.lines, s.removed), removed: null } : s)),
    clear: () => setState({ lines: [], removed: null }),
    set: (next: readonly L[]) => edit(() => next),
  };
};

export type Lines<L extends Line> = ReturnType<typeof useLines<L>>;
