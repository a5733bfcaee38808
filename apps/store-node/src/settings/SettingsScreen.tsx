import { saveSettings } from '../node/settings.js';
import { useNode, useObservable } from '../ui/hooks.js';
import { SettingsForm } from './SettingsForm.js';

/** Settings view: shows what the terminal runs with; saving restarts it with the new settings. */
export const SettingsScreen = () => {
  const node = useNode();
  const status = useObservable(node.sync.status$, node.sync.status);
  return (
    <section class="screen narrow-screen" aria-labelledby="settings-title">
      <h1 id="settings-title">Settings</h1>
      <p class="muted">
        This terminal is <strong data-testid="settings-node">{node.identity.node}</strong> at{' '}
        <strong>{node.identity.location}</strong> ({node.identity.region}), syncing with{' '}
        <span class="mono">{node.settings.natsUrl}</span>.
      </p>
      {status.pending > 0 ? (
        <p class="notice notice-warn" role="note">
          {status.pending} event(s) still wait to sync. They stay with terminal {node.identity.node}: change the
          terminal id or location only after they are synced.
        </p>
      ) : null}
      <SettingsForm
        initial={node.settings}
        submitLabel="Save and restart"
        onSave={(settings) => {
          saveSettings(settings);
          location.reload();
        }}
      />
    </section>
  );
};
