import { z } from 'zod';
import type { Route } from './route.js';
import {
  CatalogItemSchema,
  ErrorBody,
  IncidentSchema,
  InvalidRequestBody,
  LocationSchema,
  NodeStatusSchema,
  OnHandExplanationSchema,
  PickupSchema,
  ReservationSchema,
  SkuAvailabilitySchema,
  StockAsOfSchema,
  StockLineSchema,
} from './schemas.js';

type Json = Record<string, unknown>;

/** Named response schemas: referenced from operations and from each other. */
const COMPONENTS: readonly [string, z.ZodType][] = [
  ['Error', ErrorBody],
  ['InvalidRequest', InvalidRequestBody],
  ['SkuAvailability', SkuAvailabilitySchema],
  ['Location', LocationSchema],
  ['StockLine', StockLineSchema],
  ['StockAsOf', StockAsOfSchema],
  ['OnHandExplanation', OnHandExplanationSchema],
  ['Reservation', ReservationSchema],
  ['Pickup', PickupSchema],
  ['Incident', IncidentSchema],
  ['NodeStatus', NodeStatusSchema],
  ['CatalogItem', CatalogItemSchema],
];

const TAGS = [
  { name: 'availability', description: 'What channels may promise (ATP), per SKU and location' },
  { name: 'reservations', description: 'Holds for online carts and marketplace orders' },
  { name: 'pickups', description: 'Click-and-collect orders routed to stores' },
  { name: 'locations', description: 'Stores and warehouses: stock, history, explanations' },
  { name: 'operations', description: 'Incidents, node sync status, catalog' },
  { name: 'admin', description: 'Master data, allocation rules, rebuild, configuration' },
  { name: 'system', description: 'Health, metrics, this document' },
];

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
/** `idempotency-key` → `Idempotency-Key`. */
const headerName = (s: string) => s.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase());

/** Drops the per-schema keywords that do not belong inside an OpenAPI document. */
const embeddable = (schema: unknown): Json => {
  const { $schema: _schema, $id: _id, ...rest } = schema as Json;
  return rest;
};

// Inputs are documented as clients send them (before defaults and transforms), outputs as sent back.
const INPUT = { io: 'input', unrepresentable: 'any' } as const;
const OUTPUT = { io: 'output', unrepresentable: 'any' } as const;

const parametersOf = (schema: z.ZodType | undefined, where: 'path' | 'query' | 'header'): Json[] => {
  if (!(schema instanceof z.ZodObject)) return [];
  return Object.entries(schema.shape as Record<string, z.ZodType>).map(([name, field]) => {
    const { description, ...fieldSchema } = embeddable(z.toJSONSchema(field, INPUT));
    const repeatable = JSON.stringify(fieldSchema).includes('"type":"array"');
    return {
      name: where === 'header' ? headerName(name) : name,
      in: where,
      required: where === 'path' || !field.safeParse(undefined).success,
      ...(typeof description === 'string' ? { description } : {}),
      schema: fieldSchema,
      ...(where === 'query' && repeatable ? { style: 'form', explode: true } : {}),
    };
  });
};

const rolesNote = (route: Route) =>
  route.access === 'public' ? 'Open: no token needed.' : `Roles: ${route.access.join(', ')}.`;

/**
 * The OpenAPI 3.1 document of the routes, generated from the same zod schemas that validate the
 * requests (request side as input types, responses as output types).
 */
