/** The outcome of the last action on a screen. */
export type NoticeValue =
  | { readonly kind: 'ok'; readonly text: string }
  | { readonly kind: 'error'; readonly code?: string; readonly text: string }
  | null;

/** Success in a polite live region, errors in an alert (read out at once). */
export const Notice = ({ value }: { value: NoticeValue }) => {
  if (!value) return <div class="notice-slot" />;
  if (value.kind === 'ok')
    return (
      <div class="notice notice-ok" role="status" data-testid="notice">
        {value.text}
      </div>
    );
  return (
    <div class="notice notice-error" role="alert" data-testid="notice">
      {value.code ? <strong class="notice-code">{value.code}</strong> : null}
      {value.text}
    </div>
  );
};
