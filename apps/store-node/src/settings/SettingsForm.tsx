import { fieldIssues } from '@stocknerve/domain';
import { useState } from 'preact/hooks';
import type { z } from 'zod';
import { useAutoFocus } from '../ui/hooks.js';

/** One text field of a settings form. */
export interface SettingsField<K extends string> {
  readonly key: K;
  readonly label: string;
  readonly hint: string;
}

/**
 * A small form of text fields checked by a zod schema: first-run enrollment, enrolling again, and
 * the terminal's addresses. `onSubmit` resolves with a text to show under the form (what went
 * wrong) or null; the button is disabled meanwhile.
 */
export const SettingsForm = <K extends string, T>({
  idPrefix,
  fields,
  schema,
  initial,
  submitLabel,
  busyLabel,
  autoFocus = true,
  failure: initialFailure = null,
  onSubmit,
}: {
  /** Element ids are `<idPrefix>-<key>`. */
  idPrefix: string;
  fields: readonly SettingsField<K>[];
  schema: z.ZodType<T>;
  initial: Readonly<Record<K, string>>;
  submitLabel: string;
  busyLabel?: string;
  /** Focus the first empty field (else the first) when the form's screen is shown. Default true. */
  autoFocus?: boolean;
  /** A failure to show from the start (an enrollment that failed before the form was shown). */
  failure?: string | null;
  onSubmit: (value: T) => Promise<string | null>;
}) => {
  const focusRef = useAutoFocus<HTMLInputElement>();
  const [values, setValues] = useState<Record<K, string>>({ ...initial });
  const [errors, setErrors] = useState<Partial<Record<K, string>>>({});
  const [failure, setFailure] = useState<string | null>(initialFailure);
  const [busy, setBusy] = useState(false);
  const [focusKey] = useState(() => (fields.find((f) => !initial[f.key]) ?? fields[0])?.key);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    const parsed = schema.safeParse(values);
    if (!parsed.success) {
      const next: Partial<Record<K, string>> = {};
      for (const issue of fieldIssues(parsed.error)) next[issue.path as K] ??= issue.message;
      setErrors(next);
      return;
    }
    setErrors({});
    setFailure(null);
    setBusy(true);
    try {
      setFailure(await onSubmit(parsed.data));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="settings-form" onSubmit={(e) => void submit(e)} noValidate data-testid={`${idPrefix}-form`}>
      {fields.map((f) => (
        <div class="form-row" key={f.key}>
          <label for={`${idPrefix}-${f.key}`}>{f.label}</label>
          <input
            id={`${idPrefix}-${f.key}`}
            ref={autoFocus && f.key === focusKey ? focusRef : undefined}
            type="text"
            autocomplete="off"
            spellcheck={false}
            value={values[f.key]}
            aria-invalid={errors[f.key] ? true : undefined}
            aria-describedby={`${idPrefix}-${f.key}-hint`}
            onInput={(e) => {
              setValues({ ...values, [f.key]: e.currentTarget.value.trim() });
              setErrors({ ...errors, [f.key]: undefined });
            }}
          />
          <small id={`${idPrefix}-${f.key}-hint`} class={errors[f.key] ? 'hint error-text' : 'hint'}>
            {errors[f.key] ?? f.hint}
          </small>
        </div>
      ))}
      {failure ? (
        <p class="notice notice-error" role="alert" data-testid={`${idPrefix}-error`}>
          {failure}
        </p>
      ) : null}
      <button type="submit" class="primary" disabled={busy}>
        {busy ? (busyLabel ?? submitLabel) : submitLabel}
      </button>
    </form>
  );
};