export const buildOpenApiDocument = (routes: readonly Route[]): Json => {
  const requests = z.registry<{ id: string }>();
  const responses = z.registry<{ id: string }>();
  for (const [id, schema] of COMPONENTS) responses.add(schema, { id });
  const idIn = (registry: typeof requests, schema: z.ZodType, fallback: string): string => {
    const existing = registry.get(schema)?.id;
    if (existing) return existing;
    registry.add(schema, { id: fallback });
    return fallback;
  };

  const paths: Record<string, Record<string, Json>> = {};
  for (const r of routes) {
    const name = pascal(r.operationId);
    const operationResponses: Record<string, Json> = {};
    for (const [status, doc] of Object.entries(r.responses)) {
      const contentType = doc.contentType ?? 'application/json';
      const schema = doc.schema
        ? ref(idIn(responses, doc.schema, `${name}${status}Response`))
        : doc.contentType?.startsWith('text/')
          ? { type: 'string' }
          : undefined;
      operationResponses[status] = {
        description: doc.description,
        ...(schema ? { content: { [contentType]: { schema } } } : {}),
      };
    }
    const validates = r.params || r.query || r.headers || r.body;
    if (validates)
      operationResponses['400'] ??= {
        description: 'Invalid request: every issue names its field',
        content: { 'application/json': { schema: ref('InvalidRequest') } },
      };
    if (r.access !== 'public') {
      operationResponses['401'] = {
        description: 'Missing, unknown or revoked bearer token (WWW-Authenticate: Bearer)',
        content: { 'application/json': { schema: ref('Error') } },
      };
      operationResponses['403'] ??= {
        description: 'The token is valid but its role may not call this operation',
        content: { 'application/json': { schema: ref('Error') } },
      };
    }
    operationResponses['429'] = {
      description:
        'Too many requests from this address or with this token, or too many missing or unknown tokens from ' +
        'this address: `{ error: "rate_limited", message }`, with Retry-After (seconds)',
      headers: { 'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer' } } },
      content: { 'application/json': { schema: ref('Error') } },
    };
    operationResponses['500'] = {
      description: 'Unexpected error (logged with the correlation id)',
      content: { 'application/json': { schema: ref('Error') } },
    };

    const openApiPath = r.path.replace(/:(\w+)/g, '{$1}');
    const operations = paths[openApiPath] ?? {};
    paths[openApiPath] = operations;
    operations[r.method] = {
      operationId: r.operationId,
      summary: r.summary,
      description: [r.description, rolesNote(r)].filter(Boolean).join('\n\n'),
      tags: [r.tag],
      security: r.access === 'public' ? [] : [{ bearerAuth: [] }],
      'x-roles': r.access === 'public' ? [] : r.access,
      parameters: [
        ...parametersOf(r.params, 'path'),
        ...parametersOf(r.query, 'query'),
        ...parametersOf(r.headers, 'header'),
        {
          name: 'X-Correlation-Id',
          in: 'header',
          required: false,
          description:
            'Ties the request to its events and logs (1-128 of [A-Za-z0-9_.:-]); echoed back, generated when absent.',
          schema: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,128}$' },
        },
        {
          name: 'Stocknerve-Min-Seq',
          in: 'header',
          required: false,
          description:
            'Answer only once the views of the instance asked hold this stream position (the Stocknerve-Seq of an ' +
            'earlier answer, from any instance): read-your-writes across hub instances. 503 with Retry-After when ' +
            'the instance does not get there within HUB_READ_WAIT_MS.',
          schema: { type: 'integer', minimum: 0 },
        },
      ],
      ...(r.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: ref(idIn(requests, r.body, `${name}Request`)) } },
            },
          }
        : {}),
      responses: operationResponses,
    };
  }

  const uri = (id: string) => `#/components/schemas/${id}`;
  const schemas: Record<string, Json> = {};
  for (const [registry, io] of [
    [requests, INPUT],
    [responses, OUTPUT],
  ] as const)
    for (const [id, schema] of Object.entries(z.toJSONSchema(registry, { ...io, uri }).schemas))
      schemas[id] = embeddable(schema);

  return {
    openapi: '3.1.0',
    info: {
      title: 'Stocknerve hub API',
      version: '1.0.0',
      description:
        'Network stock, availability and reservations of the Stocknerve hub. JSON everywhere; send ' +
        '`Authorization: Bearer <token>`; roles: ecommerce (availability, reservations, pickups), manager ' +
        '(every read), admin (everything). An ecommerce token may be limited to sales channels: it then sees ' +
        "and changes only those channels' reservations and pickups (another channel's id answers 404, as an " +
        'unknown one does; naming another channel answers 403 with `field: "channel"`). The token is checked ' +
        'before a body is read. Errors are `{ error, message }`; invalid requests add `issues`, each naming its ' +
        'field; no text field may contain control characters, and the location id `hub` is reserved. Requests ' +
        'are rate-limited per token and per client address (429 with Retry-After). Every answer carries ' +
        "`Stocknerve-Seq`, the stream position its figures reflect (a command's: the one recording it); several " +
        'hub instances may serve this API, and any of them asked with `Stocknerve-Min-Seq` answers once it holds ' +
        'that position. A command answered 503 with Retry-After (an election between instances) may be sent again ' +
        'as it is, to any instance.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    tags: TAGS,
    paths,
    components: {
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          description:
            'A token made by `stocknerve-hub token create` (or set in HUB_TOKENS); its role, and for ecommerce ' +
            'its channels, decide access.',
        },
      },
      schemas,
    },
  };
};
