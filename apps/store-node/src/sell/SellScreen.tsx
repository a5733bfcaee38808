import { useRef, useState } from 'preact/hooks';
import { money } from '../node/format.js';
import { sellingWarnings } from '../pickups/held-units.js';
import { useStoreStock } from '../pickups/use-store-stock.js';
import { LineRow, LinesTable, QtyInput } from '../ui/DocumentParts.js';
import { useAutoFocus, useNode } from '../ui/hooks.js';
import { type Line, useLines } from '../ui/lines.js';
import { Notice, type NoticeValue } from '../ui/Notice.js';
import { ScanField, unknownItemNotice } from '../ui/ScanField.js';
import { useCompleteKey } from '../ui/shortcuts.js';

interface SaleLineDraft extends Line {
  readonly unitPriceCents: number;
  readonly currency: string;
}

interface LastSale {
  readonly receiptId: string;
  readonly totalCents: number;
  readonly currency: string;
  readonly units: number;
}

/** The till: scan, adjust quantities, complete with F9 or Ctrl+Enter, get a receipt number. */
export const SellScreen = () => {
  const node = useNode();
  const scanRef = useAutoFocus<HTMLInputElement>();
  const lines = useLines<SaleLineDraft>();
  const stock = useStoreStock();
  const [notice, setNotice] = useState<NoticeValue>(null);
  const [last, setLast] = useState<LastSale | null>(null);
  const busy = useRef(false);
  const currency = lines.lines[0]?.currency ?? 'EUR';
  const totalCents = lines.lines.reduce((s, l) => s + l.qty * l.unitPriceCents, 0);
  const units = lines.lines.reduce((s, l) => s + l.qty, 0);

  const complete = async () => {
    if (busy.current) return;
    if (lines.lines.length === 0) {
      setNotice({ kind: 'error', text: 'Nothing to sell yet: scan an item first.' });
      scanRef.current?.focus();
      return;
    }
    busy.current = true;
    const sold = lines.lines;
    const outcome = await node.commands.run((view) => {
      const receiptId = view.nextReceiptId();
      return {
        correlationId: receiptId,
        command: {
          type: 'RecordSale',
          data: {
            receiptId,
            currency,
            lines: sold.map((l) => ({ sku: l.sku, qty: l.qty, unitPriceCents: l.unitPriceCents })),
          },
        },
      };
    });
    busy.current = false;
    const event = outcome.ok ? outcome.events[0] : undefined;
    if (event?.type === 'SaleRecorded') {
      setLast({ receiptId: event.data.receiptId, totalCents: event.data.totalCents, currency, units });
      const offline = node.sync.status.connected ? '' : ' Stored on this terminal; it syncs when the hub is reachable.';
      setNotice({ kind: 'ok', text: `Sale complete: receipt ${event.data.receiptId}.${offline}` });
      lines.clear();
    } else if (!outcome.ok) setNotice({ kind: 'error', code: outcome.code, text: outcome.message });
    scanRef.current?.focus();
  };
  useCompleteKey(() => void complete());

  return (
    <section class="screen" aria-labelledby="sell-title">
      <h1 id="sell-title">Sell</h1>
      <div class="two-columns">
        <div class="work">
          <ScanField
            id="sell-scan"
            label="Scan item"
            inputRef={scanRef}
            onProduct={(p, qty) => {
              if (lines.lines.length > 0 && p.currency !== currency) {
                setNotice({ kind: 'error', text: `${p.sku} is priced in ${p.currency}, this sale in ${currency}.` });
                return;
              }
              lines.add({ sku: p.sku, name: p.name, qty, unitPriceCents: p.priceCents, currency: p.currency });
              setNotice(null);
            }}
            onSetQty={lines.setLastQty}
            onRemoveLast={lines.removeLast}
            onUnknown={(code) => setNotice(unknownItemNotice(code))}
            onRefused={(text) => setNotice({ kind: 'error', text })}
          />
          <LinesTable
            label="Sale lines"
            testId="sale-lines"
            headers={[
              'Item',
              'SKU',
              { text: 'Qty', num: true },
              { text: 'Unit price', num: true },
              { text: 'Amount', num: true },
            ]}
            empty={lines.lines.length === 0}
            emptyText="No items yet."
            lines={lines}
          >
            {lines.lines.map((l, i) => {
              const onHand = stock.onHand(l.sku);
              const warnings = onHand === undefined ? [] : sellingWarnings(l.qty, onHand, stock.holdsOf(l.sku));
              return (
                <LineRow
                  key={l.sku}
                  line={l}
                  lines={lines}
                  class={i === lines.lines.length - 1 ? 'latest' : undefined}
                  note={warnings.map((w) => (
                    <small key={w} class="line-warning" role="status" data-testid="stock-warning">
                      {w}
                    </small>
                  ))}
                >
                  <td class="num">
                    <QtyInput
                      line={l}
                      label="Quantity"
                      value={l.qty}
                      onHand={onHand}
                      onChange={(qty) => lines.patch(l.sku, { qty })}
                      onRemove={() => lines.remove(l.sku)}
                    />
                  </td>
                  <td class="num">{money(l.unitPriceCents, l.currency)}</td>
                  <td class="num">{money(l.unitPriceCents * l.qty, l.currency)}</td>
                </LineRow>
              );
            })}
          </LinesTable>
        </div>
        <aside class="side" aria-label="Sale summary">
          <div class="total">
            <span>Total</span>
            <output data-testid="sale-total" aria-live="polite">
              {money(totalCents, currency)}
            </output>
          </div>
          <p class="muted">
            {lines.lines.length} {lines.lines.length === 1 ? 'line' : 'lines'} · {units}{' '}
            {units === 1 ? 'item' : 'items'}
          </p>
          <button
            type="button"
            class="primary big"
            onClick={() => void complete()}
            aria-keyshortcuts="F9 Control+Enter"
          >
            Complete sale <kbd>F9</kbd>
          </button>
          <Notice value={notice} />
          {last ? (
            <div class="receipt" data-testid="last-receipt">
              <span class="muted">Last receipt</span>
              <strong data-testid="receipt-id">{last.receiptId}</strong>
              <span>
                {money(last.totalCents, last.currency)} · {last.units} {last.units === 1 ? 'item' : 'items'}
              </span>
            </div>
          ) : null}
          <dl class="keys">
            <dt>
              <kbd>Enter</kbd>
            </dt>
            <dd>add the scanned item</dd>
            <dt>
              <kbd>*3</kbd>
            </dt>
            <dd>last line × 3</dd>
            <dt>
              <kbd>Backspace</kbd>
            </dt>
            <dd>remove last line (empty field)</dd>
            <dt>
              <kbd>F9</kbd> / <kbd>Ctrl+Enter</kbd>
            </dt>
            <dd>complete sale</dd>
          </dl>
        </aside>
      </div>
    </section>
  );
};
