import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import type { Request } from 'express';
import type { HubContext } from '../hub-context.js';
import { INTERNAL_ERROR, INVALID_JSON_BODY } from './errors.js';
import type { HttpGate } from './gate.js';
import { MIN_SEQ_HEADER, SEQ_HEADER } from './positions.js';
import { json, type Reply } from './reply.js';
import { finishRequest, newRequestContext, type RequestContext } from './request-context.js';
import { JSON_BODY_LIMIT, type Route } from './route.js';

const SINGLE_PREFIX = '/v1/availability/';
const BATCH_PATH = '/v1/availability/batch';
const RESERVATIONS_PATH = '/v1/reservations';
/** The content types express.json reads as UTF-8 JSON, written the usual ways. */
const JSON_TYPES = new Set(['application/json', 'application/json; charset=utf-8', 'application/json;charset=utf-8']);

/** The availability routes served in front of express. */
export interface FastRoutes {
  /** GET /v1/availability/:sku */
  readonly single: Route;
  /** POST /v1/availability/batch */
  readonly batch: Route;
  /** POST /v1/reservations: a flash sale's storefronts place holds as fast as they read. */
  readonly placeReservation: Route;
}

/** The availability routes among the app's routes (by operation id). */
export const fastRoutesOf = (routes: readonly Route[]): FastRoutes => {
  const routeOf = (operationId: string): Route => {
    const r = routes.find((candidate) => candidate.operationId === operationId);
    if (!r) throw new Error(`the ${operationId} route is not defined`);
    return r;
  };
  return {
    single: routeOf('getAvailability'),
    batch: routeOf('getAvailabilityBatch'),
    placeReservation: routeOf('placeReservation'),
  };
};

/** The parts of express's request that route.run reads. */
interface RouteInput {
  readonly params: Record<string, string>;
  readonly query: unknown;
  readonly headers: IncomingMessage['headers'];
  readonly body?: unknown;
}

/**
 * The SKU of `GET /v1/availability/<sku>[?query]` written exactly so (one path segment, no trailing
 * slash, valid percent-encoding); undefined for anything else, which express's router then matches
 * with its own rules (case, trailing slash, HEAD).
 */
const skuOfPath = (url: string): { sku: string; path: string; query: string } | undefined => {
  if (!url.startsWith(SINGLE_PREFIX)) return undefined;
  const q = url.indexOf('?');
  const raw = url.slice(SINGLE_PREFIX.length, q < 0 ? undefined : q);
  if (raw.length === 0 || raw.includes('/')) return undefined;
  try {
    return { sku: decodeURIComponent(raw), path: SINGLE_PREFIX + raw, query: q < 0 ? '' : url.slice(q + 1) };
  } catch {
    return undefined;
  }
};

/**
 * A POST (availability batch, reservation) whose body express.json would read as plain UTF-8 JSON within its limit; anything
 * else (compressed, chunked, another charset, too large) is left to express and its error answers.
 */
const isPlainJsonPost = (req: IncomingMessage): boolean => {
  if (req.method !== 'POST' || (req.url !== BATCH_PATH && req.url !== RESERVATIONS_PATH)) return false;
  const type = req.headers['content-type']?.toLowerCase();
  const length = Number(req.headers['content-length']);
  const encoding = req.headers['content-encoding'];
  return (
    type !== undefined &&
    JSON_TYPES.has(type) &&
    (encoding === undefined || encoding.toLowerCase() === 'identity') &&
    req.headers['transfer-encoding'] === undefined &&
    Number.isInteger(length) &&
    length <= JSON_BODY_LIMIT
  );
};

const readBody = (req: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });

