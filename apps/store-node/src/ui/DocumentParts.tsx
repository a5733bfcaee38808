import type { CatalogValue } from '@stocknerve/protocol';
import type { ComponentChildren } from 'preact';
import type { Line, Lines } from './lines.js';
import { wholeNumber } from './lines.js';
import type { NoticeValue } from './Notice.js';
import { ScanField, type ScanFieldProps, unknownItemNotice } from './ScanField.js';

/** A quantity input for a document line. `min` 0 lets a line say "none arrived". */
export const QtyInput = ({
  line,
  label,
  value,
  min = 1,
  onChange,
  signed = false,
}: {
  line: Line;
  label: string;
  value: number;
  min?: number;
  signed?: boolean;
  onChange: (qty: number) => void;
}) => (
  <input
    class="qty"
    type="number"
    min={signed ? undefined : min}
    value={Number.isNaN(value) ? '' : value}
    aria-label={`${label} of ${line.sku}`}
    onInput={(e) => {
      const text = e.currentTarget.value;
      const n = signed && /^\s*-\d{1,7}\s*$/.test(text) ? Number(text) : wholeNumber(text);
      if (!Number.isNaN(n) && (signed || n >= min)) onChange(n);
    }}
    onKeyDown={(e) => {
      // Enter in a quantity goes back to the screen's scan field: the next item is a scan away.
      if (e.key !== 'Enter' || e.ctrlKey || e.metaKey) return;
      e.preventDefault();
      e.currentTarget.closest('[role="tabpanel"]')?.querySelector<HTMLInputElement>('.scan-input')?.focus();
    }}
  />
);

/** The lines table frame every document screen uses. */
export const LinesTable = ({
  label,
  headers,
  empty,
  emptyText = 'No lines yet: scan the first item.',
  children,
  testId,
}: {
  label: string;
  headers: readonly (string | { text: string; num: true })[];
  empty: boolean;
  emptyText?: string;
  children: ComponentChildren;
  testId?: string;
}) => (
  <table class="lines" aria-label={label} data-testid={testId}>
    <thead>
      <tr>
        {headers.map((h) =>
          typeof h === 'string' ? (
            <th scope="col" key={h}>
              {h}
            </th>
          ) : (
            <th scope="col" class="num" key={h.text}>
              {h.text}
            </th>
          ),
        )}
        <th scope="col">
          <span class="visually-hidden">Remove</span>
        </th>
      </tr>
    </thead>
    <tbody>
      {children}
      {empty ? (
        <tr class="empty">
          <td colSpan={headers.length + 1}>{emptyText}</td>
        </tr>
      ) : null}
    </tbody>
  </table>
);

/**
 * For the screens where a scan only edits the lines. The till keeps its own ScanField: a sale refuses
 * a product in another currency, and `*0` there drops the line rather than keeping a zero.
 */
export const LineScanField = <L extends Line>({
  lines,
  toLine,
  setNotice,
  ...field
}: Omit<ScanFieldProps, 'onProduct' | 'onSetQty' | 'onRemoveLast' | 'onUnknown'> & {
  lines: Lines<L>;
  toLine: (product: CatalogValue, qty: number) => L;
  setNotice: (notice: NoticeValue) => void;
}) => (
  <ScanField
    {...field}
    onProduct={(p, qty) => {
      lines.add(toLine(p, qty));
      setNotice(null);
    }}
    onSetQty={lines.setLastQty}
    onRemoveLast={lines.removeLast}
    onUnknown={(code) => setNotice(unknownItemNotice(code))}
  />
);

/** Item and SKU first and the remove button last on every screen, so a clerk finds them in one place. */
export const LineRow = ({
  line,
  lines,
  class: className,
  children,
}: {
  line: Line;
  lines: Pick<Lines<Line>, 'remove'>;
  class?: string;
  children: ComponentChildren;
}) => (
  <tr class={className}>
    <td>{line.name}</td>
    <td class="mono">{line.sku}</td>
    {children}
    <RemoveButton sku={line.sku} onRemove={() => lines.remove(line.sku)} />
  </tr>
);

export const RemoveButton = ({ sku, onRemove }: { sku: string; onRemove: () => void }) => (
  <td>
    <button type="button" class="link" onClick={onRemove} aria-label={`Remove ${sku}`}>
      ✕
    </button>
  </td>
);

/** The button that records the document, with its shortcut. */
export const CompleteButton = ({
  children,
  onClick,
  disabled = false,
}: {
  children: ComponentChildren;
  onClick: () => void;
  disabled?: boolean;
}) => (
  <button type="button" class="primary big" onClick={onClick} disabled={disabled} aria-keyshortcuts="F9 Control+Enter">
    {children} <kbd>F9</kbd>
  </button>
);
