import express, { type Express, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import type { Access } from './auth.js';
import type { HttpGate } from './gate.js';
import { awaitMinSeq, MIN_SEQ_HEADER, SEQ_HEADER, type ViewPositions } from './positions.js';
import { invalidRequest, type Reply, wholeText } from './reply.js';
import { type RequestContext, requestContextOf } from './request-context.js';
import { check, type Issue } from './validation.js';

/** A documented response of an operation. */
export interface ResponseDoc {
  readonly description: string;
  /** Body schema (JSON); omitted for bodies described only in words. */
  readonly schema?: z.ZodType;
  /** Default application/json. */
  readonly contentType?: string;
}

export type HttpMethod = 'get' | 'post' | 'put';

/** What a handler gets: the validated parts of the request and its context. */
export interface RouteInput<P, Q, H, B> {
  readonly params: P;
  readonly query: Q;
  readonly headers: H;
  readonly body: B;
  readonly rc: RequestContext;
}

/**
 * One operation: its path, who may call it, the zod schemas of its inputs (validated before the
 * handler runs, and turned into the OpenAPI document) and its responses.
 */
export interface RouteSpec<P extends z.ZodType, Q extends z.ZodType, H extends z.ZodType, B extends z.ZodType> {
  readonly method: HttpMethod;
  /** Express path, e.g. `/v1/reservations/:id`. */
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  readonly tag: string;
  readonly access: Access;
  readonly params?: P;
  readonly query?: Q;
  /** Header schema; keys in lower case. */
  readonly headers?: H;
  readonly body?: B;
  readonly responses: Readonly<Record<number, ResponseDoc>>;
  handle(input: RouteInput<z.output<P>, z.output<Q>, z.output<H>, z.output<B>>): Reply | Promise<Reply>;
}

/** A route with its types erased: what the app mounts and the OpenAPI builder reads. */
export interface Route {
  readonly method: HttpMethod;
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly description: string | undefined;
  readonly tag: string;
  readonly access: Access;
  readonly params: z.ZodType | undefined;
  readonly query: z.ZodType | undefined;
  readonly headers: z.ZodType | undefined;
  readonly body: z.ZodType | undefined;
  readonly responses: Readonly<Record<number, ResponseDoc>>;
  /** Validates the inputs (400 with every issue) and runs the handler. */
  run(req: Request, rc: RequestContext): Promise<Reply>;
}

const NO_BODY = z.never({ error: 'a JSON body (Content-Type: application/json) is required' });

/** One part of a request checked against its schema (none: nothing to check); its issues are added to `issues`. */
const checkedPart = <S extends z.ZodType>(
  issues: Issue[],
  schema: S | undefined,
  value: unknown,
  where: Issue['in'],
): z.output<S> => {
  if (!schema) return undefined as z.output<S>;
  const checked = check(schema, value, where);
  if (checked.ok) return checked.data;
  issues.push(...checked.issues);
  return undefined as z.output<S>;
};

/** Defines a route; the handler is typed by the schemas it declares. */
export const route = <
  P extends z.ZodType = z.ZodType<unknown>,
  Q extends z.ZodType = z.ZodType<unknown>,
  H extends z.ZodType = z.ZodType<unknown>,
  B extends z.ZodType = z.ZodType<unknown>,
>(
  spec: RouteSpec<P, Q, H, B>,
): Route => ({
  method: spec.method,
  path: spec.path,
  operationId: spec.operationId,
  summary: spec.summary,
  description: spec.description,
  tag: spec.tag,
  access: spec.access,
  params: spec.params,
  query: spec.query,
  headers: spec.headers,
  body: spec.body,
  responses: spec.responses,
  run: async (req, rc) => {
    const issues: Issue[] = [];
    const params = checkedPart(issues, spec.params, req.params, 'path');
    const query = checkedPart(issues, spec.query, req.query, 'query');
    const headers = checkedPart(issues, spec.headers, req.headers, 'header');
    // express.json leaves the body undefined when the request is not JSON: say so instead of a type error.
    const body =
      spec.body && req.body === undefined
        ? checkedPart(issues, NO_BODY, undefined, 'body')
        : checkedPart(issues, spec.body, req.body, 'body');
    if (issues.length > 0) return invalidRequest(issues);
    return spec.handle({ params, query, headers, body, rc });
  },
});

/** Largest JSON body a route reads, bytes. */
export const JSON_BODY_LIMIT = 1024 * 1024;

/** Sends a reply through express. */
export const sendReply = (res: Response, reply: Reply): void => {
  res.status(reply.status);
  if ('text' in reply) {
    res.type(reply.contentType).send(wholeText(reply.text));
    return;
  }
  for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
  res.json(reply.json);
};

/**
 * Registers routes on the app with their full paths: bearer check and rate limits, then (only for a
 * route that takes one, and only once the caller may call it) the JSON body, validation, handler,
 * reply. A stranger's body is never parsed.
 */
export const mountRoutes = (
  app: Express,
  routes: readonly Route[],
  gate: HttpGate,
  positions?: { readonly views: ViewPositions; readonly waitMs: number },
): void => {
  const jsonBody = express.json({ limit: JSON_BODY_LIMIT });
  for (const r of routes) {
    const admit: RequestHandler = (req, res, next) => {
      const rc = requestContextOf(req);
      if (!rc) throw new Error('request context middleware did not run');
      const auth = gate.authorize(r.access, req.get('authorization'), rc.ip);
      if (!auth.ok) {
        sendReply(res, auth.reply);
        return;
      }
      rc.principal = auth.principal;
      rc.role = auth.principal?.role;
      next();
    };
    const handle: RequestHandler = async (req, res) => {
      const rc = requestContextOf(req);
      if (!rc) throw new Error('request context middleware did not run');
      const waited = positions && (await awaitMinSeq(req.get(MIN_SEQ_HEADER), positions.views, positions.waitMs));
      if (waited) {
        sendReply(res, waited);
        return;
      }
      const reply = await r.run(req, rc);
      if (positions) res.setHeader(SEQ_HEADER, String(rc.position ?? positions.views.checkpoint));
      sendReply(res, reply);
    };
    if (r.body) app[r.method](r.path, admit, jsonBody, handle);
    else app[r.method](r.path, admit, handle);
  }
};
