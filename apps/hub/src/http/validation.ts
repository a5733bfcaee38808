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

/** Validates one part of a request with a zod schema; issues name the field. */
export const check = <S extends z.ZodType>(schema: S, value: unknown, part: InputPart): Checked<z.output<S>> => {
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, data: result.data };
  return {
    ok: false,
    issues: result.error.issues.map((i) => ({ in: part, path: i.path.map(String).join('.'), message: i.message })),
  };
};
