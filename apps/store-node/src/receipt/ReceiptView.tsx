import { money } from '../node/format.js';
import { changeOf, TENDER_LABEL } from '../sell/tender.js';
import type { SaleReceipt } from './recent-sales.js';

const when = (iso: string): string =>
  new Date(iso).toLocaleString('en-GB', { dateStyle: 'short', timeStyle: 'medium' });

/**
 * A sale's receipt, laid out for an 80 mm receipt printer: `@media print` in styles.css prints this
 * slip alone. `nameOf` names a SKU from the catalog (the sale itself records SKUs only).
 */
export const ReceiptView = ({
  receipt,
  storeName,
  nameOf,
  onClose,
  onOlder,
  onNewer,
}: {
  receipt: SaleReceipt;
  storeName: string;
  nameOf: (sku: string) => string;
  onClose: () => void;
  onOlder?: (() => void) | undefined;
  onNewer?: (() => void) | undefined;
}) => {
  const { currency } = receipt;
  const change = receipt.tenders ? changeOf(receipt.tenders) : 0;
  const units = receipt.lines.reduce((s, l) => s + l.qty, 0);
  return (
    <section class="receipt-slip" aria-label="Receipt" data-testid="receipt-view">
      <header class="receipt-head">
        <strong class="receipt-store">{storeName}</strong>
        <span>
          Receipt <strong data-testid="receipt-id">{receipt.receiptId}</strong>
        </span>
        <time dateTime={receipt.occurredAt}>{when(receipt.occurredAt)}</time>
      </header>
      <table class="receipt-lines-table">
        <tbody>
          {receipt.lines.map((l) => (
            <tr key={l.sku}>
              <td>
                {nameOf(l.sku)}
                <small>
                  {l.qty} × {money(l.unitPriceCents, currency)}
                </small>
              </td>
              <td class="num">{money(l.qty * l.unitPriceCents, currency)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr class="receipt-total">
            <th scope="row">
              Total ({units} {units === 1 ? 'item' : 'items'})
            </th>
            <td class="num" data-testid="receipt-total">
              {money(receipt.totalCents, currency)}
            </td>
          </tr>
        </tfoot>
      </table>
      {receipt.tenders && receipt.tenders.length > 0 ? (
        <table class="receipt-tenders" data-testid="receipt-tenders">
          <tbody>
            {receipt.tenders.map((t, i) => (
              <tr key={i}>
                <th scope="row">
                  {TENDER_LABEL[t.method]}
                  {t.givenCents !== undefined && t.givenCents !== t.amountCents ? (
                    <small>given {money(t.givenCents, currency)}</small>
                  ) : null}
                </th>
                <td class="num">{money(t.amountCents, currency)}</td>
              </tr>
            ))}
            {change > 0 ? (
              <tr class="receipt-change">
                <th scope="row">Change</th>
                <td class="num" data-testid="receipt-change">
                  {money(change, currency)}
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      ) : receipt.tenders ? null : (
        <p class="muted">Payment not recorded.</p>
      )}
      <footer class="receipt-foot">
        {receipt.location} · {receipt.node}
      </footer>
      <div class="receipt-actions">
        <button type="button" class="primary" onClick={() => window.print()}>
          Print
        </button>
        <button type="button" onClick={onOlder} disabled={!onOlder}>
          Older
        </button>
        <button type="button" onClick={onNewer} disabled={!onNewer}>
          Newer
        </button>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
    </section>
  );
};
