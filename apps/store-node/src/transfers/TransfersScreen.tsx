import { useRef, useState } from 'preact/hooks';
import { newReference } from '../node/references.js';
import { CompleteButton, LineRow, LineScanField, LinesTable, QtyInput } from '../ui/DocumentParts.js';
import { useNode } from '../ui/hooks.js';
import { LocationSelect } from '../ui/LocationSelect.js';
import { type Line, lineOf, useLines } from '../ui/lines.js';
import { Notice, type NoticeValue } from '../ui/Notice.js';
import { useCompleteKey } from '../ui/shortcuts.js';

/** Goods out to another store or the warehouse. */
export const TransfersScreen = () => {
  const node = useNode();
  const scanRef = useRef<HTMLInputElement>(null);
  const [to, setTo] = useState('');
  const lines = useLines<Line>();
  const [notice, setNotice] = useState<NoticeValue>(null);

  const record = async () => {
    if (!to) {
      setNotice({ kind: 'error', text: 'Choose where the goods go.' });
      return;
    }
    if (lines.lines.length === 0) {
      setNotice({ kind: 'error', text: 'Nothing to ship yet: scan the items.' });
      return;
    }
    const transferId = newReference('TR', node.identity.node);
    const outcome = await node.commands.run(() => ({
      correlationId: transferId,
      command: {
        type: 'ShipTransfer',
        data: { transferId, to, lines: lines.lines.map((l) => ({ sku: l.sku, qty: l.qty })) },
      },
    }));
    if (outcome.ok) {
      const units = lines.lines.reduce((s, l) => s + l.qty, 0);
      setNotice({
        kind: 'ok',
        text: `Transfer ${transferId} to ${to} shipped: ${units} units. Write the number on the parcel.`,
      });
      lines.clear();
    } else setNotice({ kind: 'error', code: outcome.code, text: outcome.message });
    scanRef.current?.focus();
  };
  useCompleteKey(() => void record());

  return (
    <section class="screen" aria-labelledby="transfers-title">
      <h1 id="transfers-title">Transfer out</h1>
      <div class="two-columns">
        <div class="work">
          <LocationSelect id="transfer-to" label="Ship to" value={to} onChange={setTo} />
          <LineScanField
            id="transfer-scan"
            label="Scan item to ship"
            inputRef={scanRef}
            lines={lines}
            toLine={lineOf}
            setNotice={setNotice}
          />
          <LinesTable
            label="Transfer lines"
            headers={['Item', 'SKU', { text: 'Qty', num: true }]}
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
              </LineRow>
            ))}
          </LinesTable>
        </div>
        <aside class="side" aria-label="Transfer">
          <CompleteButton onClick={() => void record()}>Ship transfer</CompleteButton>
          <Notice value={notice} />
        </aside>
      </div>
    </section>
  );
};