/** express.json's strict parse: empty is `{}`, a BOM is dropped, only an object or array is JSON. */
const parseJsonBody = (bytes: Buffer): { ok: true; body: unknown } | { ok: false } => {
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  if (text.length === 0) return { ok: true, body: {} };
  const first = text.trimStart()[0];
  if (first !== '{' && first !== '[') return { ok: false };
  try {
    return { ok: true, body: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
};

/** Writes a reply the way route.ts's `send` does through express (same status, type and body). */
const writeReply = (res: ServerResponse, reply: Reply): void => {
  let body: string | Uint8Array | readonly Uint8Array[];
  let contentType: string;
  if ('text' in reply) {
    body = reply.text;
    contentType = reply.contentType;
  } else {
    for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
    body = JSON.stringify(reply.json);
    contentType = 'application/json; charset=utf-8';
  }
  res.statusCode = reply.status;
  res.setHeader('Content-Type', contentType);
  if (typeof body === 'string' || body instanceof Uint8Array) {
    res.setHeader('Content-Length', typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength);
    res.end(body);
    return;
  }
  // A body in parts goes out as they are, in one write of the socket (corked until the end): copying
  // a 20-SKU batch (~90 KB) into a new buffer per request made most of the hub's major GCs.
  let length = 0;
  for (const part of body) length += part.byteLength;
  res.setHeader('Content-Length', length);
  res.cork();
  for (const part of body) res.write(part);
  res.end();
  res.uncork();
};

/**
 * The HTTP server's request listener: the storefronts' availability reads (`GET
 * /v1/availability/:sku` and `POST /v1/availability/batch`) and their holds (`POST /v1/reservations`)
 * are answered before express's router,
 * whose own cost per request caps the read rate (docs/decisions/0009-availability-fast-path.md),
 * with the same route objects (zod validation and handler), gate (rate limits, bearer check; before
 * the body is read), correlation id, metrics and log line as through express. Everything else goes
 * to `app`, and so does a GET whose answer throws (a safe read: express runs it again and answers
 * 500 its way).
 */
export const withFastAvailability = (
  ctx: HubContext,
  app: RequestListener,
  routes: FastRoutes,
  gate: HttpGate,
): RequestListener => {
  /** The gate's answer, or undefined once the caller is let in (noted in the request context). */
  const refusal = (route: Route, req: IncomingMessage, rc: RequestContext): Reply | undefined => {
    const limited = gate.admitAddress(rc.ip);
    if (limited) return limited;
    const auth = gate.authorize(route.access, req.headers.authorization, rc.ip);
    if (!auth.ok) return auth.reply;
    rc.principal = auth.principal;
    rc.role = auth.principal?.role;
    return undefined;
  };
  const respond = (res: ServerResponse, rc: RequestContext, route: Route, path: string, started: number) => {
    return (reply: Reply) => {
      res.setHeader('X-Correlation-Id', rc.correlationId);
      res.setHeader(SEQ_HEADER, String(rc.position ?? ctx.projector.checkpoint));
      writeReply(res, reply);
      finishRequest(ctx, rc, {
        method: route.method.toUpperCase(),
        route: route.path,
        path,
        status: reply.status,
        started,
      });
    };
  };
  // A reply that could not be written (the hub's own bug): logged, the connection closed, and never
  // an unhandled rejection, which would stop the hub.
  const failedWriting = (rc: RequestContext, res: ServerResponse) => (err: unknown) => {
    rc.log.error({ err }, 'could not write an availability answer');
    res.destroy();
  };
  const contextOf = (req: IncomingMessage) => {
    const given = req.headers['x-correlation-id'];
    return newRequestContext(ctx, typeof given === 'string' ? given : undefined, gate.clientIp(req));
  };

  return (req, res) => {
    // A request that waits for a position is rare: express's path has the wait.
    if (req.headers[MIN_SEQ_HEADER] !== undefined) {
      app(req, res);
      return;
    }
    const single = req.method === 'GET' ? skuOfPath(req.url ?? '') : undefined;
    if (single) {
      const started = performance.now();
      const rc = contextOf(req);
      const reply = respond(res, rc, routes.single, single.path, started);
      const refused = refusal(routes.single, req, rc);
      if (refused) {
        reply(refused);
        return;
      }
      const input: RouteInput = { params: { sku: single.sku }, query: parseQuery(single.query), headers: req.headers };
      routes.single
        .run(input as unknown as Request, rc)
        .then(reply, () => app(req, res))
        .catch(failedWriting(rc, res));
      return;
    }
    if (!isPlainJsonPost(req)) {
      app(req, res);
      return;
    }
    const route = req.url === BATCH_PATH ? routes.batch : routes.placeReservation;
    const started = performance.now();
    const rc = contextOf(req);
    const reply = respond(res, rc, route, route.path, started);
    const refused = refusal(route, req, rc);
    if (refused) {
      reply(refused);
      return;
    }
    readBody(req)
      .then(
        (bytes) => {
          const parsed = parseJsonBody(bytes);
          if (!parsed.ok) {
            reply(json(400, INVALID_JSON_BODY));
            return;
          }
          const input: RouteInput = { params: {}, query: {}, headers: req.headers, body: parsed.body };
          return route.run(input as unknown as Request, rc).then(reply, (err: unknown) => {
            // The body is read: express cannot run this request again.
            rc.log.error({ err }, 'unhandled error in HTTP handler');
            reply(json(500, INTERNAL_ERROR));
          });
        },
        // The client went away before its body arrived: nobody to answer.
        () => res.destroy(),
      )
      .catch(failedWriting(rc, res));
  };
};
