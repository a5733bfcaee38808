import { randomFillSync } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { uuidv7 } from '@stocknerve/domain';
import type { Request, RequestHandler } from 'express';
import type { Role } from '../config.js';
import type { HubContext } from '../hub-context.js';
import type { Logger } from '../logger.js';
import type { Principal } from '../tokens/token-registry.js';

/** Per-request state the handlers share: who is asking, and the id that ties their logs together. */
export interface RequestContext {
  readonly correlationId: string;
  /** ctx.log with the correlation id bound. */
  readonly log: Logger;
  /** The client's address (behind trusted proxies: the forwarded one). */
  readonly ip: string;
  /** Set once the bearer token is checked (public routes: undefined). */
  role: Role | undefined;
  /** Whose token it is, and the channels it is limited to (public routes: undefined). */
  principal: Principal | undefined;
  /** The stream position a command of this request was recorded at (its answer's Stocknerve-Seq). */
  position?: number;
}

const contexts = new WeakMap<Request, RequestContext>();

/** The context of a request, if the request-context middleware ran. */
export const requestContextOf = (req: Request): RequestContext | undefined => contexts.get(req);

/** Valid incoming correlation ids; anything else is replaced. */
const CORRELATION_ID = /^[A-Za-z0-9_.:-]{1,128}$/;

/** Metrics label for requests that matched no route (keeps the label set bounded). */
export const UNMATCHED_ROUTE = '(unmatched)';

/** Random bytes for correlation ids, drawn from the OS for 256 ids at once rather than a system call
 * per request (docs/decisions/0023-allocation-on-hot-paths.md). */
const randomPool = Buffer.alloc(2560);
let poolOffset = randomPool.length;
const tenRandomBytes = (): Uint8Array => {
  if (poolOffset + 10 > randomPool.length) {
    randomFillSync(randomPool);
    poolOffset = 0;
  }
  poolOffset += 10;
  // A view, not a copy: uuidv7 reads it before the pool is refilled.
  return randomPool.subarray(poolOffset - 10, poolOffset);
};

/** A request's context: its correlation id (the valid one given, else a new UUIDv7) and a lazy logger. */
export const newRequestContext = (
  ctx: HubContext,
  givenCorrelationId: string | undefined,
  ip: string,
): RequestContext => {
  const correlationId =
    givenCorrelationId !== undefined && CORRELATION_ID.test(givenCorrelationId)
      ? givenCorrelationId
      : uuidv7(ctx.now(), tenRandomBytes());
  // The child logger is made on first use: most availability reads never log.
  let log: Logger | undefined;
  return {
    correlationId,
    get log() {
      log ??= ctx.log.child({ correlationId });
      return log;
    },
    ip,
    role: undefined,
    principal: undefined,
  };
};

/** What a finished request is counted and logged by. */
export interface FinishedRequest {
  readonly method: string;
  /** The matched route pattern, or UNMATCHED_ROUTE. */
  readonly route: string;
  readonly path: string;
  readonly status: number;
  /** performance.now() when the request arrived. */
  readonly started: number;
}

/** Counts a finished request by route pattern and logs it (availability, probes and scrapes at debug). */
export const finishRequest = (ctx: HubContext, rc: RequestContext, done: FinishedRequest): void => {
  ctx.metrics.countHttp(done.method, done.route, done.status);
  // Probes and scrapes come every few seconds, storefronts read availability thousands of times a
  // second (counted in /metrics): their successful answers stay out of the info log.
  const quiet = done.route === '/health' || done.route === '/metrics' || done.route.startsWith('/v1/availability');
  const level = quiet && done.status < 400 ? 'debug' : 'info';
  if (!ctx.log.isLevelEnabled(level)) return;
  rc.log[level](
    {
      method: done.method,
      route: done.route,
      path: done.path,
      status: done.status,
      ms: Math.round((performance.now() - done.started) * 10) / 10,
      role: rc.role,
      tokenId: rc.principal?.tokenId,
      ip: rc.ip,
    },
    'http request',
  );
};

/**
 * First middleware: takes `X-Correlation-Id` when valid (else makes a UUIDv7), echoes it, binds it to
 * a child logger, and when the response is finished logs the request and counts it by route pattern.
 */
export const requestContextMiddleware =
  (ctx: HubContext, clientIp: (req: IncomingMessage) => string): RequestHandler =>
  (req, res, next) => {
    const started = performance.now();
    const rc = newRequestContext(ctx, req.get('x-correlation-id'), clientIp(req));
    contexts.set(req, rc);
    res.setHeader('X-Correlation-Id', rc.correlationId);
    res.on('finish', () => {
      // req.route is the matched route; every route is registered with its full path on the app.
      const pattern: unknown = req.route?.path;
      finishRequest(ctx, rc, {
        method: req.method,
        route: typeof pattern === 'string' ? pattern : UNMATCHED_ROUTE,
        path: req.path,
        status: res.statusCode,
        started,
      });
    });
    next();
  };
