import { describeIssues, fieldIssues, RecordSaleData, type Tender, type TenderMethod } from '@stocknerve/domain';
import { useRef, useState } from 'preact/hooks';
import { money } from '../node/format.js';
import { sellingWarnings } from '../pickups/held-units.js';
import { useStoreStock } from '../pickups/use-store-stock.js';
import { ReceiptView } from '../receipt/ReceiptView.js';
import { receiptOf, recentSalesOf } from '../receipt/recent-sales.js';
import { LineRow, LinesTable, QtyInput } from '../ui/DocumentParts.js';
import { useAutoFocus, useNode, useValue } from '../ui/hooks.js';
import { type Line, useLines } from '../ui/lines.js';
import { Notice, type NoticeValue } from '../ui/Notice.js';
import { ScanField, unknownItemNotice } from '../ui/ScanField.js';
import { useCompleteKey } from '../ui/shortcuts.js';
import { addTender, amountText, changeOf, paidOf, parseAmount, TENDER_LABEL } from './tender.js';

interface SaleLineDraft extends Line {
  readonly unitPriceCents: number;
  readonly currency: string;
}

/**
 * The till: scan, adjust quantities, then pay with F9 or Ctrl+Enter (cash, card, other, or several
 * of them); the sale is recorded once the payments cover the total, and its receipt can be printed.
 */
