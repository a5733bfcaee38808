import type { Issue } from './validation.js';

/** What a handler answers: a JSON body or a text body, with a status. Sent by the router. */
export type Reply =
  | {
      readonly status: number;
      readonly json: unknown;
      readonly headers?: Readonly<Record<string, string>>;
    }
  | { readonly status: number; readonly text: ReplyText; readonly contentType: string };

/**
 * A serialized body: text, UTF-8 bytes, or UTF-8 bytes in parts written one after the other (a batch
 * of remembered answers is sent as it is remembered instead of copied into one buffer per request).
 */
export type ReplyText = string | Uint8Array | readonly Uint8Array[];

/** The parts of a body as one string or buffer (for writers that take a single chunk). */
export const wholeText = (text: ReplyText): string | Uint8Array =>
  typeof text === 'string' || text instanceof Uint8Array ? text : Buffer.concat(text);

export const json = (status: number, body: unknown, headers?: Readonly<Record<string, string>>): Reply =>
  headers ? { status, json: body, headers } : { status, json: body };

/** A JSON body that is already serialized (remembered answers), as text or UTF-8 bytes (in parts). */
export const jsonText = (status: number, text: ReplyText): Reply => ({
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
