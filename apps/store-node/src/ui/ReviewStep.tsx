import type { ComponentChildren, Ref } from 'preact';
import { CompleteButton } from './DocumentParts.js';

/** `+3`, `-2`, `0`: a difference as the review tables show it. */
export const signed = (n: number) => (n > 0 ? `+${n}` : String(n));

/** `1 line`, `3 lines`. */
export const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * The check before a document is recorded (receiving, counts): its question, what it will record,
 * and Back (or Escape anywhere in it) or Record. The question takes the focus, not a button, so a
 * scanner's Enter cannot record by accident.
 */
export const ReviewStep = ({
  screen,
  title,
  question,
  questionRef,
  backLabel,
  recordLabel,
  recordDisabled = false,
  onBack,
  onRecord,
  children,
  after,
}: {
  /** `counts`, `receiving`: ids and test ids are `<screen>-title`, `<screen>-review`… */
  screen: string;
  title: string;
  question: ComponentChildren;
  questionRef: Ref<HTMLHeadingElement>;
  backLabel: string;
  recordLabel: string;
  recordDisabled?: boolean;
  onBack: () => void;
  onRecord: () => void;
  /** What will be recorded, between the question and the buttons. */
  children: ComponentChildren;
  /** Below the buttons (e.g. why Record is disabled). */
  after?: ComponentChildren;
}) => (
  <section class="screen" aria-labelledby={`${screen}-title`}>
    <h1 id={`${screen}-title`}>{title}</h1>
    {/* biome-ignore lint/a11y/noStaticElementInteractions: Escape anywhere in the review goes back. */}
    <div
      class="work"
      data-testid={`${screen}-review`}
      onKeyDown={(e) => {
        if (e.key === 'Escape') onBack();
      }}
    >
      <h2 ref={questionRef} tabIndex={-1} data-testid={`${screen}-review-question`}>
        {question}
      </h2>
      {children}
      <div class="actions">
        <button type="button" onClick={onBack}>
          {backLabel} <kbd>Esc</kbd>
        </button>
        <CompleteButton onClick={onRecord} disabled={recordDisabled}>
          {recordLabel}
        </CompleteButton>
      </div>
      {after}
    </div>
  </section>
);
