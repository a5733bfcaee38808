import { localStock } from '@stocknerve/sync';
import { useRef, useState } from 'preact/hooks';
import { newReference } from '../node/references.js';
import { useWrongClock } from '../sync/ClockWarning.js';
import { CompleteButton, LineRow, LineScanField, LinesTable, QtyInput } from '../ui/DocumentParts.js';
import { useAsync, useAutoFocus, useNode, useValue } from '../ui/hooks.js';
import { type Line, lineOf, useLines } from '../ui/lines.js';
import { Notice, type NoticeValue } from '../ui/Notice.js';
import { useCompleteKey } from '../ui/shortcuts.js';

/** Cycle counts: scan every unit on a shelf (or type counts); the count sets on hand as of now. */
export const CountsScreen = () => {
  const node = useNode();
  const areaRef = useAutoFocus<HTMLInputElement>();
  const scanRef = useRef<HTMLInputElement>(null);
  const [area, setArea] = useState('');
  const lines = useLines<Line>();
  const [notice, setNotice] = useState<NoticeValue>(null);
  const changed = useValue(node.data.eventsChanged$);
  // Recomputed on local events and on anything pulled: the hub's figures and this node's
  // watermark (which says which local events the figures already include) arrive separately.
  const hubChanged = useValue(node.data.hubChanged$);
  const figures = useAsync(() => localStock(node.db, node.identity), [changed, hubChanged]);
  // The decider refuses a count from a wrong clock too; this says so before the work is done.
  const wrongClock = useWrongClock();

  const record = async () => {
    if (lines.lines.length === 0) {
      setNotice({ kind: 'error', text: 'Nothing counted yet: scan the items on the shelf.' });
      return;
    }
    const countId = newReference('CNT', node.identity.node);
    const outcome = await node.commands.run(() => ({
      correlationId: countId,
      command: {
        type: 'RecordCount',
        data: {
          countId,
          ...(area.trim() ? { area: area.trim() } : {}),
          lines: lines.lines.map((l) => ({ sku: l.sku, countedQty: l.qty })),
        },
      },
    }));
    if (outcome.ok) {
      setNotice({ kind: 'ok', text: `Count ${countId} recorded for ${lines.lines.length} SKU(s).` });
      lines.clear();
      areaRef.current?.focus();
    } else setNotice({ kind: 'error', code: outcome.code, text: outcome.message });
  };
  useCompleteKey(() => void record());

  return (
    <section class="screen" aria-labelledby="counts-title">
      <h1 id="counts-title">Count</h1>
      <div class="two-columns">
        <div class="work">
          <div class="form-row">
            <label for="count-area">Shelf or area (optional)</label>
            <input
              id="count-area"
              ref={areaRef}
              type="text"
              maxLength={100}
              value={area}
              onInput={(e) => setArea(e.currentTarget.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter') {
                  e.preventDefault();
                  scanRef.current?.focus();
                }
              }}
            />
          </div>
          <LineScanField
            id="count-scan"
            label="Scan each unit"
            inputRef={scanRef}
            hint="Each scan counts one unit (12*CODE: twelve); or type the count in the table. *0 marks the last SKU as none on the shelf."
            lines={lines}
            toLine={lineOf}
            setNotice={setNotice}
            minQty={0}
          />
          <LinesTable
            label="Counted lines"
            headers={[
              'Item',
              'SKU',
              { text: 'System', num: true },
              { text: 'Counted', num: true },
              { text: 'Difference', num: true },
            ]}
            empty={lines.lines.length === 0}
            lines={lines}
          >
            {lines.lines.map((l) => {
              const system = figures?.get(l.sku)?.onHand ?? 0;
              const diff = l.qty - system;
              return (
                <LineRow key={l.sku} line={l} lines={lines} class={diff ? 'discrepancy' : undefined}>
                  <td class="num">{system}</td>
                  <td class="num">
                    <QtyInput
                      line={l}
                      label="Counted"
                      min={0}
                      value={l.qty}
                      onChange={(qty) => lines.patch(l.sku, { qty })}
                    />
                  </td>
                  <td class="num">{diff > 0 ? `+${diff}` : diff}</td>
                </LineRow>
              );
            })}
          </LinesTable>
        </div>
        <aside class="side" aria-label="Count">
          <CompleteButton onClick={() => void record()} disabled={wrongClock !== null}>
            Record count
          </CompleteButton>
          {wrongClock ? (
            <div class="notice notice-warn" data-testid="counts-disabled">
              Counts are disabled until this till's clock is fixed: the hub would hold a count stamped with a wrong
              time.
            </div>
          ) : null}
          <Notice value={notice} />
        </aside>
      </div>
    </section>
  );
};
