import type { AdjustmentReason } from '@stocknerve/domain';
import { useRef, useState } from 'preact/hooks';
import { newReference } from '../node/references.js';
import { CompleteButton, LineRow, LineScanField, LinesTable, QtyInput } from '../ui/DocumentParts.js';
import { useAutoFocus, useNode } from '../ui/hooks.js';
import { type Line, lineOf, useLines } from '../ui/lines.js';
import { Notice, type NoticeValue } from '../ui/Notice.js';
import { useCompleteKey } from '../ui/shortcuts.js';

const REASONS: readonly { value: AdjustmentReason; label: string; sign: -1 | 1 | 0 }[] = [
  { value: 'damage', label: 'Damage (moves units to damaged)', sign: -1 },
  { value: 'theft', label: 'Theft', sign: -1 },
  { value: 'expiry', label: 'Expiry', sign: -1 },
  { value: 'found', label: 'Found', sign: 1 },
  { value: 'correction', label: 'Correction (+ or −)', sign: 0 },
];

/** Stock adjustments with a reason code; the sign follows the reason (correction: as typed). */
export const AdjustScreen = () => {
  const node = useNode();
  const reasonRef = useAutoFocus<HTMLSelectElement>();
  const scanRef = useRef<HTMLInputElement>(null);
  const [reason, setReason] = useState<AdjustmentReason>('damage');
  const [note, setNote] = useState('');
  const lines = useLines<Line>();
  const [notice, setNotice] = useState<NoticeValue>(null);
  const sign = REASONS.find((r) => r.value === reason)?.sign ?? 0;
  const deltaOf = (qty: number) => (sign === 0 ? qty : sign * Math.abs(qty));

  const record = async () => {
    if (lines.lines.length === 0) {
      setNotice({ kind: 'error', text: 'Nothing to adjust yet: scan the items.' });
      return;
    }
    const adjustmentId = newReference('ADJ', node.identity.node);
    const outcome = await node.commands.run(() => ({
      correlationId: adjustmentId,
      command: {
        type: 'AdjustStock',
        data: {
          adjustmentId,
          reason,
          ...(note.trim() ? { note: note.trim() } : {}),
          lines: lines.lines.map((l) => ({ sku: l.sku, delta: deltaOf(l.qty) })),
        },
      },
    }));
    if (outcome.ok) {
      setNotice({
        kind: 'ok',
        text: `Adjustment ${adjustmentId} (${reason}) recorded for ${lines.lines.length} SKU(s).`,
      });
      lines.clear();
      setNote('');
    } else setNotice({ kind: 'error', code: outcome.code, text: outcome.message });
    scanRef.current?.focus();
  };
  useCompleteKey(() => void record());

  return (
    <section class="screen" aria-labelledby="adjust-title">
      <h1 id="adjust-title">Adjust stock</h1>
      <div class="two-columns">
        <div class="work">
          <div class="form-grid">
            <div class="form-row">
              <label for="adjust-reason">Reason</label>
              <select
                id="adjust-reason"
                ref={reasonRef}
                value={reason}
                onChange={(e) => setReason(e.currentTarget.value as AdjustmentReason)}
              >
                {REASONS.map((r) => (
                  <option key={r.value} value={r.value}>
                    {r.label}
                  </option>
                ))}
              </select>
            </div>
            <div class="form-row">
              <label for="adjust-note">Note (optional)</label>
              <input
                id="adjust-note"
                type="text"
                maxLength={500}
                value={note}
                onInput={(e) => setNote(e.currentTarget.value)}
              />
            </div>
          </div>
          <LineScanField
            id="adjust-scan"
            label="Scan item"
            inputRef={scanRef}
            lines={lines}
            toLine={lineOf}
            setNotice={setNotice}
          />
          <LinesTable
            label="Adjustment lines"
            headers={[
              'Item',
              'SKU',
              { text: sign === 0 ? 'Change (±)' : 'Units', num: true },
              { text: 'Stock change', num: true },
            ]}
            empty={lines.lines.length === 0}
            lines={lines}
          >
            {lines.lines.map((l) => (
              <LineRow key={l.sku} line={l} lines={lines}>
                <td class="num">
                  <QtyInput
                    line={l}
                    label="Units"
                    signed={sign === 0}
                    value={l.qty}
                    onChange={(qty) => lines.patch(l.sku, { qty })}
                    onRemove={() => lines.remove(l.sku)}
                  />
                </td>
                <td class="num">{deltaOf(l.qty) > 0 ? `+${deltaOf(l.qty)}` : deltaOf(l.qty)}</td>
              </LineRow>
            ))}
          </LinesTable>
        </div>
        <aside class="side" aria-label="Adjustment">
          <CompleteButton onClick={() => void record()}>Record adjustment</CompleteButton>
          <Notice value={notice} />
        </aside>
      </div>
    </section>
  );
};
