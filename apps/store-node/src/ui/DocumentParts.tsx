import type { CatalogValue } from '@stocknerve/protocol';
import type { ComponentChildren } from 'preact';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { useLineLimit } from './hooks.js';
import type { Line, Lines, RemovedLine } from './lines.js';
import type { NoticeValue } from './Notice.js';
import { judgeQuantity, type QuantityRule } from './quantity.js';
import { ScanField, type ScanFieldProps, unknownItemNotice } from './ScanField.js';

/**
 * A quantity input for a document line, under the rule every screen shares (see quantity.ts). It
 * always shows the recorded quantity once the entry is done: a valid one is recorded as it is
 * typed; on Enter or leaving the field, 0 removes the line (`onRemove`), a large one is confirmed
 * first, and anything else reverts with a message beside the field.
 */
export const QtyInput = ({
  line,
  label,
  value,
  min = 1,
  signed = false,
  optional = false,
  onHand,
  onChange,
  onRemove,
}: {
  line: Line;
  label: string;
  value: number;
  /** 1 (default): 0 removes the line. 0: a line may say "none". */
  min?: 0 | 1;
  signed?: boolean;
  /** An empty entry means "not given" (NaN). */
  optional?: boolean;
  /** Known on-hand units: more asks for confirmation. */
  onHand?: number;
  onChange: (qty: number) => void;
  onRemove?: () => void;
}) => {
  const limit = useLineLimit();
  const [draft, setDraftState] = useState<string | null>(null);
  // Read by the handlers of the same keystroke (Enter, then the blur it causes): state would lag.
  const pending = useRef<string | null>(null);
  const setDraft = (text: string | null) => {
    pending.current = text;
    setDraftState(text);
  };
  const [message, setMessage] = useState<string | null>(null);
  const rule: QuantityRule = { min, signed, optional, limit, ...(onHand === undefined ? {} : { onHand }) };
  const shown = (n: number) => (Number.isNaN(n) ? '' : String(n));
  /** Settles the entry; false when it changed the lines in a way the cashier should see first. */
  const commit = (): boolean => {
    const text = pending.current;
    if (text === null) return true;
    setDraft(null);
    const verdict = judgeQuantity(text, rule);
    switch (verdict.kind) {
      case 'ok':
        setMessage(null);
        if (shown(verdict.qty) !== shown(value)) onChange(verdict.qty);
        return true;
      case 'remove':
        setMessage(null);
        onRemove?.();
        return false;
      case 'confirm':
        if (window.confirm(verdict.question)) {
          setMessage(null);
          onChange(verdict.qty);
        } else setMessage(`Kept ${shown(value)}.`);
        return false;
      case 'invalid':
        setMessage(`${verdict.message} Kept ${shown(value) || 'none'}.`);
        return true;
    }
  };
  const messageId = `qty-message-${label}-${line.sku}`.replace(/\W+/g, '-');
  return (
    <span class="qty-cell">
      <input
        class={message ? 'qty qty-invalid' : 'qty'}
        type="text"
        inputMode="numeric"
        autocomplete="off"
        value={draft ?? shown(value)}
        aria-label={`${label} of ${line.sku}`}
        aria-invalid={message ? true : undefined}
        aria-describedby={message ? messageId : undefined}
        onInput={(e) => {
          const text = e.currentTarget.value;
          setDraft(text);
          const verdict = judgeQuantity(text, rule);
          if (verdict.kind === 'ok') {
            setMessage(null);
            onChange(verdict.qty);
          }
        }}
        onBlur={() => void commit()}
        onKeyDown={(e) => {
          if (e.key === 'F9' || (e.key === 'Enter' && (e.ctrlKey || e.metaKey))) {
            // A removal or a confirmed change is shown before the document is completed with it.
            if (!commit()) {
              e.preventDefault();
              e.stopPropagation();
            }
            return;
          }
          if (e.key === 'Escape') {
            setDraft(null);
            setMessage(null);
            return;
          }
          // Enter in a quantity goes back to the screen's scan field: the next item is a scan away.
          if (e.key !== 'Enter') return;
          e.preventDefault();
          const scanField = e.currentTarget
            .closest('[role="tabpanel"]')
            ?.querySelector<HTMLInputElement>('.scan-input');
          commit();
          scanField?.focus();
        }}
      />
      {message ? (
        <small id={messageId} class="qty-message" role="alert" data-testid="qty-message">
          {message}
        </small>
      ) : null}
    </span>
  );
};

