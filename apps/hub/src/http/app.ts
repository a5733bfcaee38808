import express from 'express';
import type { HubContext } from '../hub-context.js';

/** The HTTP API: JSON, zod-validated, bearer-token roles, OpenAPI at /v1/openapi.json. */
export const createHttpApp = (ctx: HubContext) => {
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '1mb' }));
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok', checkpoint: ctx.projector.checkpoint, lagMessages: ctx.metrics.lagMessages });
  });
  return app;
};
