import type { CatalogValue } from '@stocknerve/protocol';
import type { Ref } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { findProduct } from '../node/node-data.js';
import { beep } from './feedback.js';
import { useLineLimit, useNode, useValue } from './hooks.js';
import type { NoticeValue } from './Notice.js';
import { judgeQuantity } from './quantity.js';
import { parseScan } from './scan.js';

export interface ScanFieldProps {
  readonly id: string;
  readonly label: string;
  readonly inputRef: Ref<HTMLInputElement>;
  /** A known product was scanned (`qty` from `3*CODE`, else 1). */
  readonly onProduct: (product: CatalogValue, qty: number) => void;
  /** `*3`: set the last line's quantity. */
  readonly onSetQty?: (qty: number) => void;
  /** Backspace or Delete in the empty field, or `*0` where a line holds at least one unit. */
  readonly onRemoveLast?: () => void;
  readonly onUnknown: (code: string) => void;
  /** A quantity in the entry was refused (`0*CODE`), or its confirmation declined: why. */
  readonly onRefused: (text: string) => void;
  /** 1 (default): a line holds at least one unit, so `*0` removes it. 0: `*0` records "none". */
  readonly minQty?: 0 | 1;
  readonly hint?: string;
}

/** Shared so a mistyped code reads the same on every screen (its code goes to the console only). */
export const unknownItemNotice = (code: string): NoticeValue => ({
  kind: 'error',
  code: 'UnknownItem',
  text: `No product with barcode or SKU "${code}".`,
});

/**
 * The field a barcode scanner types into (a scanner is a keyboard that ends with Enter). Also takes
 * SKUs, `3*CODE` and `*3`; Backspace/Delete on an empty field removes the last line.
 */
export const ScanField = (props: ScanFieldProps) => {
  const { data } = useNode();
  const catalog = useValue(data.catalog$);
  const limit = useLineLimit();
  const hintId = `${props.id}-hint`;
  // Bumped on each refused scan: the field flashes (and beeps) once per refusal, even twice in a row.
  const [refusals, setRefusals] = useState(0);
  const [flashing, setFlashing] = useState(false);
  useEffect(() => {
    if (refusals === 0) return;
    setFlashing(true);
    const t = setTimeout(() => setFlashing(false), 1200);
    return () => clearTimeout(t);
  }, [refusals]);
  const refuse = (code: string) => {
    beep();
    setRefusals((n) => n + 1);
    props.onUnknown(code);
  };
  // Uncontrolled on purpose: a scanner types a whole code and Enter faster than a render, so the
  // Enter handler reads the field itself rather than state that may lag a keystroke behind.
  const onKeyDown = (e: KeyboardEvent) => {
    const field = e.currentTarget as HTMLInputElement;
    if (e.key === 'Enter' && !e.ctrlKey && !e.metaKey) {
      e.preventDefault();
      const input = parseScan(field.value);
      field.value = '';
      if (input.kind === 'empty') return;
      const product = input.kind === 'item' ? findProduct(catalog, input.code) : undefined;
      if (input.kind === 'item' && !product) return refuse(input.code);
      const verdict = judgeQuantity(input.qty, { min: props.minQty ?? 1, limit });
      if (verdict.kind === 'invalid') return props.onRefused(verdict.message);
      if (verdict.kind === 'confirm' && !window.confirm(verdict.question))
        return props.onRefused(`Not recorded: ${input.qty} units not confirmed.`);
      if (input.kind === 'set-qty') {
        if (verdict.kind === 'remove') props.onRemoveLast?.();
        else props.onSetQty?.(input.qty);
      } else if (verdict.kind === 'remove')
        props.onRefused(`0 × ${input.code} adds nothing: scan it, or type 2*CODE for two.`);
      else if (product) props.onProduct(product, input.qty);
    } else if ((e.key === 'Backspace' || e.key === 'Delete') && field.value === '') {
      e.preventDefault();
      props.onRemoveLast?.();
    } else if (e.key === 'Escape') field.value = '';
  };
  return (
    <div class={flashing ? 'scan-field scan-refused' : 'scan-field'} data-refused={flashing ? 'true' : undefined}>
      <label for={props.id}>{props.label}</label>
      <input
        id={props.id}
        ref={props.inputRef}
        class="scan-input"
        type="text"
        autocomplete="off"
        spellcheck={false}
        onKeyDown={onKeyDown}
        aria-describedby={hintId}
      />
      <small id={hintId} class="hint">
        {props.hint ?? 'Scan or type a barcode or SKU, then Enter. 3*CODE adds three; *3 sets the last line to 3.'}
      </small>
    </div>
  );
};
