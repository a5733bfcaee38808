import { EnrollmentFailed } from '@stocknerve/sync';

/** Why enrolling failed, in words for the person at the till, and what to do about it. */
export const enrollmentErrorText = (error: unknown, hubUrl: string): string => {
  if (!(error instanceof EnrollmentFailed)) return `Enrolling failed: ${String((error as Error)?.message ?? error)}`;
  switch (error.code) {
    case 'invalid-code':
      return 'This enrollment code is wrong or was already used. Check it, or ask your manager for a new code.';
    case 'code-expired':
      return 'This enrollment code has expired: ask your manager for a new code.';
    case 'unreachable':
      return `Cannot reach the hub at ${hubUrl}. Check the hub URL and this till's network connection, then try again.`;
    case 'rate_limited':
      return 'The hub received too many attempts from this till: wait a minute, then try again.';
    case 'enrollment-not-configured':
      return 'The hub cannot enroll terminals (it has no identity directory): tell your IT support.';
    default:
      return `The hub refused to enroll this till: ${error.message}`;
  }
};
