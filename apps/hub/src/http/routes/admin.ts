import {
  DefineLocationData,
  SetChannelAllocationData,
  SetSafetyStockData,
  Sku,
  UpsertCatalogItemData,
} from '@stocknerve/domain';
import { z } from 'zod';
import type { HubContext } from '../../hub-context.js';
import { sqlInventoryView } from '../../views/sql-inventory-view.js';
import { ADMIN_ONLY } from '../auth.js';
import { executeCommand } from '../commands.js';
import { json, problem } from '../reply.js';
import { type Route, route } from '../route.js';
import { ApiLocationId, CatalogItemSchema, ErrorBody, LocationSchema } from '../schemas.js';

const LocationInfoSchema = LocationSchema.omit({ lastHeardAt: true, ageMs: true, stale: true });
const UNAVAILABLE = { description: 'The event log could not be reached in time; retry', schema: ErrorBody };

/** Master data, allocation rules, rebuild and configuration: admin only. */
export const adminRoutes = (ctx: HubContext): Route[] => {
  const view = () => sqlInventoryView(ctx.store);
  return [
    route({
      method: 'post',
      path: '/v1/admin/locations',
      operationId: 'defineLocation',
      summary: 'Defines a store or warehouse (or redefines it: region, kind, name, position)',
      description: 'Store events from a location are accepted only once it is defined.',
      tag: 'admin',
      access: ADMIN_ONLY,
      body: DefineLocationData.extend({ location: ApiLocationId }),
      responses: {
        201: { description: 'Location defined', schema: LocationInfoSchema },
        200: { description: 'Existing location redefined', schema: LocationInfoSchema },
        503: UNAVAILABLE,
      },
      handle: async ({ body, rc }) => {
        const existed = view().location(body.location) !== undefined;
        const executed = await executeCommand(ctx, rc, { type: 'DefineLocation', data: body });
        if (!executed.ok) return executed.reply;
        return json(existed ? 200 : 201, view().location(body.location));
      },
    }),
    route({
      method: 'put',
      path: '/v1/admin/catalog/:sku',
      operationId: 'upsertCatalogItem',
      summary: 'Creates or replaces a catalog item',
      tag: 'admin',
      access: ADMIN_ONLY,
      params: z.object({ sku: Sku }),
      body: UpsertCatalogItemData.omit({ sku: true }),
      responses: { 200: { description: 'The catalog item', schema: CatalogItemSchema }, 503: UNAVAILABLE },
      handle: async ({ params, body, rc }) => {
        const executed = await executeCommand(ctx, rc, {
          type: 'UpsertCatalogItem',
          data: { ...body, sku: params.sku },
        });
        return executed.ok ? json(200, view().catalogItem(params.sku)) : executed.reply;
      },
    }),
    route({
      method: 'put',
      path: '/v1/admin/safety-stock',
      operationId: 'setSafetyStock',
      summary: 'Sets the units of a SKU kept back from every channel at a location',
      tag: 'admin',
      access: ADMIN_ONLY,
      body: SetSafetyStockData.extend({ location: ApiLocationId }),
      responses: {
        200: { description: 'Safety stock set', schema: SetSafetyStockData },
        422: { description: 'UnknownLocation', schema: ErrorBody },
        503: UNAVAILABLE,
      },
      handle: async ({ body, rc }) => {
        if (!view().location(body.location))
          return problem(422, 'UnknownLocation', `unknown location ${body.location}`, { details: null });
        const executed = await executeCommand(ctx, rc, { type: 'SetSafetyStock', data: body });
        return executed.ok ? json(200, body) : executed.reply;
      },
    }),
    route({
      method: 'put',
      path: '/v1/admin/allocations',
      operationId: 'setChannelAllocation',
      summary: "Sets a channel's allocation rule for one SKU, or (sku null) the channel's default",
      description: 'share: the channel may hold at most ⌊share × Σ sellable⌋ units; cap: at most cap units.',
      tag: 'admin',
      access: ADMIN_ONLY,
      body: SetChannelAllocationData,
      responses: { 200: { description: 'Allocation set', schema: SetChannelAllocationData }, 503: UNAVAILABLE },
      handle: async ({ body, rc }) => {
        const executed = await executeCommand(ctx, rc, { type: 'SetChannelAllocation', data: body });
        return executed.ok ? json(200, body) : executed.reply;
      },
    }),
    route({
      method: 'post',
      path: '/v1/admin/rebuild',
      operationId: 'rebuildViews',
      summary: 'Replays the event stream into fresh views while the hub keeps serving',
      description: 'Commands wait while it runs. Answers when the rebuild is done.',
      tag: 'admin',
      access: ADMIN_ONLY,
      responses: {
        200: {
          description: 'Rebuilt',
          schema: z.object({ messages: z.number().int(), lastSeq: z.number().int(), ms: z.number() }),
        },
      },
      handle: async ({ rc }) => {
        rc.log.warn('view rebuild requested');
        return json(200, await ctx.rebuild());
      },
    }),
    route({
      method: 'get',
      path: '/v1/admin/config',
      operationId: 'getConfig',
      summary: 'The running configuration; tokens only as a count per role, NATS credentials masked',
      tag: 'admin',
      access: ADMIN_ONLY,
      responses: { 200: { description: 'Configuration', schema: z.record(z.string(), z.unknown()) } },
      handle: () => {
        const { tokens, ...rest } = ctx.config;
        const perRole: Record<string, number> = {};
        for (const grant of Object.values(tokens)) {
          const role = typeof grant === 'string' ? grant : grant.role;
          perRole[role] = (perRole[role] ?? 0) + 1;
        }
        // Credentials in a NATS URL are as secret as the tokens.
        const natsUrl = rest.natsUrl.replace(/\/\/[^/@,]*@/g, '//***@');
        return json(200, { ...rest, natsUrl, tokens: perRole });
      },
    }),
  ];
};
