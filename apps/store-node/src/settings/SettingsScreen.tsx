import { bridge, type CredentialProtection } from '../../shared/bridge.js';
import { Addresses, LineLimitForm } from '../config/node-settings.js';
import { terminalCredentialStore } from '../node/credential-store.js';
import { useAsync, useNode, useObservable } from '../ui/hooks.js';
import { DEFAULT_LINE_LIMIT } from '../ui/quantity.js';
import { EnrollmentForm } from './EnrollmentForm.js';
import { SettingsForm } from './SettingsForm.js';

const PROTECTION: Record<CredentialProtection, string> = {
  'os-keyring': 'encrypted with the operating system’s key store',
  'weak-keyring': 'encrypted with a built-in key only (no key store on this system)',
  unencrypted: 'stored unencrypted on this device',
};

/**
 * Settings view: who the terminal is (from its enrollment), enrolling it again with a new code,
 * and its addresses. Saving or enrolling restarts it; its local log stays.
 */
export const SettingsScreen = () => {
  const node = useNode();
  const status = useObservable(node.sync.status$, node.sync.status);
  const { identity, settings } = node;
  const protection = useAsync(
    () =>
      terminalCredentialStore(bridge())
        .load()
        .then(
          (stored) => stored?.protection ?? null,
          () => null,
        ),
    [],
  );
  return (
    <section class="screen narrow-screen" aria-labelledby="settings-title">
      <h1 id="settings-title">Settings</h1>
      <p class="muted">
        This terminal is <strong data-testid="settings-node">{identity.node}</strong> at{' '}
        <strong>{identity.location}</strong> ({identity.region}), enrolled at the hub{' '}
        <span class="mono">{settings.hubUrl}</span>, syncing with <span class="mono">{settings.natsUrl}</span>.
        {protection ? <> Its credentials are {PROTECTION[protection]}.</> : null}
      </p>
      {status.pending > 0 ? (
        <p class="notice notice-warn" role="note">
          {status.pending} event(s) still wait to sync. They stay with terminal {identity.node}: enroll this till as
          another terminal only after they are synced.
        </p>
      ) : null}

      <h2>Addresses</h2>
      <SettingsForm
        idPrefix="settings"
        fields={[
          { key: 'natsUrl', label: 'NATS WebSocket URL', hint: 'e.g. wss://nats.example:7423' },
          { key: 'hubUrl', label: 'Hub URL', hint: 'where this till enrolls, e.g. https://hub.example:7480' },
        ]}
        schema={Addresses}
        initial={{ natsUrl: settings.natsUrl, hubUrl: settings.hubUrl }}
        submitLabel="Save and restart"
        autoFocus={status.authProblem === null}
        onSubmit={async (addresses) => {
          try {
            await terminalCredentialStore(bridge()).save({ ...settings, ...addresses });
          } catch (error) {
            return `The settings could not be saved: ${String((error as Error)?.message ?? error)}`;
          }
          location.reload();
          return null;
        }}
      />

      <h2>Quantities</h2>
      <SettingsForm
        idPrefix="line-limit"
        fields={[
          {
            key: 'maxLineQty',
            label: 'Ask before a line of more than',
            hint: 'units on one line (sales, returns, receiving, transfers, counts); default 99',
          },
        ]}
        schema={LineLimitForm}
        initial={{ maxLineQty: String(settings.maxLineQty ?? DEFAULT_LINE_LIMIT) }}
        submitLabel="Save and restart"
        autoFocus={false}
        onSubmit={async ({ maxLineQty }) => {
          try {
            await terminalCredentialStore(bridge()).save({ ...settings, maxLineQty });
          } catch (error) {
            return `The settings could not be saved: ${String((error as Error)?.message ?? error)}`;
          }
          location.reload();
          return null;
        }}
      />

      <h2>Enroll again</h2>
      <p class="muted">
        With a new one-time code from your manager, after the hub revoked this till or to give it a new key. Ask for a
        code for terminal <strong>{identity.node}</strong>: the till keeps every sale it recorded and sends the waiting
        ones once enrolled.
      </p>
      <EnrollmentForm
        idPrefix="reenroll"
        initial={{ hubUrl: settings.hubUrl, code: '', natsUrl: settings.natsUrl }}
        fields={['code', 'hubUrl']}
        submitLabel="Enroll again"
        autoFocus={status.authProblem !== null}
        onEnrolled={() => location.reload()}
      />
    </section>
  );
};
