import type { z } from 'zod';

/** Where in the request a value came from (OpenAPI's parameter locations plus the body). */
export type InputPart = 'path' | 'query' | 'header' | 'body';

/** One thing wrong with a request: where, which field (dotted path, '' for the whole part), what. */
export interface Issue {
  readonly in: InputPart;
  readonly path: string;
  readonly message: string;
}

export type Checked<T> = { readonly ok: true; readonly data: T } | { readonly ok: false; readonly issues: Issue[] };

/**
 * Control characters (C0, DEL, C1). No field of the API needs one, and in a name or a note they
 * can rewrite what a terminal, a log line or a CSV export shows.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point.
export const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

/** Every string in a request part (keys included) that holds a control character, by field. */
const controlCharacterIssues = (value: unknown, part: InputPart, path: string[], issues: Issue[]): void => {
  if (typeof value === 'string') {
    if (CONTROL_CHARACTERS.test(value))
      issues.push({
        in: part,
        path: path.join('.'),
        message: `${path.at(-1) ?? part} must not contain control characters`,
      });
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  for (const [key, inner] of Object.entries(value)) {
    if (CONTROL_CHARACTERS.test(key))
      issues.push({
        in: part,
        path: [...path, key].join('.'),
        message: 'field names must not contain control characters',
      });
    else controlCharacterIssues(inner, part, [...path, key], issues);
  }
};

/**
 * Validates one part of a request with a zod schema; issues name the field. A string with a control
 * character is refused whatever the schema says.
 */
export const check = <S extends z.ZodType>(schema: S, value: unknown, part: InputPart): Checked<z.output<S>> => {
  const issues: Issue[] = [];
  const result = schema.safeParse(value);
  // Of the headers, only those the route reads: HTTP allows a tab in any header value.
  if (part !== 'header') controlCharacterIssues(value, part, [], issues);
  else if (result.success) controlCharacterIssues(result.data, part, [], issues);
  if (result.success && issues.length === 0) return { ok: true, data: result.data };
  if (!result.success) {
    const seen = new Set(issues.map((i) => i.path));
    for (const i of result.error.issues) {
      const path = i.path.map(String).join('.');
      if (!seen.has(path)) issues.push({ in: part, path, message: i.message });
    }
  }
  return { ok: false, issues };
};
