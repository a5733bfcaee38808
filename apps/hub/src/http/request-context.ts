import { randomBytes } from 'node:crypto';
import { uuidv7 } from '@stocknerve/domain';
import type { Request, RequestHandler } from 'express';
import type { Role } from '../config.js';
import type { HubContext } from '../hub-context.js';
import type { Logger } from '../logger.js';

/** Per-request state the handlers share: who is asking, and the id that ties their logs together. */
export interface RequestContext {
  readonly correlationId: string;
  /** ctx.log with the correlation id bound. */
  readonly log: Logger;
  /** Set once the bearer token is checked (public routes: undefined). */
  role: Role | undefined;
}

const contexts = new WeakMap<Request, RequestContext>();

/** The context of a request, if the request-context middleware ran. */
export const requestContextOf = (req: Request): RequestContext | undefined => contexts.get(req);

/** Valid incoming correlation ids; anything else is replaced. */
const CORRELATION_ID = /^[A-Za-z0-9_.:-]{1,128}$/;

/** Metrics label for requests that matched no route (keeps the label set bounded). */
export const UNMATCHED_ROUTE = '(unmatched)';

/**
 * First middleware: takes `X-Correlation-Id` when valid (else makes a UUIDv7), echoes it, binds it to
 * a child logger, and when the response is finished logs the request and counts it by route pattern.
 */
export const requestContextMiddleware =
  (ctx: HubContext): RequestHandler =>
  (req, res, next) => {
    const started = performance.now();
    const given = req.get('x-correlation-id');
    const correlationId =
      given !== undefined && CORRELATION_ID.test(given) ? given : uuidv7(ctx.now(), randomBytes(10));
    // The child logger is made on first use: most availability reads never log.
    let log: Logger | undefined;
    const rc: RequestContext = {
      correlationId,
      get log() {
        log ??= ctx.log.child({ correlationId });
        return log;
      },
      role: undefined,
    };
    contexts.set(req, rc);
    res.setHeader('X-Correlation-Id', correlationId);
    res.on('finish', () => {
      // req.route is the matched route; every route is registered with its full path on the app.
      const pattern: unknown = req.route?.path;
      const route = typeof pattern === 'string' ? pattern : UNMATCHED_ROUTE;
      ctx.metrics.countHttp(req.method, route, res.statusCode);
      // Probes and scrapes come every few seconds, storefronts read availability thousands of times a
      // second (counted in /metrics): their successful answers stay out of the info log.
      const quiet = route === '/health' || route === '/metrics' || route.startsWith('/v1/availability');
      const level = quiet && res.statusCode < 400 ? 'debug' : 'info';
      if (!ctx.log.isLevelEnabled(level)) return;
      rc.log[level](
        {
          method: req.method,
          route,
          path: req.path,
          status: res.statusCode,
          ms: Math.round((performance.now() - started) * 10) / 10,
          role: rc.role,
        },
        'http request',
      );
    });
    next();
  };
