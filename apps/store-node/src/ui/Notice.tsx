import { cashierText } from './messages.js';

/** The outcome of the last action on a screen; an error's `code` is for the console, not the screen. */
export type NoticeValue =
  | { readonly kind: 'ok'; readonly text: string }
  | { readonly kind: 'error'; readonly code?: string; readonly text: string }
  | null;

/** Success in a polite live region, errors in an alert (read out at once) in the cashier's words. */
export const Notice = ({ value }: { value: NoticeValue }) => {
  if (!value) return <div class="notice-slot" />;
  if (value.kind === 'ok')
    return (
      <div class="notice notice-ok" role="status" data-testid="notice">
        {value.text}
      </div>
    );
  return (
    <div class="notice notice-error" role="alert" data-testid="notice" data-code={value.code}>
      {value.code ? cashierText(value.code, value.text) : value.text}
    </div>
  );
};
