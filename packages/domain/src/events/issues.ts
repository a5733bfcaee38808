import type { z } from 'zod';

/** One validation problem, with the dotted path of the field it concerns. */
export interface FieldIssue {
  readonly path: string;
  readonly message: string;
}

/** Flattens zod issues into `{ path, message }` pairs (path `data.lines.0.qty`, or `(root)`). */
export const fieldIssues = (error: z.ZodError): FieldIssue[] =>
  error.issues.map((issue) => ({
    path: issue.path.length ? issue.path.map(String).join('.') : '(root)',
    message: issue.message,
  }));

/** One line a person can read: `data.lines.0.qty: qty must be positive; ...`. */
export const describeIssues = (issues: readonly FieldIssue[]): string =>
  issues.map((i) => `${i.path}: ${i.message}`).join('; ');
