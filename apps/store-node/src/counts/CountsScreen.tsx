import { clockWarningText } from '@stocknerve/domain';
import { localStock } from '@stocknerve/sync';
import { useRef, useState } from 'preact/hooks';
import { newReference } from '../node/references.js';
import { useWrongClock } from '../sync/ClockWarning.js';
import { CompleteButton, LineRow, LineScanField, LinesTable, QtyInput } from '../ui/DocumentParts.js';
import { useAsync, useAutoFocus, useNode, useValue } from '../ui/hooks.js';
import { type Line, lineOf, useLines } from '../ui/lines.js';
import { Notice, type NoticeValue } from '../ui/Notice.js';
import { plural, ReviewStep, signed } from '../ui/ReviewStep.js';
import { useCompleteKey } from '../ui/shortcuts.js';

/**
 * Cycle counts: scan every unit on a shelf (or type counts); the count sets on hand as of now, so
 * the cashier checks the variances against what the till knows before it is recorded.
 */
export const CountsScreen = () => {
  const node = useNode();
  const areaRef = useAutoFocus<HTMLInputElement>();
  const scanRef = useRef<HTMLInputElement>(null);
  const reviewRef = useRef<HTMLHeadingElement>(null);
  const [area, setArea] = useState('');
  const lines = useLines<Line>();
  const [notice, setNotice] = useState<NoticeValue>(null);
  const [reviewing, setReviewing] = useState(false);
  // F9 pressed twice while the first recording runs must not record the count twice.
  const recording = useRef(false);
  const changed = useValue(node.data.eventsChanged$);
  // Recomputed on local events and on anything pulled: the hub's figures and this node's
  // watermark (which says which local events the figures already include) arrive separately.
  const hubChanged = useValue(node.data.hubChanged$);
  const figures = useAsync(() => localStock(node.db, node.identity), [changed, hubChanged]);
  // The decider refuses a count from a wrong clock too; this says so before the work is done.
  const wrongClock = useWrongClock();

  /** What the till knows on hand for the SKU; undefined until its figures are read. */
  const systemOf = (sku: string): number | undefined => (figures ? (figures.get(sku)?.onHand ?? 0) : undefined);

  const review = () => {
    if (wrongClock) {
      setNotice({ kind: 'error', code: 'ClockSkew', text: clockWarningText(wrongClock) });
      return;
    }
    if (lines.lines.length === 0) {
      setNotice({ kind: 'error', text: 'Nothing counted yet: scan the items on the shelf.' });
      scanRef.current?.focus();
      return;
    }
    setNotice(null);
    setReviewing(true);
    // The heading, not a button: a scanner's Enter must not record the count.
    requestAnimationFrame(() => reviewRef.current?.focus());
  };

  const back = () => {
    setReviewing(false);
    requestAnimationFrame(() => scanRef.current?.focus());
  };

  const record = async () => {
    if (recording.current) return;
    recording.current = true;
    const countId = newReference('CNT', node.identity.node);
    const outcome = await node.commands
      .run(() => ({
        correlationId: countId,
        command: {
          type: 'RecordCount',
          data: {
            countId,
            ...(area.trim() ? { area: area.trim() } : {}),
            lines: lines.lines.map((l) => ({ sku: l.sku, countedQty: l.qty })),
          },
        },
      }))
      .finally(() => {
        recording.current = false;
      });
    setReviewing(false);
    if (outcome.ok) {
      setNotice({ kind: 'ok', text: `Count ${countId} recorded for ${lines.lines.length} SKU(s).` });
      lines.clear();
      requestAnimationFrame(() => areaRef.current?.focus());
    } else {
      setNotice({ kind: 'error', code: outcome.code, text: outcome.message });
      requestAnimationFrame(() => scanRef.current?.focus());
    }
  };
  useCompleteKey(() => void (reviewing ? record() : review()));

  const clockDisabled = wrongClock ? (
    <div class="notice notice-warn" data-testid="counts-disabled">
      Counts are disabled until this till's clock is fixed: the hub would hold a count stamped with a wrong time.
    </div>
  ) : null;

  if (reviewing) {
    const rows = lines.lines.map((l) => {
      const system = systemOf(l.sku);
      const diff = system === undefined ? null : l.qty - system;
      return { line: l, system, diff, zeroed: l.qty === 0 && system !== 0 };
    });
    const varying = rows.filter((r) => r.diff !== 0).length;
    const zeroed = rows.filter((r) => r.zeroed).length;
    return (
      <ReviewStep
        screen="counts"
        title="Count"
        questionRef={reviewRef}
        question={
          <>
            Record the count of {plural(rows.length, 'SKU', 'SKUs')}
            {area.trim() ? ` in ${area.trim()}` : ''}?
          </>
        }
        backLabel="Back to the count"
        recordLabel="Record count"
        recordDisabled={wrongClock !== null}
        onBack={back}
        onRecord={() => void record()}
        after={clockDisabled}
      >
        <p data-testid="counts-review-summary">
          {varying === 0
            ? 'Every count matches what this till knows.'
            : `${plural(varying, 'count differs', 'counts differ')} from what this till knows; the counted quantities become the stock on hand.`}
          {zeroed > 0 ? ` ${plural(zeroed, 'item is', 'items are')} set to none.` : ''}
        </p>
        <table class="lines" aria-label="Count variances">
          <thead>
            <tr>
              <th scope="col">Item</th>
              <th scope="col">SKU</th>
              <th scope="col" class="num">
                On hand (till)
              </th>
              <th scope="col" class="num">
                Counted
              </th>
              <th scope="col" class="num">
                Difference
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map(({ line, system, diff, zeroed }) => (
              <tr
                key={line.sku}
                class={diff ? 'discrepancy' : undefined}
                data-testid={`variance-${line.sku}`}
                data-zeroed={zeroed ? 'true' : undefined}
              >
                <td>
                  {line.name}
                  {zeroed ? (
                    <>
                      {' '}
                      <strong class="error-text">Set to none</strong>
                    </>
                  ) : null}
                </td>
                <td class="mono">{line.sku}</td>
                <td class="num">{system ?? '—'}</td>
                <td class="num">{line.qty}</td>
                <td class="num">{diff === null ? '—' : signed(diff)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </ReviewStep>
    );
  }

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
              const system = systemOf(l.sku) ?? 0;
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
                  <td class="num">{signed(diff)}</td>
                </LineRow>
              );
            })}
          </LinesTable>
        </div>
        <aside class="side" aria-label="Count">
          <CompleteButton onClick={review} disabled={wrongClock !== null}>
            Review count
          </CompleteButton>
          {clockDisabled}
          <Notice value={notice} />
        </aside>
      </div>
    </section>
  );
};
