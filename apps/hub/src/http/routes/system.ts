import { z } from 'zod';
import type { HubContext } from '../../hub-context.js';
import { locationFreshness } from '../../views/freshness.js';
import { json } from '../reply.js';
import { type Route, route } from '../route.js';

/** Projection lag (s) above which the hub reports itself degraded. */
const DEGRADED_LAG_SECONDS = 30;

const HealthSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  natsConnected: z.boolean(),
  checkpoint: z.number().int(),
  lagMessages: z.number().int(),
  lagSeconds: z.number(),
});

/** Open endpoints for probes, Prometheus and API clients. */
export const systemRoutes = (
  ctx: HubContext,
  natsConnected: () => boolean,
  openApiDocument: () => unknown,
): Route[] => [
  route({
    method: 'get',
    path: '/health',
    operationId: 'health',
    summary: 'Liveness and sync health',
    description:
      `Always 200 while the process serves HTTP (reads keep working from the views); status is degraded when ` +
      `NATS is disconnected or the views lag more than ${DEGRADED_LAG_SECONDS} s behind the stream.`,
    tag: 'system',
    access: 'public',
    responses: { 200: { description: 'Health', schema: HealthSchema } },
    handle: () => {
      const connected = natsConnected();
      const { lagMessages, lagSeconds } = ctx.metrics;
      return json(200, {
        status: connected && lagSeconds <= DEGRADED_LAG_SECONDS ? 'ok' : 'degraded',
        natsConnected: connected,
        checkpoint: ctx.projector.checkpoint,
        lagMessages,
        lagSeconds,
      });
    },
  }),
  route({
    method: 'get',
    path: '/metrics',
    operationId: 'metrics',
    summary: 'Prometheus metrics (text format 0.0.4)',
    tag: 'system',
    access: 'public',
    responses: { 200: { description: 'Metrics in Prometheus text format', contentType: 'text/plain' } },
    handle: () => {
      const freshness = locationFreshness(ctx.store, ctx.config, ctx.now());
      const locations = [...freshness.values()].map((f) => ({
        location: f.location,
        ageSeconds: f.ageMs === null ? null : f.ageMs / 1000,
      }));
      return {
        status: 200,
        text: ctx.metrics.render(locations),
        contentType: 'text/plain; version=0.0.4; charset=utf-8',
      };
    },
  }),
  route({
    method: 'get',
    path: '/v1/openapi.json',
    operationId: 'openapi',
    summary: 'This OpenAPI 3.1 document',
    tag: 'system',
    access: 'public',
    responses: { 200: { description: 'OpenAPI document' } },
    handle: () => json(200, openApiDocument()),
  }),
];
