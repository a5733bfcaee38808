import { randomBytes } from 'node:crypto';
import { ChannelId, LocationId, PlaceReservationData, ReleaseReservationData, uuidv7 } from '@stocknerve/domain';
import { z } from 'zod';
import type { HubContext } from '../../hub-context.js';
import { listReservations, reservationByKey, reservationRecord } from '../../views/reservations-queries.js';
import { STOREFRONT_READ, STOREFRONT_WRITE } from '../auth.js';
import { executeCommand, sameLines } from '../commands.js';
import { json, notFound, type Reply } from '../reply.js';
import { type Route, route } from '../route.js';
import { ErrorBody, Limit, ReservationIdParams, ReservationSchema } from '../schemas.js';

const isObjectPayload = (payload: { value: unknown }) => typeof payload.value === 'object' && payload.value !== null;

/** PlaceReservationData without the key (it comes in a header), with an optional id and a TTL option. */
const PlaceReservationBody = PlaceReservationData.omit({ idempotencyKey: true, reservationId: true, expiresAt: true })
  .extend({
    reservationId: PlaceReservationData.shape.reservationId
      .optional()
      .meta({ description: 'Your id for the hold; a UUIDv7 is generated when absent.' }),
    expiresAt: PlaceReservationData.shape.expiresAt
      .optional()
      .meta({ description: 'When the hold lapses unless confirmed (ISO 8601 UTC). Give this or ttlSeconds.' }),
    ttlSeconds: z
      .number({ error: 'ttlSeconds must be a number' })
      .int({ error: 'ttlSeconds must be a whole number' })
      .min(1, { error: 'ttlSeconds must be at least 1' })
      .max(86_400, { error: 'ttlSeconds must be at most 86400' })
      .optional()
      .meta({ description: 'Seconds from now until the hold lapses (1..86400). Give this or expiresAt.' }),
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
  });

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

/** Holds for online carts and marketplace orders: place, confirm, release, read. */
export const reservationRoutes = (ctx: HubContext): Route[] => {
  const current = (id: string): Reply => {
    const record = reservationRecord(ctx.store, id);
    return record ? json(200, record) : notFound(`no reservation ${id}`);
  };
  return [
    route({
      method: 'post',
      path: '/v1/reservations',
      operationId: 'placeReservation',
      summary: 'Places a hold on stock at a location (or network-wide with location null)',
      description:
        'Decided by the hub serially against the views: granted only if every line fits the channel ATP, so ' +
        'concurrent requests never oversell. Answers 201 with the new reservation, or 200 with the existing one ' +
        'when the same Idempotency-Key and content were already placed.',
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
      description: 'Confirming a confirmed reservation answers 200 again.',
      tag: 'reservations',
      access: STOREFRONT_WRITE,
      params: ReservationIdParams,
      responses: { 200: { description: 'The confirmed reservation', schema: ReservationSchema }, ...REJECTIONS },
      handle: async ({ params, rc }) => {
        const executed = await executeCommand(ctx, rc, {
          type: 'ConfirmReservation',
          data: { reservationId: params.id },
        });
        return executed.ok ? current(params.id) : executed.reply;
      },
    }),
    route({
      method: 'post',
      path: '/v1/reservations/:id/release',
      operationId: 'releaseReservation',
      summary: 'Gives a hold back (cancelled, or fulfilled by a shipment recorded elsewhere)',
      description: 'Releasing a released reservation answers 200 again; an expired one is 409.',
      tag: 'reservations',
      access: STOREFRONT_WRITE,
      params: ReservationIdParams,
      body: ReleaseBody,
      responses: { 200: { description: 'The released reservation', schema: ReservationSchema }, ...REJECTIONS },
      handle: async ({ params, body, rc }) => {
        const executed = await executeCommand(ctx, rc, {
          type: 'ReleaseReservation',
          data: { reservationId: params.id, reason: body.reason },
        });
        return executed.ok ? current(params.id) : executed.reply;
      },
    }),
    route({
      method: 'get',
      path: '/v1/reservations/:id',
      operationId: 'getReservation',
      summary: 'One reservation',
      tag: 'reservations',
      access: STOREFRONT_READ,
      params: ReservationIdParams,
      responses: {
        200: { description: 'The reservation', schema: ReservationSchema },
        404: { description: 'No such reservation', schema: ErrorBody },
      },
      handle: ({ params }) => current(params.id),
    }),
    route({
      method: 'get',
      path: '/v1/reservations',
      operationId: 'listReservations',
      summary: 'Reservations, newest first, filtered by status, channel and location',
      tag: 'reservations',
      access: STOREFRONT_READ,
      query: z.object({
        status: z.enum(['placed', 'confirmed', 'released', 'expired']).optional(),
        channel: ChannelId.optional(),
        location: LocationId.optional(),
        limit: Limit(100, 1000),
      }),
      responses: {
        200: { description: 'Reservations', schema: z.object({ reservations: z.array(ReservationSchema) }) },
      },
      handle: ({ query }) => json(200, { reservations: listReservations(ctx.store, query) }),
    }),
  ];
};