export const SellScreen = () => {
  const node = useNode();
  const scanRef = useAutoFocus<HTMLInputElement>();
  const amountRef = useRef<HTMLInputElement>(null);
  const lines = useLines<SaleLineDraft>();
  const stock = useStoreStock();
  const catalog = useValue(node.data.catalog$);
  const locations = useValue(node.data.locations$);
  const sales = recentSalesOf(node);
  const receipts = useValue(sales.receipts$);
  const [notice, setNotice] = useState<NoticeValue>(null);
  // The total the payment was opened for: a line changed meanwhile closes it (a new total).
  const [payingFor, setPayingFor] = useState<number | null>(null);
  const [tenders, setTenders] = useState<Tender[]>([]);
  const [amount, setAmount] = useState('');
  const [shownReceipt, setShownReceipt] = useState<string | null>(null);
  const busy = useRef(false);
  const currency = lines.lines[0]?.currency ?? 'EUR';
  const totalCents = lines.lines.reduce((s, l) => s + l.qty * l.unitPriceCents, 0);
  const units = lines.lines.reduce((s, l) => s + l.qty, 0);
  const dueCents = totalCents - paidOf(tenders);
  const paying = payingFor === totalCents && lines.lines.length > 0;
  const storeName = locations.get(node.identity.location)?.name ?? node.identity.location;

  const focusAmount = () =>
    requestAnimationFrame(() => {
      amountRef.current?.focus();
      amountRef.current?.select();
    });

  const record = async (paid: Tender[]) => {
    if (busy.current) return;
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
            tenders: paid,
          },
        },
      };
    });
    busy.current = false;
    const event = outcome.ok ? outcome.events[0] : undefined;
    if (event?.type === 'SaleRecorded') {
      sales.add(receiptOf(event));
      setShownReceipt(event.data.receiptId);
      const change = changeOf(paid);
      const changeText = change > 0 ? ` Change due ${money(change, currency)}.` : '';
      const offline = node.sync.status.connected ? '' : ' Stored on this terminal; it syncs when the hub is reachable.';
      setNotice({ kind: 'ok', text: `Sale complete: receipt ${event.data.receiptId}.${changeText}${offline}` });
      lines.clear();
      setPayingFor(null);
      setTenders([]);
    } else if (!outcome.ok) setNotice({ kind: 'error', code: outcome.code, text: outcome.message });
    scanRef.current?.focus();
  };

  const complete = () => {
    if (busy.current) return;
    if (lines.lines.length === 0) {
      setNotice({ kind: 'error', text: 'Nothing to sell yet: scan an item first.' });
      scanRef.current?.focus();
      return;
    }
    if (totalCents === 0) {
      void record([]);
      return;
    }
    // Lines the sale would refuse are said before the customer pays, not after.
    const checked = RecordSaleData.safeParse({
      receiptId: node.view.nextReceiptId(),
      currency,
      lines: lines.lines.map((l) => ({ sku: l.sku, qty: l.qty, unitPriceCents: l.unitPriceCents })),
    });
    if (!checked.success) {
      setNotice({ kind: 'error', code: 'Invalid', text: describeIssues(fieldIssues(checked.error)) });
      return;
    }
    if (!paying) {
      setPayingFor(totalCents);
      setTenders([]);
      setAmount(amountText(totalCents));
      setNotice(null);
    }
    focusAmount();
  };
  useCompleteKey(complete);

  const pay = (method: TenderMethod) => {
    if (busy.current) return;
    const cents = parseAmount(amount);
    const added = cents === undefined ? undefined : addTender(tenders, totalCents, method, cents);
    if (!added?.ok) {
      setNotice({ kind: 'error', text: added?.error ?? 'Enter the amount paid, e.g. 20 or 12.50.' });
      focusAmount();
      return;
    }
    setNotice(null);
    if (paidOf(added.tenders) >= totalCents) {
      void record(added.tenders);
      return;
    }
    setTenders(added.tenders);
    setAmount(amountText(totalCents - paidOf(added.tenders)));
    focusAmount();
  };

  const cancelPayment = () => {
    setPayingFor(null);
    setTenders([]);
    setNotice(null);
    scanRef.current?.focus();
  };

  const shownAt = shownReceipt === null ? -1 : receipts.findIndex((r) => r.receiptId === shownReceipt);
  const shown = shownAt >= 0 ? receipts[shownAt] : undefined;
  const nameOf = (sku: string) => catalog.bySku.get(sku.toUpperCase())?.name ?? sku;

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
              setShownReceipt(null);
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
          {paying ? (
            <fieldset
              class="tender"
              data-testid="tender"
              onKeyDown={(e) => {
                if (e.key === 'Escape') {
                  e.preventDefault();
                  cancelPayment();
                }
              }}
            >
              <legend>Payment</legend>
              {tenders.length > 0 ? (
                <ul class="tender-list" aria-label="Payments so far">
                  {tenders.map((t, i) => (
                    <li key={i}>
                      <span>{TENDER_LABEL[t.method]}</span>
                      <span class="num">{money(t.amountCents, currency)}</span>
                      <button
                        type="button"
                        aria-label={`Remove ${TENDER_LABEL[t.method]} ${money(t.amountCents, currency)}`}
                        onClick={() => {
                          const rest = tenders.filter((_, j) => j !== i);
                          setTenders(rest);
                          setAmount(amountText(totalCents - paidOf(rest)));
                          focusAmount();
                        }}
                      >
                        ×
                      </button>
                    </li>
                  ))}
                </ul>
              ) : null}
              <div class="tender-due">
                <span>Due</span>
                <output data-testid="tender-due">{money(dueCents, currency)}</output>
              </div>
              <label for="tender-amount">Amount given</label>
              <input
                id="tender-amount"
                ref={amountRef}
                type="text"
                inputMode="decimal"
                autocomplete="off"
                value={amount}
                onInput={(e) => setAmount(e.currentTarget.value)}
                onKeyDown={(e) => {
                  if (e.key === 'Enter' && !e.ctrlKey && !e.metaKey) {
                    e.preventDefault();
                    pay('cash');
                  }
                }}
              />
              {(() => {
                const given = parseAmount(amount);
                return given !== undefined && given > dueCents ? (
                  <p class="tender-change" data-testid="tender-change">
                    Change due {money(given - dueCents, currency)}
                  </p>
                ) : null;
              })()}
              <div class="tender-methods">
                {(['cash', 'card', 'other'] as const).map((m) => (
                  <button key={m} type="button" class={m === 'cash' ? 'primary' : undefined} onClick={() => pay(m)}>
                    {TENDER_LABEL[m]}
                  </button>
                ))}
              </div>
              <button type="button" class="link" onClick={cancelPayment}>
                Back to the sale <kbd>Esc</kbd>
              </button>
            </fieldset>
          ) : (
            <button type="button" class="primary big" onClick={complete} aria-keyshortcuts="F9 Control+Enter">
              Pay <kbd>F9</kbd>
            </button>
          )}
          <Notice value={notice} />
          {shown ? (
            <ReceiptView
              receipt={shown}
              storeName={storeName}
              nameOf={nameOf}
              onClose={() => {
                setShownReceipt(null);
                scanRef.current?.focus();
              }}
              onOlder={shownAt > 0 ? () => setShownReceipt(receipts[shownAt - 1]?.receiptId ?? null) : undefined}
              onNewer={
                shownAt < receipts.length - 1
                  ? () => setShownReceipt(receipts[shownAt + 1]?.receiptId ?? null)
                  : undefined
              }
            />
          ) : receipts.length > 0 && !paying ? (
            <button
              type="button"
              data-testid="last-receipt"
              onClick={() => setShownReceipt(receipts[receipts.length - 1]?.receiptId ?? null)}
            >
              Last receipt
            </button>
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
            <dd>pay; Enter in the amount takes cash</dd>
          </dl>
        </aside>
      </div>
    </section>
  );
};