/** "Removed … · Undo" under a document's lines, while the last removed line can be put back. */
export const UndoRemoval = ({ lines }: { lines: { removed: RemovedLine<Line> | null; undoRemove: () => void } }) =>
  lines.removed ? (
    <p class="undo-removal" role="status" data-testid="undo-removal">
      Removed {lines.removed.line.name} ({lines.removed.line.sku}) × {lines.removed.line.qty}.{' '}
      <button type="button" class="link" onClick={lines.undoRemove}>
        Undo
      </button>
    </p>
  ) : null;

/** The lines table frame every document screen uses. */
export const LinesTable = ({
  label,
  headers,
  empty,
  emptyText = 'No lines yet: scan the first item.',
  children,
  testId,
  lines,
}: {
  label: string;
  headers: readonly (string | { text: string; num: true })[];
  empty: boolean;
  emptyText?: string;
  children: ComponentChildren;
  testId?: string;
  /** The document's lines, for the undo of a removal. */
  lines: { removed: RemovedLine<Line> | null; undoRemove: () => void };
}) => {
  const scrollRef = useNewestLineInView();
  return (
    <>
      <div class="lines-scroll" ref={scrollRef}>
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
      </div>
      <UndoRemoval lines={lines} />
    </>
  );
};

/**
 * Keeps the newest line on screen: when a line is added (a new row, or another row becomes the
 * latest) or the lines' area is resized, it is scrolled into view within that area, so a long sale
 * never hides what was just scanned.
 */
const useNewestLineInView = () => {
  const ref = useRef<HTMLDivElement>(null);
  const seen = useRef<{ rows: number; newest: Element | null }>({ rows: 0, newest: null });
  const newestRow = () => {
    const body = ref.current?.querySelector('tbody');
    const rows = body?.querySelectorAll('tr:not(.empty)');
    return { rows: rows?.length ?? 0, newest: body?.querySelector('tr.latest') ?? rows?.[rows.length - 1] ?? null };
  };
  useLayoutEffect(() => {
    const now = newestRow();
    const before = seen.current;
    seen.current = now;
    if (now.newest && (now.rows > before.rows || now.newest !== before.newest))
      now.newest.scrollIntoView({ block: 'nearest' });
  });
  useLayoutEffect(() => {
    const area = ref.current;
    if (!area || typeof ResizeObserver === 'undefined') return;
    let height = area.clientHeight;
    const observer = new ResizeObserver(() => {
      // Only a change of the area's height moves the newest line out of view.
      if (area.clientHeight === height) return;
      height = area.clientHeight;
      newestRow().newest?.scrollIntoView({ block: 'nearest' });
    });
    observer.observe(area);
    return () => observer.disconnect();
  }, []);
  return ref;
};

/**
 * For the screens where a scan only edits the lines. The till keeps its own ScanField: a sale refuses
 * a product in another currency.
 */
export const LineScanField = <L extends Line>({
  lines,
  toLine,
  setNotice,
  ...field
}: Omit<ScanFieldProps, 'onProduct' | 'onSetQty' | 'onRemoveLast' | 'onUnknown' | 'onRefused'> & {
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
    onRefused={(text) => setNotice({ kind: 'error', text })}
  />
);

/** Item and SKU first and the remove button last on every screen, so a clerk finds them in one place. */
export const LineRow = ({
  line,
  lines,
  class: className,
  note,
  children,
}: {
  line: Line;
  lines: Pick<Lines<Line>, 'remove'>;
  class?: string;
  /** Shown under the item's name (a stock warning). */
  note?: ComponentChildren;
  children: ComponentChildren;
}) => (
  <tr class={className}>
    <td>
      {line.name}
      {note}
    </td>
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
