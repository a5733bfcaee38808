import { referencePattern } from '@stocknerve/domain';
import { useRef, useState } from 'preact/hooks';
import { newReference } from '../node/references.js';
import { CompleteButton, LineRow, LineScanField, LinesTable, QtyInput } from '../ui/DocumentParts.js';
import { useAutoFocus, useNode } from '../ui/hooks.js';
import { LocationSelect } from '../ui/LocationSelect.js';
import { type Line, lineOf, useLines } from '../ui/lines.js';
import { Notice, type NoticeValue } from '../ui/Notice.js';
import { plural, ReviewStep, signed } from '../ui/ReviewStep.js';
import { useCompleteKey } from '../ui/shortcuts.js';

/** `qty` is what arrived; `expected` what the delivery note or order says (NaN: not given). */
interface ReceivingLine extends Line {
  readonly expected: number;
}

type Source = 'purchase-order' | 'transfer';

const differenceOf = (l: ReceivingLine) => (Number.isNaN(l.expected) ? null : l.qty - l.expected);

/** `20261207`: the till's local date, for the marked reference of a receipt without an order. */
const compactDate = (d: Date) =>
  `${d.getFullYear()}${String(d.getMonth() + 1).padStart(2, '0')}${String(d.getDate()).padStart(2, '0')}`;

/**
 * GoodsReceived needs a purchase order id. Goods that came without one get a reference nobody
 * could take for a real order number, so the office can find and match them later.
 */
const noPoReference = (node: string) => newReference(`NO-PO-${compactDate(new Date())}`, node);

const differenceText = (l: ReceivingLine) => {
  const diff = differenceOf(l) ?? 0;
  if (l.qty === 0) return `${l.sku} expected ${l.expected}, none arrived`;
  return `${l.sku} expected ${l.expected}, received ${l.qty} (${diff < 0 ? `${-diff} short` : `${diff} over`})`;
};

/**
 * Goods in: against a purchase order (or, chosen explicitly, none) or an incoming transfer, with
 * expected vs received. Recording goes through a review of the lines, totals and differences.
 */
