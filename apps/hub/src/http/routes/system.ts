import { z } from 'zod';
import type { HubContext } from '../../hub-context.js';
import { INTEGRITY_PROBLEM_CODES } from '../../projector/stream-integrity.js';
import { locationFreshness } from '../../views/freshness.js';
import { nodeClockSkews } from '../../views/node-status.js';
import { json } from '../reply.js';
import { type Route, route } from '../route.js';

/** Projection lag (s) above which the hub reports itself degraded. */
const DEGRADED_LAG_SECONDS = 30;

const ReasonSchema = z.object({
  code: z.enum([...INTEGRITY_PROBLEM_CODES, 'nats-disconnected', 'projection-lag']),
  message: z.string(),
});

const HealthSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  natsConnected: z.boolean(),
  checkpoint: z.number().int(),
  lagMessages: z.number().int(),
  lagSeconds: z.number(),
  reasons: z.array(ReasonSchema).meta({ description: 'Why the hub is degraded (empty when ok).' }),
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
      `200 while the views follow the event stream (reads keep working from the views); status is degraded when ` +
      `NATS is disconnected or the views lag more than ${DEGRADED_LAG_SECONDS} s behind the stream. 503 when ` +
      `the views cannot be trusted to follow the stream: it was deleted, created anew or purged under them, or ` +
      `the projector's consumer went missing (docs/runbook.md, "When /health answers 503"); each reason says which.`,
    tag: 'system',
    access: 'public',
    responses: {
      200: { description: 'Health', schema: HealthSchema },
      503: { description: 'Degraded: the views may not follow the event stream', schema: HealthSchema },
    },
    handle: () => {
      const connected = natsConnected();
      const { lagMessages, lagSeconds } = ctx.metrics;
      const integrity = ctx.projector.integrity.problems;
      const reasons = [
        ...integrity,
        ...(connected ? [] : [{ code: 'nats-disconnected', message: 'the hub is not connected to NATS' }]),
        ...(lagSeconds <= DEGRADED_LAG_SECONDS
          ? []
          : [{ code: 'projection-lag', message: `the views are ${lagSeconds.toFixed(0)} s behind the stream` }]),
      ];
      return json(integrity.length > 0 ? 503 : 200, {
        status: reasons.length === 0 ? 'ok' : 'degraded',
        natsConnected: connected,
        checkpoint: ctx.projector.checkpoint,
        lagMessages,
        lagSeconds,
        reasons,
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
        text: ctx.metrics.render({
          locations,
          clockSkew: nodeClockSkews(ctx.store),
          integrity: ctx.projector.integrity.problems,
        }),
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
