import { useRef, useState } from 'preact/hooks';
import { newReference } from '../node/references.js';
import { CompleteButton, LineRow, LineScanField, LinesTable, QtyInput } from '../ui/DocumentParts.js';
import { useAutoFocus, useNode } from '../ui/hooks.js';
import { LocationSelect } from '../ui/LocationSelect.js';
import { type Line, lineOf, useLines } from '../ui/lines.js';
import { Notice, type NoticeValue } from '../ui/Notice.js';
import { useCompleteKey } from '../ui/shortcuts.js';

/** `qty` is what arrived; `expected` what the delivery note or order says (NaN: not given). */
interface ReceivingLine extends Line {
  readonly expected: number;
}

type Source = 'purchase-order' | 'transfer';

const differenceOf = (l: ReceivingLine) => (Number.isNaN(l.expected) ? null : l.qty - l.expected);

/** Goods in: against a purchase order or an incoming transfer, with expected vs received. */
export const ReceivingScreen = () => {
  const node = useNode();
  const refRef = useAutoFocus<HTMLInputElement>();
  const scanRef = useRef<HTMLInputElement>(null);
  const [source, setSource] = useState<Source>('purchase-order');
  const [reference, setReference] = useState('');
  const [from, setFrom] = useState('');
  const lines = useLines<ReceivingLine>();
  const [notice, setNotice] = useState<NoticeValue>(null);

  const record = async () => {
    const ref = reference.trim() || newReference(source === 'transfer' ? 'TR' : 'PO', node.identity.node);
    const differing = lines.lines.filter((l) => (differenceOf(l) ?? 0) !== 0);
    const received = source === 'purchase-order' ? lines.lines.filter((l) => l.qty > 0) : lines.lines;
    if (received.length === 0) {
      setNotice({ kind: 'error', text: 'Nothing received yet: scan the items that arrived.' });
      return;
    }
    if (source === 'transfer' && !from) {
      setNotice({ kind: 'error', text: 'Choose the location the transfer comes from.' });
      return;
    }
    const outcome = await node.commands.run(() =>
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
    );
    if (outcome.ok) {
      const units = received.reduce((s, l) => s + l.qty, 0);
      const gaps = differing.map((l) => `${l.sku} expected ${l.expected}, received ${l.qty}`).join('; ');
      setNotice({
        kind: 'ok',
        text: `${source === 'transfer' ? 'Transfer' : 'Order'} ${ref} received: ${units} units.${gaps ? ` Discrepancies: ${gaps}.` : ''}`,
      });
      lines.clear();
      setReference('');
      refRef.current?.focus();
    } else setNotice({ kind: 'error', code: outcome.code, text: outcome.message });
  };
  useCompleteKey(() => void record());

  const totalExpected = lines.lines.reduce((s, l) => s + (Number.isNaN(l.expected) ? 0 : l.expected), 0);
  const totalReceived = lines.lines.reduce((s, l) => s + l.qty, 0);

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
                value={reference}
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
            ) : null}
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
                    {diff === null ? '—' : diff > 0 ? `+${diff}` : String(diff)}
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
          <CompleteButton onClick={() => void record()}>Record receipt</CompleteButton>
          <Notice value={notice} />
        </aside>
      </div>
    </section>
  );
};
