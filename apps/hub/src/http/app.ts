import type { RequestListener } from 'node:http';
import express from 'express';
import type { HubContext } from '../hub-context.js';
import { reportsRouter } from '../reports/router.js';
import { errorHandler, notFoundHandler } from './errors.js';
import { fastRoutesOf, withFastAvailability } from './fast-availability.js';
import { createHttpGate, type HttpGate } from './gate.js';
import { watchNatsConnection } from './nats-state.js';
import { buildOpenApiDocument } from './openapi.js';
import { requestContextMiddleware, requestContextOf } from './request-context.js';
import { mountRoutes, type Route, sendReply } from './route.js';
import { adminRoutes } from './routes/admin.js';
import { availabilityRoutes } from './routes/availability.js';
import { locationRoutes } from './routes/locations.js';
import { operationsRoutes } from './routes/operations.js';
import { pickupRoutes } from './routes/pickups.js';
import { reservationRoutes } from './routes/reservations.js';
import { systemRoutes } from './routes/system.js';
import { enrollmentCors, terminalRoutes } from './routes/terminals.js';

/** The app's first middlewares: request context, then the client address's rate limit. */
export const useRequestGate = (app: express.Express, ctx: HubContext, gate: HttpGate): void => {
  app.set('trust proxy', ctx.config.trustProxy);
  app.use(requestContextMiddleware(ctx, gate.clientIp));
  app.use((req, res, next) => {
    const rc = requestContextOf(req);
    const limited = rc ? gate.admitAddress(rc.ip) : undefined;
    if (limited) sendReply(res, limited);
    else next();
  });
};

/**
 * The HTTP API: JSON, zod-validated, bearer-token roles, OpenAPI at /v1/openapi.json. Returns the
 * HTTP server's request listener: express, with the availability reads answered in front of it.
 * No body is parsed before its route has let the caller in (route.ts).
 */
export const createHttpHandler = (ctx: HubContext): RequestListener => {
  const gate = createHttpGate(ctx.config, ctx.log);
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(enrollmentCors);
  useRequestGate(app, ctx, gate);

  let openApi: unknown;
  const routes: Route[] = [];
  routes.push(
    ...systemRoutes(ctx, watchNatsConnection(ctx.nc), () => {
      openApi ??= buildOpenApiDocument(routes);
      return openApi;
    }),
    ...availabilityRoutes(ctx),
    ...reservationRoutes(ctx),
    ...pickupRoutes(ctx),
    ...locationRoutes(ctx),
    ...operationsRoutes(ctx),
    ...adminRoutes(ctx),
    ...terminalRoutes(ctx),
  );
  mountRoutes(app, routes, gate, { views: ctx.projector, waitMs: ctx.config.readWaitMs });
  app.use(reportsRouter(ctx, gate));
  app.use(notFoundHandler);
  app.use(errorHandler(ctx.log));
  return withFastAvailability(ctx, app, fastRoutesOf(routes), gate);
};
