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
  code: z.enum([...INTEGRITY_PROBLEM_CODES, 'nats-disconnected', 'projection-lag', 'no-leader']),
  message: z.string(),
});

const HealthSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  natsConnected: z.boolean(),
  checkpoint: z.number().int(),
  lagMessages: z.number().int(),
  lagSeconds: z.number(),
  reasons: z.array(ReasonSchema).meta({ description: 'Why the hub is degraded (empty when ok).' }),
  cluster: z
    .object({
      instance: z.string().meta({ description: 'This instance (HUB_INSTANCE_ID).' }),
      role: z.enum(['leader', 'follower']),
      leader: z.string().nullable().meta({ description: 'The instance holding the lease, as last seen.' }),
      term: z.number().int(),
      leaseAgeMs: z.number().int().nullable().meta({
        description:
          'Leader: ms since its last renewal. Follower: ms since it last saw the lease change; past HUB_LEASE_MS it takes over.',
      }),
      instances: z
        .array(
          z.object({
            instance: z.string(),
            role: z.enum(['leader', 'follower']),
            url: z.string(),
            checkpoint: z.number().int(),
            lagMessages: z.number().int(),
            startedAt: z.string(),
            at: z.string().meta({ description: 'When the instance last reported (every second).' }),
          }),
        )
        .meta({ description: 'Every instance that reported in the last 10 s, with its own lag.' }),
    })
    .meta({ description: 'The hub instances sharing the event stream, and which one decides commands.' }),
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
      const lease = ctx.lease.status();
      const instances = ctx.instances.current();
      const leaderless =
        lease.role === 'follower' && (lease.leader === undefined || (lease.leaseAgeMs ?? 0) > 2 * ctx.config.leaseMs);
      const reasons = [
        ...integrity,
        ...(connected ? [] : [{ code: 'nats-disconnected', message: 'the hub is not connected to NATS' }]),
        ...(leaderless
          ? [{ code: 'no-leader', message: 'no hub instance holds the lease: commands answer 503 until one does' }]
          : []),
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
        cluster: {
          instance: ctx.config.instanceId,
          role: lease.role,
          leader: lease.leader ?? null,
          term: lease.term,
          leaseAgeMs: lease.leaseAgeMs ?? null,
          instances,
        },
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
      const lease = ctx.lease.status();
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
          cluster: {
            instance: ctx.config.instanceId,
            leader: lease.role === 'leader',
            term: lease.term,
            leaseAgeMs: lease.leaseAgeMs ?? -1,
            groups: ctx.bus.stats.groups,
            groupedCommands: ctx.bus.stats.commands,
            lastGroupSize: ctx.bus.stats.lastGroupSize,
            fencedAppends: ctx.bus.stats.fenced,
            forwarded: ctx.commands.stats.forwarded,
            forwardFailures: ctx.commands.stats.forwardFailures,
          },
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
