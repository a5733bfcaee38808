import { randomBytes } from 'node:crypto';
import { ChannelId, PlaceReservationData, ReleaseReservationData, uuidv7 } from '@stocknerve/domain';
import { z } from 'zod';
import type { HubContext } from '../../hub-context.js';
import {
  listReservations,
  type ReservationFilter,
  type ReservationRecord,
  reservationByKey,
  reservationRecord,
} from '../../views/reservations-queries.js';
import { STOREFRONT_READ, STOREFRONT_WRITE } from '../auth.js';
import { inScope, outOfScope } from '../channel-scope.js';
import { executeCommand, sameLines } from '../commands.js';
import { json, notFound, problem, type Reply } from '../reply.js';
import type { RequestContext } from '../request-context.js';
import { type Route, route } from '../route.js';
import { ApiLocationId, ErrorBody, Limit, ReservationIdParams, ReservationSchema } from '../schemas.js';

const isObjectPayload = (payload: { value: unknown }) => typeof payload.value === 'object' && payload.value !== null;

/**
 * PlaceReservationData without the key (it comes in a header), with an optional id and a TTL option.
 * However the expiry is given, the hold may last at most `maxHoldMs` from `now()`.
 */
const placeReservationBody = (maxHoldMs: number, now: () => number) => {
  const maxSeconds = Math.floor(maxHoldMs / 1000);
  return (
    PlaceReservationData.omit({ idempotencyKey: true, reservationId: true, expiresAt: true })
      .extend({
        reservationId: PlaceReservationData.shape.reservationId
          .optional()
          .meta({ description: 'Your id for the hold; a UUIDv7 is generated when absent.' }),
        location: ApiLocationId.nullable(),
        expiresAt: PlaceReservationData.shape.expiresAt
          .refine((expiresAt) => Date.parse(expiresAt) - now() <= maxHoldMs, {
            error: `expiresAt must be at most ${maxSeconds} seconds from now (the longest hold this hub grants)`,
          })
          .optional()
          .meta({
            description: `When the hold lapses unless confirmed (ISO 8601 UTC), at most ${maxSeconds} s from now. Give this or ttlSeconds.`,
          }),
        ttlSeconds: z
          .number({ error: 'ttlSeconds must be a number' })
          .int({ error: 'ttlSeconds must be a whole number' })
          .min(1, { error: 'ttlSeconds must be at least 1' })
          .max(maxSeconds, {
            error: `ttlSeconds must be at most ${maxSeconds} (the longest hold this hub grants)`,
          })
          .optional()
          .meta({ description: `Seconds from now until the hold lapses (1..${maxSeconds}). Give this or expiresAt.` }),
      })
      // Checked even when other fields are invalid, so one answer lists every problem.
      .refine((body) => body.expiresAt !== undefined || body.ttlSeconds !== undefined, {
        path: ['expiresAt'],
        error: 'give expiresAt or ttlSeconds',
        when: isObjectPayload,
      })
      .refine((body) => body.expiresAt === undefined || body.ttlSeconds === undefined, {
        path: ['ttlSeconds'],
        error: 'give expiresAt or ttlSeconds, not both',
        when: isObjectPayload,
      })
  );
};

const IdempotencyHeaders = z.object({
  'idempotency-key': z
    .string({ error: 'the Idempotency-Key header is required' })
    .min(1, { error: 'the Idempotency-Key header is required' })
    .max(200, { error: 'the Idempotency-Key header must be at most 200 characters' })
    .meta({
      description:
        'Unique per order attempt and channel: a retry with the same key and content answers the same reservation (200).',
    }),
});

const ReleaseBody = ReleaseReservationData.omit({ reservationId: true });

const REJECTIONS = {
  404: { description: 'UnknownReservation', schema: ErrorBody },
  409: {
    description: 'ReservationNotActive (released or expired), or another conflict with the current state',
    schema: ErrorBody,
  },
  503: { description: 'The event log could not be reached in time; retry', schema: ErrorBody },
} as const;

const SCOPE_NOTE =
  'An ecommerce token limited to channels (`stocknerve-hub token create --channel`) sees and changes only ' +
  "its channels' reservations: another channel's answers 404, as an unknown id does.";

