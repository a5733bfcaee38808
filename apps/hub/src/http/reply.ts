import type { Issue } from './validation.js';

/** What a handler answers: a JSON body or a text body, with a status. Sent by the router. */
export type Reply =
  | {
      readonly status: number;
      readonly json: unknown;
      readonly headers?: Readonly<Record<string, string>>;
    }
  | { readonly status: number; readonly text: string | Uint8Array; readonly contentType: string };

export const json = (status: number, body: unknown, headers?: Readonly<Record<string, string>>): Reply =>
  headers ? { status, json: body, headers } : { status, json: body };

/** A JSON body that is already serialized (remembered answers), as text or UTF-8 bytes. */
export const jsonText = (status: number, text: string | Uint8Array): Reply => ({
  status,
  text,
  contentType: 'application/json; charset=utf-8',
});

/** An error answer: `{ error: code, message, ...extra }`. */
export const problem = (status: number, error: string, message: string, extra: Record<string, unknown> = {}): Reply =>
  json(status, { error, message, ...extra });

/** 400 with every validation issue. */
export const invalidRequest = (issues: readonly Issue[], message?: string): Reply =>
  problem(400, 'invalid-request', message ?? issues.map((i) => `${i.path || i.in}: ${i.message}`).join('; '), {
    issues,
  });

export const notFound = (message: string): Reply => problem(404, 'not-found', message);
