import { z } from 'zod';
import type { HubContext } from '../../hub-context.js';
import { explainOnHand, stockAsOf } from '../../views/history.js';
import { locationsWithFreshness } from '../../views/locations-queries.js';
import { sqlInventoryView } from '../../views/sql-inventory-view.js';
import { locationStockPage } from '../../views/stock-queries.js';
import { MANAGER_READ } from '../auth.js';
import { json, notFound } from '../reply.js';
import { type Route, route } from '../route.js';
import {
  CellParams,
  encodeSkuCursor,
  Limit,
  LocationParams,
  LocationSchema,
  OnHandExplanationSchema,
  SkuCursor,
  StockAsOfSchema,
  StockLineSchema,
} from '../schemas.js';

const unknownLocation = (location: string) => notFound(`unknown location ${location}`);

/** Locations with freshness, a location's stock, and a cell's history and explanation. */
export const locationRoutes = (ctx: HubContext): Route[] => {
  const known = (location: string) => sqlInventoryView(ctx.store).location(location) !== undefined;
  return [
    route({
      method: 'get',
      path: '/v1/locations',
      operationId: 'listLocations',
      summary: 'Every defined location with when the hub last heard from it',
      tag: 'locations',
      access: MANAGER_READ,
      responses: { 200: { description: 'Locations', schema: z.object({ locations: z.array(LocationSchema) }) } },
      handle: () => json(200, { locations: locationsWithFreshness(ctx.store, ctx.config, ctx.now()) }),
    }),
    route({
      method: 'get',
      path: '/v1/locations/:location/stock',
      operationId: 'getLocationStock',
      summary: "A location's figures per SKU, paginated by SKU",
      tag: 'locations',
      access: MANAGER_READ,
      params: LocationParams,
      query: z.object({
        sku: z
          .string()
          .regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'sku must be 1-64 letters, digits, "_" or "-"' })
          .optional()
          .meta({ description: 'Only SKUs starting with this prefix.' }),
        cursor: SkuCursor.optional(),
        limit: Limit(100, 1000),
      }),
      responses: {
        200: {
          description: 'One page; nextCursor is null on the last page',
          schema: z.object({
            location: z.string(),
            stock: z.array(StockLineSchema),
            nextCursor: z.string().nullable(),
          }),
        },
        404: { description: 'Unknown location' },
      },
      handle: ({ params, query }) => {
        if (!known(params.location)) return unknownLocation(params.location);
        const page = locationStockPage(ctx.store, params.location, {
          skuPrefix: query.sku,
          after: query.cursor,
          limit: query.limit,
        });
        return json(200, { location: params.location, stock: page.items, nextCursor: encodeSkuCursor(page.lastSku) });
      },
    }),
    route({
      method: 'get',
      path: '/v1/locations/:location/stock/:sku/history',
      operationId: 'getStockAsOf',
      summary: 'On hand and damaged of a SKU at a location as of a time (time travel over the movements)',
      description:
        'On hand = the latest cycle count with HLC ≤ asOf plus every on-hand movement with HLC in (count, asOf]; ' +
        'damaged = Σ damaged movements with HLC ≤ asOf. Events are placed by their HLC (when they happened), not ' +
        'by when they reached the hub. Reservations are not part of the history.',
      tag: 'locations',
      access: MANAGER_READ,
      params: CellParams,
      query: z.object({
        asOf: z.iso
          .datetime({ offset: true, error: 'asOf must be an ISO 8601 date-time' })
          .optional()
          .meta({ description: 'Point in time (ISO 8601). Default now.' }),
      }),
      responses: {
        200: { description: 'The figures as of that time', schema: StockAsOfSchema },
        404: { description: 'Unknown location' },
      },
      handle: ({ params, query }) => {
        if (!known(params.location)) return unknownLocation(params.location);
        const asOfMs = query.asOf === undefined ? ctx.now() : Date.parse(query.asOf);
        return json(200, stockAsOf(ctx.store, params.location, params.sku, asOfMs));
      },
    }),
    route({
      method: 'get',
      path: '/v1/locations/:location/stock/:sku/explain',
      operationId: 'explainOnHand',
      summary: "The events that make up today's on hand: the latest count and every movement after it",
      description: 'consistent is true when count + Σ movements equals the on hand in the view.',
      tag: 'locations',
      access: MANAGER_READ,
      params: CellParams,
      responses: {
        200: { description: 'The explanation', schema: OnHandExplanationSchema },
        404: { description: 'Unknown location' },
      },
      handle: ({ params }) => {
        if (!known(params.location)) return unknownLocation(params.location);
        return json(200, explainOnHand(ctx.store, params.location, params.sku));
      },
    }),
  ];
};