/** Descending, by code units as SQLite compares text. */
const descending = (a: string, b: string) => (a < b ? 1 : a > b ? -1 : 0);

/** Newest first, as listReservations orders them. */
const newestFirst = (a: ReservationRecord, b: ReservationRecord) =>
  descending(a.placedAt, b.placedAt) || descending(a.reservationId, b.reservationId);

/** Holds for online carts and marketplace orders: place, confirm, release, read. */
export const reservationRoutes = (ctx: HubContext): Route[] => {
  const visible = (id: string, rc: RequestContext): ReservationRecord | undefined => {
    const record = reservationRecord(ctx.store, id);
    return record && inScope(rc.principal, record.channel) ? record : undefined;
  };
  const current = (id: string, rc: RequestContext): Reply => {
    const record = visible(id, rc);
    return record ? json(200, record) : notFound(`no reservation ${id}`);
  };
  /** What the decider answers for an unknown id, for one the caller may not see. */
  const unknown = (id: string): Reply => problem(404, 'UnknownReservation', `no reservation ${id}`, { details: null });
  const PlaceReservationBody = placeReservationBody(ctx.config.maxHoldMs, ctx.now);
  return [
    route({
      method: 'post',
      path: '/v1/reservations',
      operationId: 'placeReservation',
      summary: 'Places a hold on stock at a location (or network-wide with location null)',
      description:
        'Decided by the hub serially against the views: granted only if every line fits the channel ATP, so ' +
        'concurrent requests never oversell. Answers 201 with the new reservation, or 200 with the existing one ' +
        `when the same Idempotency-Key and content were already placed. A hold lasts at most ${Math.floor(ctx.config.maxHoldMs / 1000)} s ` +
        '(HUB_MAX_HOLD_MS), whether expiresAt or ttlSeconds sets it. An ecommerce token limited to channels may place ' +
        'only for them: another channel answers 403 with `field: "channel"`.',
      tag: 'reservations',
      access: STOREFRONT_WRITE,
      headers: IdempotencyHeaders,
      body: PlaceReservationBody,
      responses: {
        201: { description: 'Reservation placed', schema: ReservationSchema },
        200: {
          description: 'Idempotent replay: the reservation placed earlier with this key',
          schema: ReservationSchema,
        },
        403: {
          description:
            'The role may not place reservations, or the token is limited to other channels (field: channel)',
          schema: ErrorBody,
        },
        409: {
          description:
            'InsufficientStock (details.short lists each short line with what is available), IdempotencyKeyReused ' +
            '(same key, other content), DuplicateReservation (reservationId taken)',
          schema: ErrorBody,
        },
        422: { description: 'InvalidExpiry (expiresAt not in the future) or UnknownLocation', schema: ErrorBody },
        503: REJECTIONS[503],
      },
      handle: async ({ headers, body, rc }) => {
        const refused = outOfScope(rc.principal, body.channel, 'body');
        if (refused) return refused;
        const now = ctx.now();
        const idempotencyKey = headers['idempotency-key'];
        const expiresMs =
          body.ttlSeconds === undefined ? Date.parse(body.expiresAt ?? '') : now + body.ttlSeconds * 1000;
        // A retry without an id must name the id the first attempt was given, or it reads as other content.
        const reservationId =
          body.reservationId ??
          reservationByKey(ctx.store, body.channel, idempotencyKey)?.reservationId ??
          uuidv7(now, randomBytes(10));
        const data = {
          reservationId,
          channel: body.channel,
          location: body.location,
          lines: body.lines,
          // The expiry sweeper compares the stored text: always the normalised UTC form.
          expiresAt: new Date(expiresMs).toISOString(),
          idempotencyKey,
        };
        const executed = await executeCommand(ctx, rc, { type: 'PlaceReservation', data });
        if (!executed.ok) {
          if (executed.code === 'IdempotencyKeyReused' && body.reservationId === undefined) {
            // Two identical first attempts raced: the loser's generated id differs, the content does not.
            const existing = reservationByKey(ctx.store, body.channel, idempotencyKey);
            if (existing && existing.location === body.location && sameLines(existing.lines, body.lines))
              return json(200, existing);
          }
          if (executed.code !== 'unavailable') ctx.metrics.reservationsRejected++;
          return executed.reply;
        }
        const record = reservationRecord(ctx.store, reservationId);
        if (!record) throw new Error(`reservation ${reservationId} was decided but is not in the views`);
        if (executed.result.events.length === 0) return json(200, record);
        ctx.metrics.reservationsPlaced++;
        return json(201, record, { Location: `/v1/reservations/${encodeURIComponent(reservationId)}` });
      },
    }),
    route({
      method: 'post',
      path: '/v1/reservations/:id/confirm',
      operationId: 'confirmReservation',
      summary: 'Confirms a hold (the order was paid): it no longer expires',
      description: `Confirming a confirmed reservation answers 200 again. ${SCOPE_NOTE}`,
      tag: 'reservations',
      access: STOREFRONT_WRITE,
      params: ReservationIdParams,
      responses: { 200: { description: 'The confirmed reservation', schema: ReservationSchema }, ...REJECTIONS },
      handle: async ({ params, rc }) => {
        if (rc.principal?.channels && !visible(params.id, rc)) return unknown(params.id);
        const executed = await executeCommand(ctx, rc, {
          type: 'ConfirmReservation',
          data: { reservationId: params.id },
        });
        return executed.ok ? current(params.id, rc) : executed.reply;
      },
    }),
    route({
      method: 'post',
      path: '/v1/reservations/:id/release',
      operationId: 'releaseReservation',
      summary: 'Gives a hold back (cancelled, or fulfilled by a shipment recorded elsewhere)',
      description: `Releasing a released reservation answers 200 again; an expired one is 409. ${SCOPE_NOTE}`,
      tag: 'reservations',
      access: STOREFRONT_WRITE,
      params: ReservationIdParams,
      body: ReleaseBody,
      responses: { 200: { description: 'The released reservation', schema: ReservationSchema }, ...REJECTIONS },
      handle: async ({ params, body, rc }) => {
        if (rc.principal?.channels && !visible(params.id, rc)) return unknown(params.id);
        const executed = await executeCommand(ctx, rc, {
          type: 'ReleaseReservation',
          data: { reservationId: params.id, reason: body.reason },
        });
        return executed.ok ? current(params.id, rc) : executed.reply;
      },
    }),
    route({
      method: 'get',
      path: '/v1/reservations/:id',
      operationId: 'getReservation',
      summary: 'One reservation',
      description: SCOPE_NOTE,
      tag: 'reservations',
      access: STOREFRONT_READ,
      params: ReservationIdParams,
      responses: {
        200: { description: 'The reservation', schema: ReservationSchema },
        404: { description: "No such reservation (or another channel's)", schema: ErrorBody },
      },
      handle: ({ params, rc }) => current(params.id, rc),
    }),
    route({
      method: 'get',
      path: '/v1/reservations',
      operationId: 'listReservations',
      summary: 'Reservations, newest first, filtered by status, channel and location',
      description:
        'An ecommerce token limited to channels lists only their reservations; naming another channel answers 403 ' +
        'with `field: "channel"`.',
      tag: 'reservations',
      access: STOREFRONT_READ,
      query: z.object({
        status: z.enum(['placed', 'confirmed', 'released', 'expired']).optional(),
        channel: ChannelId.optional(),
        location: ApiLocationId.optional(),
        limit: Limit(100, 1000),
      }),
      responses: {
        200: { description: 'Reservations', schema: z.object({ reservations: z.array(ReservationSchema) }) },
        403: {
          description: 'The role may not read reservations, or the token is limited to other channels (field: channel)',
          schema: ErrorBody,
        },
      },
      handle: ({ query, rc }) => {
        const channels = rc.principal?.channels;
        if (query.channel !== undefined || channels === undefined) {
          const refused = query.channel === undefined ? undefined : outOfScope(rc.principal, query.channel, 'query');
          return refused ?? json(200, { reservations: listReservations(ctx.store, query) });
        }
        // One query per channel of the token, each already newest first and limited: merged, the
        // first `limit` of them are the newest of all.
        const filters: ReservationFilter[] = channels.map((channel) => ({ ...query, channel }));
        const merged = filters.flatMap((filter) => listReservations(ctx.store, filter)).sort(newestFirst);
        return json(200, { reservations: merged.slice(0, query.limit) });
      },
    }),
  ];
};
