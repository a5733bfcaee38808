import { randomBytes } from 'node:crypto';
import { LocationId, PlacePickupOrderData, uuidv7 } from '@stocknerve/domain';
import { z } from 'zod';
import type { HubContext } from '../../hub-context.js';
import { listPickups, pickupRecord } from '../../views/pickups-queries.js';
import { STOREFRONT_READ, STOREFRONT_WRITE } from '../auth.js';
import { executeCommand, sameLines } from '../commands.js';
import { json, notFound } from '../reply.js';
import { type Route, route } from '../route.js';
import { ErrorBody, Limit, PickupIdParams, PickupSchema, PickupStatusSchema } from '../schemas.js';

const PlacePickupBody = PlacePickupOrderData.omit({ pickupId: true }).extend({
  pickupId: PlacePickupOrderData.shape.pickupId.optional().meta({
    description: 'Your id for the order; give one to make retries safe. A UUIDv7 is generated when absent.',
  }),
});

/** Click-and-collect orders routed to a store. */
export const pickupRoutes = (ctx: HubContext): Route[] => [
  route({
    method: 'post',
    path: '/v1/pickups',
    operationId: 'placePickup',
    summary: 'Places a click-and-collect order at a store: reserves its lines there until handed over or rejected',
    description:
      'Answers 201 with the new pickup, or 200 with the existing one when the same pickupId was already placed ' +
      'with the same channel, location, orderRef and lines.',
    tag: 'pickups',
    access: STOREFRONT_WRITE,
    body: PlacePickupBody,
    responses: {
      201: { description: 'Pickup placed', schema: PickupSchema },
      200: { description: 'Idempotent replay: the same pickup placed earlier', schema: PickupSchema },
      409: {
        description: 'InsufficientStock at the store, or DuplicatePickup (pickupId taken by another order)',
        schema: ErrorBody,
      },
      422: { description: 'UnknownLocation, or NotAStore (a warehouse)', schema: ErrorBody },
      503: { description: 'The event log could not be reached in time; retry', schema: ErrorBody },
    },
    handle: async ({ body, rc }) => {
      const pickupId = body.pickupId ?? uuidv7(ctx.now(), randomBytes(10));
      const executed = await executeCommand(ctx, rc, { type: 'PlacePickupOrder', data: { ...body, pickupId } });
      if (!executed.ok) {
        const existing = executed.code === 'DuplicatePickup' ? pickupRecord(ctx.store, pickupId) : undefined;
        if (
          existing &&
          existing.channel === body.channel &&
          existing.location === body.location &&
          existing.orderRef === body.orderRef &&
          sameLines(existing.lines, body.lines)
        )
          return json(200, existing);
        return executed.reply;
      }
      const record = pickupRecord(ctx.store, pickupId);
      if (!record) throw new Error(`pickup ${pickupId} was decided but is not in the views`);
      return json(201, record, { Location: `/v1/pickups/${encodeURIComponent(pickupId)}` });
    },
  }),
  route({
    method: 'get',
    path: '/v1/pickups/:id',
    operationId: 'getPickup',
    summary: 'One pickup order',
    tag: 'pickups',
    access: STOREFRONT_READ,
    params: PickupIdParams,
    responses: {
      200: { description: 'The pickup', schema: PickupSchema },
      404: { description: 'No such pickup', schema: ErrorBody },
    },
    handle: ({ params }) => {
      const record = pickupRecord(ctx.store, params.id);
      return record ? json(200, record) : notFound(`no pickup ${params.id}`);
    },
  }),
  route({
    method: 'get',
    path: '/v1/pickups',
    operationId: 'listPickups',
    summary: 'Pickup orders, most recently changed first, filtered by location and status',
    tag: 'pickups',
    access: STOREFRONT_READ,
    query: z.object({
      location: LocationId.optional(),
      status: PickupStatusSchema.optional(),
      limit: Limit(100, 1000),
    }),
    responses: { 200: { description: 'Pickups', schema: z.object({ pickups: z.array(PickupSchema) }) } },
    handle: ({ query }) => json(200, { pickups: listPickups(ctx.store, query) }),
  }),
];
