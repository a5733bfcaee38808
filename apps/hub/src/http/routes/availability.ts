import { ChannelId, Sku } from '@stocknerve/domain';
import { z } from 'zod';
import type { HubContext } from '../../hub-context.js';
import { availabilityJsonOf } from '../../views/availability.js';
import { STOREFRONT_READ } from '../auth.js';
import { jsonText } from '../reply.js';
import { type Route, route } from '../route.js';
import { ChannelList, SkuAvailabilitySchema } from '../schemas.js';

const AvailabilityBatchBody = z.object({
  skus: z
    .array(Sku)
    .min(1, { error: 'skus must name at least one sku' })
    .max(200, { error: 'skus must name at most 200 skus' }),
  channel: ChannelId.default('web'),
});

const ATP_NOTE =
  'ATP per channel is computed over every defined location with the same rules the hub reserves with: ' +
  'available = on hand − reserved − safety stock; a stale location contributes minus a buffer or nothing ' +
  '(HUB_STALE_POLICY); network-wide reservations come off the pool; an allocation rule (share or cap) ' +
  'limits what the channel may hold. A SKU without stock anywhere (or unknown) answers zeros.';

const BATCH_OPEN = Buffer.from('{"availability":[');
const COMMA = Buffer.from(',');
const BATCH_CLOSE = Buffer.from(']}');

/** Availability for storefronts and marketplaces: one SKU, or a page of SKUs at once. */
export const availabilityRoutes = (ctx: HubContext): Route[] => [
  route({
    method: 'get',
    path: '/v1/availability/:sku',
    operationId: 'getAvailability',
    summary: 'Available-to-promise of a SKU per channel, with the per-location breakdown',
    description: ATP_NOTE,
    tag: 'availability',
    access: STOREFRONT_READ,
    params: z.object({ sku: Sku }),
    query: z.object({ channel: ChannelList }),
    responses: { 200: { description: 'Availability of the SKU', schema: SkuAvailabilitySchema } },
    handle: ({ params, query }) => {
      const [answer] = availabilityJsonOf(ctx.store, ctx.config, ctx.now(), [params.sku], query.channel);
      return jsonText(200, answer ?? '{}');
    },
  }),
  route({
    method: 'post',
    path: '/v1/availability/batch',
    operationId: 'getAvailabilityBatch',
    summary: 'Availability of up to 200 SKUs for one channel (a storefront page at once)',
    description: `${ATP_NOTE} Freshness and stock figures are read once for the whole batch; duplicate SKUs are answered once.`,
    tag: 'availability',
    access: STOREFRONT_READ,
    body: AvailabilityBatchBody,
    responses: {
      200: {
        description: 'Availability per SKU, in request order',
        schema: z.object({ availability: z.array(SkuAvailabilitySchema) }),
      },
    },
    handle: ({ body }) => {
      const answers = availabilityJsonOf(ctx.store, ctx.config, ctx.now(), [...new Set(body.skus)], [body.channel]);
      const parts: Buffer[] = [BATCH_OPEN];
      for (const [i, answer] of answers.entries()) {
        if (i > 0) parts.push(COMMA);
        parts.push(answer);
      }
      parts.push(BATCH_CLOSE);
      return jsonText(200, parts);
    },
  }),
];
