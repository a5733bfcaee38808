import type { RestockTo, TenderMethod } from '@stocknerve/domain';
import { useRef, useState } from 'preact/hooks';
import { money } from '../node/format.js';
import { newReference } from '../node/references.js';
import { recentSalesOf } from '../receipt/recent-sales.js';
import { TENDER_LABEL } from '../sell/tender.js';
import { CompleteButton, LineRow, LineScanField, LinesTable, QtyInput } from '../ui/DocumentParts.js';
import { useAutoFocus, useNode, useValue } from '../ui/hooks.js';
import { type Line, lineOf, useLines } from '../ui/lines.js';
import { Notice, type NoticeValue } from '../ui/Notice.js';
import { useCompleteKey } from '../ui/shortcuts.js';

interface ReturnLine extends Line {
  readonly restockTo: RestockTo;
  /** What the customer paid per unit: the receipt's price when this till knows it, else the catalog's. */
  readonly unitPriceCents: number;
  readonly currency: string;
}

const RESTOCK_LABEL: Record<RestockTo, string> = { sellable: 'Back to shelf', damaged: 'Damaged' };

/** Customer returns, by receipt number or by SKU; each line back to the shelf or into damaged. */
export const ReturnsScreen = () => {
  const node = useNode();
  const receiptRef = useAutoFocus<HTMLInputElement>();
  const scanRef = useRef<HTMLInputElement>(null);
  const [receiptId, setReceiptId] = useState('');
  const [restockTo, setRestockTo] = useState<RestockTo>('sellable');
  const lines = useLines<ReturnLine>();
  const [notice, setNotice] = useState<NoticeValue>(null);
  useValue(node.view.changed$);
  const receipt = receiptId.trim() ? node.view.receipt(receiptId.trim()) : undefined;
  const catalog = useValue(node.data.catalog$);
  const sales = recentSalesOf(node);
  useValue(sales.receipts$);
  const sale = receiptId.trim() ? sales.find(receiptId.trim()) : undefined;
  const [refundBy, setRefundBy] = useState<TenderMethod>('cash');
  const refundCents = lines.lines.reduce((s, l) => s + l.qty * l.unitPriceCents, 0);
  const refundCurrency = lines.lines[0]?.currency ?? sale?.currency ?? 'EUR';
  const priceOf = (sku: string): { unitPriceCents: number; currency: string } => {
    const sold = sale?.lines.find((l) => l.sku === sku);
    if (sale && sold) return { unitPriceCents: sold.unitPriceCents, currency: sale.currency };
    const item = catalog.bySku.get(sku.toUpperCase());
    return { unitPriceCents: item?.priceCents ?? 0, currency: item?.currency ?? refundCurrency };
  };

  const record = async () => {
    if (lines.lines.length === 0) {
      setNotice({ kind: 'error', text: 'Nothing to return yet: scan the returned items.' });
      return;
    }
    const returnId = newReference('RET', node.identity.node);
    const rid = receiptId.trim();
    const outcome = await node.commands.run(() => ({
      correlationId: returnId,
      command: {
        type: 'RecordReturn',
        data: {
          returnId,
          ...(rid ? { receiptId: rid } : {}),
          lines: lines.lines.map((l) => ({ sku: l.sku, qty: l.qty, restockTo: l.restockTo })),
        },
      },
    }));
    if (outcome.ok) {
      const damaged = lines.lines.filter((l) => l.restockTo === 'damaged').reduce((s, l) => s + l.qty, 0);
      const units = lines.lines.reduce((s, l) => s + l.qty, 0);
      setNotice({
        kind: 'ok',
        text: `Return ${returnId} recorded: ${units} ${units === 1 ? 'item' : 'items'} (${units - damaged} back to shelf, ${damaged} damaged). Refund ${money(refundCents, refundCurrency)} by ${TENDER_LABEL[refundBy].toLowerCase()}.`,
      });
      lines.clear();
      setReceiptId('');
      receiptRef.current?.focus();
    } else {
      setNotice({ kind: 'error', code: outcome.code, text: outcome.message });
      scanRef.current?.focus();
    }
  };
  useCompleteKey(() => void record());

  return (
    <section class="screen" aria-labelledby="returns-title">
      <h1 id="returns-title">Returns</h1>
      <div class="two-columns">
        <div class="work">
          <div class="form-row">
            <label for="return-receipt">Receipt number (optional)</label>
            <input
              id="return-receipt"
              ref={receiptRef}
              type="text"
              autocomplete="off"
              value={receiptId}
              onInput={(e) => setReceiptId(e.currentTarget.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter') {
                  e.preventDefault();
                  scanRef.current?.focus();
                }
              }}
            />
          </div>
          {receipt ? (
            <div class="receipt-lines" data-testid="receipt-summary">
              <span class="muted">Sold on {receipt.receiptId} (choose to return):</span>
              {[...receipt.sold].map(([sku, qty]) => {
                const returned = receipt.returned.get(sku) ?? 0;
                const name = catalog.bySku.get(sku.toUpperCase())?.name ?? sku;
                const left = qty - returned;
                return (
                  <button
                    key={sku}
                    type="button"
                    disabled={left <= 0}
                    onClick={() => {
                      if (lines.lines.some((l) => l.sku === sku)) lines.patch(sku, { qty: left });
                      else lines.add({ sku, name, qty: left, restockTo, ...priceOf(sku) });
                      scanRef.current?.focus();
                    }}
                  >
                    {name} × {qty}
                    {returned ? ` (${returned} returned)` : ''}
                  </button>
                );
              })}
            </div>
          ) : receiptId.trim() ? (
            <p class="muted">Receipt not rung up on this terminal: the return is recorded without checking it.</p>
          ) : null}
          <fieldset class="choice">
            <legend>Returned items go</legend>
            {(['sellable', 'damaged'] as const).map((r) => (
              <label key={r}>
                <input type="radio" name="restock" checked={restockTo === r} onChange={() => setRestockTo(r)} />
                {RESTOCK_LABEL[r]}
              </label>
            ))}
          </fieldset>
          <LineScanField
            id="return-scan"
            label="Scan returned item"
            inputRef={scanRef}
            lines={lines}
            toLine={(p, qty) => ({ ...lineOf(p, qty), restockTo, ...priceOf(p.sku) })}
            setNotice={setNotice}
          />
          <LinesTable
            label="Return lines"
            headers={['Item', 'SKU', { text: 'Qty', num: true }, { text: 'Refund', num: true }, 'Goes to']}
            empty={lines.lines.length === 0}
            lines={lines}
          >
            {lines.lines.map((l) => (
              <LineRow key={l.sku} line={l} lines={lines}>
                <td class="num">
                  <QtyInput
                    line={l}
                    label="Quantity"
                    value={l.qty}
                    onChange={(qty) => lines.patch(l.sku, { qty })}
                    onRemove={() => lines.remove(l.sku)}
                  />
                </td>
                <td class="num">{money(l.qty * l.unitPriceCents, l.currency)}</td>
                <td>
                  <select
                    aria-label={`Where ${l.sku} goes`}
                    value={l.restockTo}
                    onChange={(e) => lines.patch(l.sku, { restockTo: e.currentTarget.value as RestockTo })}
                  >
                    <option value="sellable">{RESTOCK_LABEL.sellable}</option>
                    <option value="damaged">{RESTOCK_LABEL.damaged}</option>
                  </select>
                </td>
              </LineRow>
            ))}
          </LinesTable>
        </div>
        <aside class="side" aria-label="Return">
          <div class="total">
            <span>Refund</span>
            <output data-testid="refund-total" aria-live="polite">
              {money(refundCents, refundCurrency)}
            </output>
          </div>
          <p class="muted">
            {sale
              ? `At the prices of receipt ${sale.receiptId}.`
              : receiptId.trim()
                ? 'At catalog prices: this till does not know the receipt.'
                : 'At catalog prices.'}
          </p>
          <fieldset class="choice">
            <legend>Refund by</legend>
            {(['cash', 'card', 'other'] as const).map((m) => (
              <label key={m}>
                <input type="radio" name="refund-by" checked={refundBy === m} onChange={() => setRefundBy(m)} />
                {TENDER_LABEL[m]}
              </label>
            ))}
          </fieldset>
          <CompleteButton onClick={() => void record()}>Record return</CompleteButton>
          <Notice value={notice} />
        </aside>
      </div>
    </section>
  );
};
