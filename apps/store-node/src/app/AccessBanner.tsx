import { useNode, useObservable } from '../ui/hooks.js';

/**
 * Shown while NATS refuses this till's credentials (revoked or expired at the hub). The till keeps
 * recording; only a new enrollment (Settings) lets its waiting events reach the hub.
 */
export const AccessBanner = ({ onEnrollAgain }: { onEnrollAgain: () => void }) => {
  const node = useNode();
  const status = useObservable(node.sync.status$, node.sync.status);
  if (status.authProblem === null) return null;
  const what = /expired/i.test(status.authProblem)
    ? 'This till’s access to the hub has expired.'
    : 'This till’s access was revoked by the hub.';
  return (
    <div
      class="notice notice-error"
      role="alert"
      data-testid="access-banner"
      style={{ display: 'flex', alignItems: 'center', gap: '1rem', borderRadius: 0 }}
    >
      <span>{what} Sales are still recorded on this till; ask your manager to enroll it again.</span>
      <button type="button" onClick={onEnrollAgain}>
        Enroll again
      </button>
    </div>
  );
};
