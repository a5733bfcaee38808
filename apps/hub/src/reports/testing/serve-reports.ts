import type { Server } from 'node:http';
import express from 'express';
import { errorHandler, notFoundHandler } from '../../http/errors.js';
import { requestContextMiddleware } from '../../http/request-context.js';
import type { HubContext } from '../../hub-context.js';
import { reportsRouter } from '../router.js';

/**
 * Serves the reports router for a hub context on a free port, in the middleware chain of the hub's
 * own app (request context, JSON body parser, then the router before the 404 and error handlers),
 * as it runs once `app.use(reportsRouter(ctx))` is added there.
 */
export const serveReports = async (ctx: HubContext): Promise<{ url: string; close(): Promise<void> }> => {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(requestContextMiddleware(ctx));
  app.use(express.json({ limit: '1mb' }));
  app.use(reportsRouter(ctx));
  app.use(notFoundHandler);
  app.use(errorHandler(ctx.log));
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};
