import { skewText } from '@stocknerve/domain';
import type { EventDoc, SyncStatus } from '@stocknerve/sync';
import { useEffect, useState } from 'preact/hooks';
import { ageText, agoText, clockTime } from '../node/format.js';
import { useAutoFocus, useNode, useNow, useObservable } from '../ui/hooks.js';
import { eventSummary } from './event-summary.js';

const RECENT = 100;

/** `2 s ahead of the hub (checked 4 min ago)`, or why nothing is known yet. */
const clockText = (clock: SyncStatus['clock'], now: number): string => {
  if (!clock) return 'not checked yet (no answer from the hub)';
  const off =
    clock.skewMs === 0
      ? 'same as the hub'
      : `${skewText(clock.skewMs)} ${clock.skewMs > 0 ? 'ahead of' : 'behind'} the hub`;
  return `${off} (checked ${agoText(now - clock.checkedAt)}; counts ${clock.ok ? 'allowed' : 'disabled'} beyond ${skewText(clock.maxSkewMs)})`;
};

/** This node's sync state in detail, and its recent events with their sync state. */
export const SyncPanel = () => {
  const node = useNode();
  const headingRef = useAutoFocus<HTMLHeadingElement>();
  const status = useObservable(node.sync.status$, node.sync.status);
  const now = useNow(1000);
  const [events, setEvents] = useState<readonly EventDoc[]>([]);
  useEffect(() => {
    const s = node.db.events
      .find({ selector: {}, sort: [{ seq: 'desc' }], limit: RECENT })
      .$.subscribe((docs) => setEvents(docs.map((d) => d.toJSON() as EventDoc)));
    return () => s.unsubscribe();
  }, [node]);
  const wm = status.hubWatermark;

  return (
    <section class="screen" aria-labelledby="sync-title">
      <h1 id="sync-title" ref={headingRef} tabIndex={-1}>
        Sync
      </h1>
      <dl class="status-grid" data-testid="sync-details">
        <dt>Connection</dt>
        <dd data-testid="sync-connection">{status.connected ? 'Online' : 'Offline'}</dd>
        <dt>Waiting to sync</dt>
        <dd data-testid="sync-pending">{status.pending}</dd>
        <dt>Oldest waiting</dt>
        <dd>{status.oldestPendingAgeMs === null ? '—' : ageText(status.oldestPendingAgeMs)}</dd>
        <dt>Last contact with hub</dt>
        <dd>{status.lastContactAt ? agoText(now - status.lastContactAt) : 'not since the app started'}</dd>
        <dt>Last acknowledgement</dt>
        <dd>{status.lastAckAt ? agoText(now - status.lastAckAt) : '—'}</dd>
        <dt>Clock</dt>
        <dd data-testid="sync-clock" class={status.clock && !status.clock.ok ? 'error-text' : undefined}>
          {clockText(status.clock, now)}
        </dd>
        <dt>Events recorded here</dt>
        <dd>{status.lastSeq}</dd>
        <dt>Applied at the hub</dt>
        <dd data-testid="sync-watermark">
          {wm
            ? `up to #${wm.watermark}${wm.gaps.length ? ` (gaps ${wm.gaps.map(([a, b]) => `${a}–${b}`).join(', ')})` : ''}`
            : '—'}
        </dd>
        <dt>Re-sent (anti-entropy)</dt>
        <dd>{status.resent}</dd>
        {status.invalidValues > 0 ? (
          <>
            <dt>Malformed hub values ignored</dt>
            <dd class="error-text">{status.invalidValues}</dd>
          </>
        ) : null}
        <dt>Last pulls</dt>
        <dd>
          {Object.entries(status.lastPull)
            .map(([bucket, at]) => `${bucket.replace('inv_', '')} ${agoText(now - at)}`)
            .join(' · ') || '—'}
        </dd>
        {status.lastError ? (
          <>
            <dt>Last error</dt>
            <dd class="error-text">{status.lastError}</dd>
          </>
        ) : null}
      </dl>
      <h2>Recent events of this terminal</h2>
      <table class="lines events" aria-label="Recent events" data-testid="sync-events">
        <thead>
          <tr>
            <th scope="col" class="num">
              Seq
            </th>
            <th scope="col">Event</th>
            <th scope="col">Document</th>
            <th scope="col">Recorded</th>
            <th scope="col">State</th>
          </tr>
        </thead>
        <tbody>
          {events.map((e) => {
            const applied = wm ? e.seq <= wm.watermark : false;
            const unacked = e.seq > status.ackedThrough || status.requeued.includes(e.seq);
            const state = unacked ? 'pending' : applied ? 'applied' : 'acked';
            return (
              <tr key={e.id} data-seq={e.seq} data-state={state}>
                <td class="num mono">{e.seq}</td>
                <td>{e.type}</td>
                <td class="mono small">{eventSummary(e.event)}</td>
                <td>{clockTime(e.recordedAt)}</td>
                <td>
                  <span class={`badge badge-${state}`}>{state}</span>
                </td>
              </tr>
            );
          })}
          {events.length === 0 ? (
            <tr class="empty">
              <td colSpan={5}>Nothing recorded on this terminal yet.</td>
            </tr>
          ) : null}
        </tbody>
      </table>
    </section>
  );
};
