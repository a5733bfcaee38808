import { EnrollmentFailed } from '@stocknerve/sync';
import { describe, expect, it } from 'vitest';
import { enrollmentErrorText } from './enrollment-errors.js';

const HUB = 'https://hub.example:7480';
const text = (code: string, message = 'the hub said so') =>
  enrollmentErrorText(new EnrollmentFailed(message, code), HUB);

describe('enrollment errors for the person at the till', () => {
  it('says what to do for a wrong, used or expired code and an unreachable hub', () => {
    expect(text('invalid-code')).toMatch(/wrong or was already used.*ask your manager for a new code/);
    expect(text('code-expired')).toBe('This enrollment code has expired: ask your manager for a new code.');
    expect(text('unreachable')).toMatch(new RegExp(`Cannot reach the hub at ${HUB}.*try again`));
  });

  it('passes anything else on with the hub’s words', () => {
    expect(text('invalid-request', 'publicKey: must be a NATS user public key')).toBe(
      'The hub refused to enroll this till: publicKey: must be a NATS user public key',
    );
    expect(enrollmentErrorText(new Error('QuotaExceededError'), HUB)).toBe('Enrolling failed: QuotaExceededError');
  });
});
