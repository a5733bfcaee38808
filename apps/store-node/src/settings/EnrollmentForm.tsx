import { bridge } from '../../shared/bridge.js';
import { EnrollmentRequest, type NodeSettings } from '../config/node-settings.js';
import { terminalCredentialStore } from '../node/credential-store.js';
import { type EnrollmentFields, enrollAndStore } from '../node/settings.js';
import { enrollmentErrorText } from './enrollment-errors.js';
import { type SettingsField, SettingsForm } from './SettingsForm.js';

const FIELDS: Record<keyof EnrollmentFields, SettingsField<keyof EnrollmentFields>> = {
  hubUrl: { key: 'hubUrl', label: 'Hub URL', hint: 'where this till enrolls, e.g. https://hub.example:7480' },
  code: { key: 'code', label: 'Enrollment code', hint: 'the one-time code your manager created for this till' },
  natsUrl: { key: 'natsUrl', label: 'NATS WebSocket URL', hint: 'e.g. wss://nats.example:7423' },
};

/**
 * Enrolls the terminal with a one-time code and stores its credentials. `fields`: which of hub
 * URL, code and NATS URL to show (the others keep their `initial` value).
 */
export const EnrollmentForm = ({
  idPrefix,
  initial,
  fields = ['hubUrl', 'code', 'natsUrl'],
  submitLabel,
  failure,
  autoFocus,
  onEnrolled,
}: {
  idPrefix: string;
  initial: EnrollmentFields;
  fields?: readonly (keyof EnrollmentFields)[];
  submitLabel: string;
  failure?: string | null;
  autoFocus?: boolean;
  onEnrolled: (settings: NodeSettings) => void;
}) => (
  <SettingsForm
    idPrefix={idPrefix}
    fields={fields.map((key) => FIELDS[key])}
    schema={EnrollmentRequest}
    initial={initial}
    submitLabel={submitLabel}
    busyLabel="Enrolling…"
    failure={failure ?? null}
    autoFocus={autoFocus ?? true}
    onSubmit={async (request) => {
      try {
        onEnrolled(await enrollAndStore(request, terminalCredentialStore(bridge())));
        return null;
      } catch (error) {
        return enrollmentErrorText(error, request.hubUrl);
      }
    }}
  />
);
