import type { CatalogValue } from '@stocknerve/protocol';
import type { Ref } from 'preact';
import { findProduct } from '../node/node-data.js';
import { useNode, useValue } from './hooks.js';
import type { NoticeValue } from './Notice.js';
import { parseScan } from './scan.js';

export interface ScanFieldProps {
  readonly id: string;
  readonly label: string;
  readonly inputRef: Ref<HTMLInputElement>;
  /** A known product was scanned (`qty` from `3*CODE`, else 1). */
  readonly onProduct: (product: CatalogValue, qty: number) => void;
  /** `*3`: set the last line's quantity. */
  readonly onSetQty?: (qty: number) => void;
  /** Backspace or Delete in the empty field. */
  readonly onRemoveLast?: () => void;
  readonly onUnknown: (code: string) => void;
  readonly hint?: string;
}

/** Shared so a mistyped code reads the same on every screen (and keeps the code the notice shows). */
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
  const hintId = `${props.id}-hint`;
  // Uncontrolled on purpose: a scanner types a whole code and Enter faster than a render, so the
  // Enter handler reads the field itself rather than state that may lag a keystroke behind.
  const onKeyDown = (e: KeyboardEvent) => {
    const field = e.currentTarget as HTMLInputElement;
    if (e.key === 'Enter' && !e.ctrlKey && !e.metaKey) {
      e.preventDefault();
      const input = parseScan(field.value);
      field.value = '';
      if (input.kind === 'set-qty') props.onSetQty?.(input.qty);
      else if (input.kind === 'item') {
        const product = findProduct(catalog, input.code);
        if (product) props.onProduct(product, input.qty);
        else props.onUnknown(input.code);
      }
    } else if ((e.key === 'Backspace' || e.key === 'Delete') && field.value === '') {
      e.preventDefault();
      props.onRemoveLast?.();
    } else if (e.key === 'Escape') field.value = '';
  };
  return (
    <div class="scan-field">
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
