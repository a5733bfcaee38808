import type { Server } from 'node:http';
import express from 'express';
import { useRequestGate } from '../../http/app.js';
import { errorHandler, notFoundHandler } from '../../http/errors.js';
import { createHttpGate } from '../../http/gate.js';
import type { HubContext } from '../../hub-context.js';
import { reportsRouter } from '../router.js';

/**
 * Serves the reports router for a hub context on a free port, in the middleware chain of the hub's
 * own app (trust proxy, request context, the address rate limit, then the router before the 404 and
 * error handlers), as the hub's app mounts it.
 */
export const serveReports = async (ctx: HubContext): Promise<{ url: string; close(): Promise<void> }> => {
  const gate = createHttpGate(ctx.config, ctx.log);
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  useRequestGate(app, ctx, gate);
  app.use(reportsRouter(ctx, gate));
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