export const ReceivingScreen = () => {
  const node = useNode();
  const refRef = useAutoFocus<HTMLInputElement>();
  const scanRef = useRef<HTMLInputElement>(null);
  const reviewRef = useRef<HTMLHeadingElement>(null);
  const [source, setSource] = useState<Source>('purchase-order');
  const [reference, setReference] = useState('');
  const [noPo, setNoPo] = useState(false);
  const [from, setFrom] = useState('');
  const lines = useLines<ReceivingLine>();
  const [notice, setNotice] = useState<NoticeValue>(null);
  /** The reference the receipt will be recorded under, while the cashier reviews it. */
  const [reviewing, setReviewing] = useState<string | null>(null);
  // F9 pressed twice while the first recording runs must not record the receipt twice.
  const recording = useRef(false);

  const withoutPo = source === 'purchase-order' && noPo;
  // A receipt of goods holds positive quantities only; a transfer's may say none of a line arrived.
  const received = source === 'purchase-order' ? lines.lines.filter((l) => l.qty > 0) : lines.lines;
  const missing = source === 'purchase-order' ? lines.lines.filter((l) => l.qty === 0) : [];
  const differing = lines.lines.filter((l) => (differenceOf(l) ?? 0) !== 0);
  const units = received.reduce((s, l) => s + l.qty, 0);

  const refuse = (text: string, focus?: HTMLElement | null) => {
    setNotice({ kind: 'error', text });
    focus?.focus();
  };

  const review = () => {
    const typed = reference.trim();
    if (source === 'purchase-order' && !noPo && !typed)
      return refuse(
        'Type the purchase order number, or tick "No purchase order" if the goods came without one.',
        refRef.current,
      );
    if (source === 'transfer' && !typed)
      return refuse('Type the transfer number from the delivery note.', refRef.current);
    if (!withoutPo && !referencePattern.test(typed))
      return refuse(
        `"${typed}" is not a valid number: use letters, digits and - _ . : only, without spaces.`,
        refRef.current,
      );
    if (source === 'transfer' && !from) return refuse('Choose the location the transfer comes from.');
    if (received.length === 0) return refuse('Nothing received yet: scan the items that arrived.', scanRef.current);
    setNotice(null);
    setReviewing(withoutPo ? noPoReference(node.identity.node) : typed);
    // The heading, not a button: a scanner's Enter must not record the receipt.
    requestAnimationFrame(() => reviewRef.current?.focus());
  };

  const back = () => {
    setReviewing(null);
    requestAnimationFrame(() => scanRef.current?.focus());
  };

  const record = async (ref: string) => {
    if (recording.current) return;
    recording.current = true;
    const outcome = await node.commands
      .run(() =>
        source === 'purchase-order'
          ? {
              correlationId: ref,
              command: {
                type: 'ReceiveGoods',
                data: {
                  purchaseOrderId: ref,
                  lines: received.map((l) => ({
                    sku: l.sku,
                    qty: l.qty,
                    ...(Number.isNaN(l.expected) ? {} : { expectedQty: l.expected }),
                  })),
                },
              },
            }
          : {
              correlationId: ref,
              command: {
                type: 'ReceiveTransfer',
                data: { transferId: ref, from, lines: received.map((l) => ({ sku: l.sku, qty: l.qty })) },
              },
            },
      )
      .finally(() => {
        recording.current = false;
      });
    setReviewing(null);
    if (outcome.ok) {
      const gaps = differing.map(differenceText).join('; ');
      const what = source === 'transfer' ? 'Transfer' : withoutPo ? 'Receipt without purchase order' : 'Order';
      setNotice({
        kind: 'ok',
        text: `${what} ${ref} received: ${units} units.${gaps ? ` Discrepancies: ${gaps}.` : ''}`,
      });
      lines.clear();
      setReference('');
      setNoPo(false);
      requestAnimationFrame(() => refRef.current?.focus());
    } else {
      setNotice({ kind: 'error', code: outcome.code, text: outcome.message });
      requestAnimationFrame(() => scanRef.current?.focus());
    }
  };
  useCompleteKey(() => void (reviewing === null ? review() : record(reviewing)));

  const totalExpected = lines.lines.reduce((s, l) => s + (Number.isNaN(l.expected) ? 0 : l.expected), 0);
  const totalReceived = lines.lines.reduce((s, l) => s + l.qty, 0);

  if (reviewing !== null) {
    const against =
      source === 'transfer'
        ? `Transfer ${reviewing} from ${from}`
        : withoutPo
          ? `No purchase order: recorded as ${reviewing}`
          : `Purchase order ${reviewing}`;
    return (
      <ReviewStep
        screen="receiving"
        title="Receiving"
        questionRef={reviewRef}
        question={
          <>
            Record receipt of {plural(received.length, 'line', 'lines')}, {plural(units, 'unit', 'units')}?
          </>
        }
        backLabel="Back to the lines"
        recordLabel="Record receipt"
        onBack={back}
        onRecord={() => void record(reviewing)}
      >
        <p data-testid="receiving-review-against">{against}</p>
        <table class="lines" aria-label="Lines to record">
          <thead>
            <tr>
              <th scope="col">Item</th>
              <th scope="col">SKU</th>
              <th scope="col" class="num">
                Expected
              </th>
              <th scope="col" class="num">
                Received
              </th>
              <th scope="col" class="num">
                Difference
              </th>
            </tr>
          </thead>
          <tbody>
            {lines.lines.map((l) => {
              const diff = differenceOf(l);
              return (
                <tr key={l.sku} class={diff ? 'discrepancy' : undefined}>
                  <td>{l.name}</td>
                  <td class="mono">{l.sku}</td>
                  <td class="num">{Number.isNaN(l.expected) ? '—' : l.expected}</td>
                  <td class="num">{l.qty}</td>
                  <td class="num" data-testid={`review-diff-${l.sku}`}>
                    {diff === null ? '—' : signed(diff)}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        {differing.length > 0 ? (
          <div class="notice notice-warn" data-testid="receiving-review-differences">
            {plural(differing.length, 'line differs', 'lines differ')} from what was expected, and will be recorded as
            received: {differing.map(differenceText).join('; ')}.
          </div>
        ) : null}
        {missing.length > 0 ? (
          <p class="muted">
            Lines where nothing arrived are not on the receipt: {missing.map((l) => l.sku).join(', ')}.
          </p>
        ) : null}
      </ReviewStep>
    );
  }

  return (
    <section class="screen" aria-labelledby="receiving-title">
      <h1 id="receiving-title">Receiving</h1>
      <div class="two-columns">
        <div class="work">
          <fieldset class="choice">
            <legend>Receiving against</legend>
            <label>
              <input
                type="radio"
                name="source"
                checked={source === 'purchase-order'}
                onChange={() => setSource('purchase-order')}
              />
              Purchase order
            </label>
            <label>
              <input
                type="radio"
                name="source"
                checked={source === 'transfer'}
                onChange={() => setSource('transfer')}
              />
              Incoming transfer
            </label>
          </fieldset>
          <div class="form-grid">
            <div class="form-row">
              <label for="receiving-ref">{source === 'transfer' ? 'Transfer number' : 'Purchase order number'}</label>
              <input
                id="receiving-ref"
                ref={refRef}
                type="text"
                autocomplete="off"
                value={withoutPo ? '' : reference}
                disabled={withoutPo}
                onInput={(e) => setReference(e.currentTarget.value)}
                onKeyDown={(e) => {
                  if (e.key === 'Enter') {
                    e.preventDefault();
                    scanRef.current?.focus();
                  }
                }}
              />
            </div>
            {source === 'transfer' ? (
              <LocationSelect id="receiving-from" label="From" value={from} onChange={setFrom} />
            ) : (
              <div class="form-row">
                <label>
                  <input
                    id="receiving-no-po"
                    type="checkbox"
                    checked={noPo}
                    onChange={(e) => setNoPo(e.currentTarget.checked)}
                  />{' '}
                  No purchase order
                </label>
                {noPo ? (
                  <small class="muted" data-testid="receiving-no-po-note">
                    Recorded as NO-PO-{compactDate(new Date())}-… so the office can match it to an order later.
                  </small>
                ) : null}
              </div>
            )}
          </div>
          <LineScanField
            id="receiving-scan"
            label="Scan received item"
            inputRef={scanRef}
            hint="Each scan counts one unit received (3*CODE: three). Type the expected quantity from the delivery note in the table."
            lines={lines}
            toLine={(p, qty) => ({ ...lineOf(p, qty), expected: Number.NaN })}
            setNotice={setNotice}
            minQty={0}
          />
          <LinesTable
            label="Received lines"
            headers={[
              'Item',
              'SKU',
              { text: 'Expected', num: true },
              { text: 'Received', num: true },
              { text: 'Difference', num: true },
            ]}
            empty={lines.lines.length === 0}
            lines={lines}
          >
            {lines.lines.map((l) => {
              const diff = differenceOf(l);
              return (
                <LineRow key={l.sku} line={l} lines={lines} class={diff ? 'discrepancy' : undefined}>
                  <td class="num">
                    <QtyInput
                      line={l}
                      label="Expected"
                      min={0}
                      optional
                      value={l.expected}
                      onChange={(expected) => lines.patch(l.sku, { expected })}
                    />
                  </td>
                  <td class="num">
                    <QtyInput
                      line={l}
                      label="Received"
                      min={0}
                      value={l.qty}
                      onChange={(qty) => lines.patch(l.sku, { qty })}
                    />
                  </td>
                  <td class="num" data-testid={`diff-${l.sku}`}>
                    {diff === null ? '—' : signed(diff)}
                  </td>
                </LineRow>
              );
            })}
          </LinesTable>
        </div>
        <aside class="side" aria-label="Receipt of goods">
          <p class="muted">
            Expected {totalExpected} · received {totalReceived}
          </p>
          <CompleteButton onClick={review}>Review receipt</CompleteButton>
          <Notice value={notice} />
        </aside>
      </div>
    </section>
  );
};
