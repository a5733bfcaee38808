import { ageText, agoText } from '../node/format.js';
import { wrongClock } from '../sync/ClockWarning.js';
import { useBrowserOnline, useNode, useNow, useObservable } from '../ui/hooks.js';

/**
 * Always-visible sync state: online/offline, events waiting and the oldest one's age. A healthy
 * idle till reads "Up to date"; the age of the last hub contact shows only when it matters (events
 * waiting, or no link). The browser's own offline flag counts: a socket may look open for a while
 * after the network went away.
 */
export const SyncBadge = ({ onOpen }: { onOpen: () => void }) => {
  const node = useNode();
  const status = useObservable(node.sync.status$, node.sync.status);
  const now = useNow(1000);
  const browserOnline = useBrowserOnline();
  const state = status.restoring ? 'restoring' : status.connected && browserOnline ? 'online' : 'offline';
  const stateText = { restoring: 'Restoring', online: 'Online', offline: 'Offline' }[state];
  const idle = status.pending === 0;
  const waiting = idle ? (state === 'online' ? 'Up to date' : 'Nothing waiting') : `${status.pending} waiting`;
  const oldest = status.oldestPendingAgeMs === null ? '' : ` (oldest ${ageText(status.oldestPendingAgeMs)})`;
  const contact =
    state === 'online' && idle
      ? null
      : status.lastContactAt
        ? `hub ${agoText(now - status.lastContactAt)}`
        : 'no hub contact yet';
  const clockWrong = wrongClock(status) !== null;
  return (
    <button
      type="button"
      class={`sync-badge sync-${state}${clockWrong ? ' sync-clock-wrong' : ''}`}
      data-testid="sync-badge"
      data-state={state}
      data-clock={status.clock === null ? 'unchecked' : clockWrong ? 'wrong' : 'ok'}
      data-pending={status.pending}
      onClick={onOpen}
      aria-keyshortcuts="Alt+9"
      title="Open the sync panel (Alt+9)"
    >
      <span class="dot" aria-hidden="true" />
      <span data-testid="sync-state">{stateText}</span>
      <span class="sep" aria-hidden="true">
        ·
      </span>
      <span data-testid="sync-waiting">
        {waiting}
        {oldest}
      </span>
      {contact ? (
        <>
          <span class="sep" aria-hidden="true">
            ·
          </span>
          <span data-testid="sync-contact">{contact}</span>
        </>
      ) : null}
      {clockWrong ? (
        <>
          <span class="sep" aria-hidden="true">
            ·
          </span>
          <span class="clock-wrong">Clock wrong</span>
        </>
      ) : null}
    </button>
  );
};
