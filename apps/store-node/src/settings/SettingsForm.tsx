import { fieldIssues } from '@stocknerve/domain';
import { useState } from 'preact/hooks';
import type { Provisioning } from '../../shared/provisioning.js';
import { NodeSettings } from '../config/node-settings.js';
import { useAutoFocus } from '../ui/hooks.js';

const FIELDS = [
  { key: 'natsUrl', label: 'NATS WebSocket URL', hint: 'e.g. ws://hub.example:7423 (wss:// in production)' },
  { key: 'location', label: 'Location (store id)', hint: 'e.g. store-001, as defined at the hub' },
  { key: 'region', label: 'Region', hint: 'the store’s region at the hub, e.g. north' },
  { key: 'node', label: 'Terminal id (node)', hint: 'unique per terminal for its whole life, e.g. store-001-t1' },
] as const;

type Key = (typeof FIELDS)[number]['key'];

/** The terminal's identity and hub address: first-run setup and the settings view. */
export const SettingsForm = ({
  initial,
  submitLabel,
  onSave,
}: {
  initial: Provisioning;
  submitLabel: string;
  onSave: (settings: NodeSettings) => void;
}) => {
  const firstRef = useAutoFocus<HTMLInputElement>();
  const [values, setValues] = useState<Record<Key, string>>({
    natsUrl: initial.natsUrl ?? '',
    location: initial.location ?? '',
    region: initial.region ?? '',
    node: initial.node ?? '',
  });
  const [errors, setErrors] = useState<Partial<Record<Key, string>>>({});
  const submit = (e: Event) => {
    e.preventDefault();
    const parsed = NodeSettings.safeParse(values);
    if (!parsed.success) {
      const next: Partial<Record<Key, string>> = {};
      for (const issue of fieldIssues(parsed.error)) next[issue.path as Key] ??= issue.message;
      setErrors(next);
      return;
    }
    setErrors({});
    onSave(parsed.data);
  };
  return (
    <form class="settings-form" onSubmit={submit} noValidate>
      {FIELDS.map((f, i) => (
        <div class="form-row" key={f.key}>
          <label for={`settings-${f.key}`}>{f.label}</label>
          <input
            id={`settings-${f.key}`}
            ref={i === 0 ? firstRef : undefined}
            type="text"
            autocomplete="off"
            spellcheck={false}
            value={values[f.key]}
            aria-invalid={errors[f.key] ? true : undefined}
            aria-describedby={`settings-${f.key}-hint`}
            onInput={(e) => {
              setValues({ ...values, [f.key]: e.currentTarget.value.trim() });
              setErrors({ ...errors, [f.key]: undefined });
            }}
          />
          <small id={`settings-${f.key}-hint`} class={errors[f.key] ? 'hint error-text' : 'hint'}>
            {errors[f.key] ?? f.hint}
          </small>
        </div>
      ))}
      <button type="submit" class="primary">
        {submitLabel}
      </button>
    </form>
  );
};
