import { randomBytes } from 'node:crypto';
import { PlacePickupOrderData, uuidv7 } from '@stocknerve/domain';
import { z } from 'zod';
import type { HubContext } from '../../hub-context.js';
import type { SqlStore } from '../../store/sql-store.js';
import { listPickups, type PickupFilter, type PickupRecord, pickupRecord } from '../../views/pickups-queries.js';
import { STOREFRONT_READ, STOREFRONT_WRITE } from '../auth.js';
import { inScope, outOfScope } from '../channel-scope.js';
import { executeCommand, sameLines } from '../commands.js';
import { json, notFound } from '../reply.js';
import { type Route, route } from '../route.js';
import { ApiLocationId, ErrorBody, Limit, PickupIdParams, PickupSchema, PickupStatusSchema } from '../schemas.js';

const PlacePickupBody = PlacePickupOrderData.omit({ pickupId: true }).extend({
  pickupId: PlacePickupOrderData.shape.pickupId.optional().meta({
    description: 'Your id for the order; give one to make retries safe. A UUIDv7 is generated when absent.',
  }),
  location: ApiLocationId,
});

const SCOPE_NOTE =
  "An ecommerce token limited to channels (`stocknerve-hub token create --channel`) sees only its channels' " +
  "pickups: another channel's answers 404, as an unknown id does.";

/**
 * The first `filter.limit` pickups (listPickups' order) that `keep` lets through. The views cannot
 * filter pickups by channel, so pages are read, twice as large each time, until enough are kept or
 * none are left.
 */
const keptPickups = (store: SqlStore, filter: PickupFilter, keep: (p: PickupRecord) => boolean): PickupRecord[] => {
  for (let limit = filter.limit; ; limit *= 2) {
    const page = listPickups(store, { ...filter, limit });
    const kept = page.filter(keep);
    if (kept.length >= filter.limit || page.length < limit) return kept.slice(0, filter.limit);
  }
};

/** Click-and-collect orders routed to a store. */
export const pickupRoutes = (ctx: HubContext): Route[] => [
  route({
    method: 'post',
    path: '/v1/pickups',
    operationId: 'placePickup',
    summary: 'Places a click-and-collect order at a store: reserves its lines there until handed over or rejected',
    description:
      'Answers 201 with the new pickup, or 200 with the existing one when the same pickupId was already placed ' +
      'with the same channel, location, orderRef and lines. An ecommerce token limited to channels may place only ' +
      'for them: another channel answers 403 with `field: "channel"`.',
    tag: 'pickups',
    access: STOREFRONT_WRITE,
    body: PlacePickupBody,
    responses: {
      201: { description: 'Pickup placed', schema: PickupSchema },
      200: { description: 'Idempotent replay: the same pickup placed earlier', schema: PickupSchema },
      403: {
        description: 'The role may not place pickups, or the token is limited to other channels (field: channel)',
        schema: ErrorBody,
      },
      409: {
        description: 'InsufficientStock at the store, or DuplicatePickup (pickupId taken by another order)',
        schema: ErrorBody,
      },
      422: {
        description: 'UnknownLocation, NotAStore (a warehouse), or UnknownSku (details.skus: not in the catalog)',
        schema: ErrorBody,
      },
      503: { description: 'The event log could not be reached in time; retry', schema: ErrorBody },
    },
    handle: async ({ body, rc }) => {
      const refused = outOfScope(rc.principal, body.channel, 'body');
      if (refused) return refused;
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
    description: SCOPE_NOTE,
    tag: 'pickups',
    access: STOREFRONT_READ,
    params: PickupIdParams,
    responses: {
      200: { description: 'The pickup', schema: PickupSchema },
      404: { description: "No such pickup (or another channel's)", schema: ErrorBody },
    },
    handle: ({ params, rc }) => {
      const record = pickupRecord(ctx.store, params.id);
      return record && inScope(rc.principal, record.channel) ? json(200, record) : notFound(`no pickup ${params.id}`);
    },
  }),
  route({
    method: 'get',
    path: '/v1/pickups',
    operationId: 'listPickups',
    summary: 'Pickup orders, most recently changed first, filtered by location and status',
    description: SCOPE_NOTE,
    tag: 'pickups',
    access: STOREFRONT_READ,
    query: z.object({
      location: ApiLocationId.optional(),
      status: PickupStatusSchema.optional(),
      limit: Limit(100, 1000),
    }),
    responses: { 200: { description: 'Pickups', schema: z.object({ pickups: z.array(PickupSchema) }) } },
    handle: ({ query, rc }) =>
      json(200, {
        pickups:
          rc.principal?.channels === undefined
            ? listPickups(ctx.store, query)
            : keptPickups(ctx.store, query, (p) => inScope(rc.principal, p.channel)),
      }),
  }),
];
