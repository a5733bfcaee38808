import type { RequestListener } from 'node:http';
import express from 'express';
import type { HubContext } from '../hub-context.js';
import { reportsRouter } from '../reports/router.js';
import { tokenRoles } from './auth.js';
import { errorHandler, notFoundHandler } from './errors.js';
import { fastRoutesOf, withFastAvailability } from './fast-availability.js';
import { watchNatsConnection } from './nats-state.js';
import { buildOpenApiDocument } from './openapi.js';
import { requestContextMiddleware } from './request-context.js';
import { mountRoutes, type Route } from './route.js';
import { adminRoutes } from './routes/admin.js';
import { availabilityRoutes } from './routes/availability.js';
import { locationRoutes } from './routes/locations.js';
import { operationsRoutes } from './routes/operations.js';
import { pickupRoutes } from './routes/pickups.js';
import { reservationRoutes } from './routes/reservations.js';
import { systemRoutes } from './routes/system.js';

/**
 * The HTTP API: JSON, zod-validated, bearer-token roles, OpenAPI at /v1/openapi.json. Returns the
 * HTTP server's request listener: express, with the availability reads answered in front of it.
 */
export const createHttpHandler = (ctx: HubContext): RequestListener => {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(requestContextMiddleware(ctx));
  app.use(express.json({ limit: '1mb' }));

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
  );
  const roleOf = tokenRoles(ctx.config.tokens);
  mountRoutes(app, routes, roleOf);
  app.use(reportsRouter(ctx));
  app.use(notFoundHandler);
  app.use(errorHandler(ctx.log));
  return withFastAvailability(ctx, app, fastRoutesOf(routes), roleOf);
};
