import type { ComponentChildren } from 'preact';
import type { Line } from './lines.js';
import { wholeNumber } from './lines.js';

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

export const RemoveButton = ({ sku, onRemove }: { sku: string; onRemove: () => void }) => (
  <td>
    <button type="button" class="link" onClick={onRemove} aria-label={`Remove ${sku}`}>
      ✕
    </button>
  </td>
);

/** The button that records the document, with its shortcut. */
export const CompleteButton = ({ children, onClick }: { children: ComponentChildren; onClick: () => void }) => (
  <button type="button" class="primary big" onClick={onClick} aria-keyshortcuts="F9 Control+Enter">
    {children} <kbd>F9</kbd>
  </button>
);
