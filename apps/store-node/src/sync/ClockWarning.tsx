import { clockWarningText, isClockWrong } from '@stocknerve/domain';
import type { SyncStatus } from '@stocknerve/sync';
import { useNode, useObservable } from '../ui/hooks.js';

/** The clock check's verdict when it says this till's clock is wrong, else null. */
export const wrongClock = (status: SyncStatus): NonNullable<SyncStatus['clock']> | null =>
  status.clock && isClockWrong(status.clock) ? status.clock : null;

/** Whether this till's clock is wrong, as its last check against the hub found it. */
export const useWrongClock = () => {
  const node = useNode();
  return wrongClock(useObservable(node.sync.status$, node.sync.status));
};

/**
 * Tells the cashier the till's clock is wrong (as the hub's answer found it), and what that means:
 * counts are refused until it is fixed, sales are not. Nothing while the clock is right or unchecked.
 */
export const ClockWarning = () => {
  const clock = useWrongClock();
  if (!clock) return null;
  return (
    <div class="clock-warning" role="alert" data-testid="clock-warning">
      {clockWarningText(clock)}
    </div>
  );
};
