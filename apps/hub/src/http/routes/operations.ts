import { z } from 'zod';
import type { HubContext } from '../../hub-context.js';
import { catalogPage } from '../../views/catalog-queries.js';
import { listIncidents } from '../../views/incidents-queries.js';
import { nodeSyncStatuses } from '../../views/node-status.js';
import { MANAGER_READ } from '../auth.js';
import { json } from '../reply.js';
import { type Route, route } from '../route.js';
import {
  ApiLocationId,
  CatalogItemSchema,
  encodeSkuCursor,
  IncidentSchema,
  Limit,
  NodeStatusSchema,
  SkuCursor,
} from '../schemas.js';

/** What managers watch: incidents, the sync status of every node, the catalog. */
export const operationsRoutes = (ctx: HubContext): Route[] => [
  route({
    method: 'get',
    path: '/v1/incidents',
    operationId: 'listIncidents',
    summary: 'Oversells and rejected pickups found by reconciliation, newest first',
    tag: 'operations',
    access: MANAGER_READ,
    query: z.object({
      kind: z.enum(['oversell', 'pickup-rejected']).optional(),
      location: ApiLocationId.optional(),
      limit: Limit(100, 1000),
    }),
    responses: { 200: { description: 'Incidents', schema: z.object({ incidents: z.array(IncidentSchema) }) } },
    handle: ({ query }) => json(200, { incidents: listIncidents(ctx.store, query) }),
  }),
  route({
    method: 'get',
    path: '/v1/nodes',
    operationId: 'listNodes',
    summary: 'Sync status of every node the hub has heard of: watermark, gaps, pending, last heard',
    tag: 'operations',
    access: MANAGER_READ,
    responses: { 200: { description: 'Nodes', schema: z.object({ nodes: z.array(NodeStatusSchema) }) } },
    handle: () => json(200, { nodes: nodeSyncStatuses(ctx.store, ctx.now(), ctx.config.staleAfterMs) }),
  }),
  route({
    method: 'get',
    path: '/v1/catalog',
    operationId: 'listCatalog',
    summary: 'The catalog, paginated by SKU',
    tag: 'operations',
    access: MANAGER_READ,
    query: z.object({ cursor: SkuCursor.optional(), limit: Limit(100, 1000) }),
    responses: {
      200: {
        description: 'One page; nextCursor is null on the last page',
        schema: z.object({ catalog: z.array(CatalogItemSchema), nextCursor: z.string().nullable() }),
      },
    },
    handle: ({ query }) => {
      const page = catalogPage(ctx.store, { after: query.cursor, limit: query.limit });
      return json(200, { catalog: page.items, nextCursor: encodeSkuCursor(page.lastSku) });
    },
  }),
];
