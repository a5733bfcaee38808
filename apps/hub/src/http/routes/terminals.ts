import type { IncomingMessage, ServerResponse } from 'node:http';
import { LocationId, NodeId } from '@stocknerve/domain';
import { z } from 'zod';
import type { HubContext } from '../../hub-context.js';
import { EnrollmentError, TerminalRecord } from '../../identity/enrollment.js';
import { sqlInventoryView } from '../../views/sql-inventory-view.js';
import { ADMIN_ONLY } from '../auth.js';
import { json, problem, type Reply } from '../reply.js';
import { type Route, route } from '../route.js';
import { ErrorBody } from '../schemas.js';

const NOT_CONFIGURED = {
  description: 'The hub has no identity directory (HUB_IDENTITY_DIR): it cannot enroll terminals',
  schema: ErrorBody,
};

const refused = (error: unknown): Reply => {
  if (error instanceof EnrollmentError) return problem(error.status, error.code, error.message);
  throw error;
};

/**
 * Terminal enrollment (a one-time code for a node; the terminal trades it and its public key for
 * its NATS user JWT) and revocation. docs/runbook.md, "Security".
 */
export const terminalRoutes = (ctx: HubContext): Route[] => {
  const service = () => ctx.enrollment;
  const notConfigured = () =>
    problem(503, 'enrollment-not-configured', 'this hub has no identity directory (HUB_IDENTITY_DIR)');
  return [
    route({
      method: 'post',
      path: '/v1/enrollments',
      operationId: 'createEnrollmentCode',
      summary: 'Creates a one-time enrollment code for a terminal (node) of a location',
      description:
        'The code is shown once and expires (HUB_ENROLLMENT_CODE_TTL_MS, default 15 minutes). Enrolling a node id ' +
        'again (a replaced till) revokes its previous key when the new one is enrolled.',
      tag: 'terminals',
      access: ADMIN_ONLY,
      body: z.object({ location: LocationId, node: NodeId }),
      responses: {
        201: {
          description: 'The code',
          schema: z.object({
            code: z.string(),
            expiresAt: z.string(),
            location: z.string(),
            node: z.string(),
            region: z.string(),
          }),
        },
        400: { description: 'Invalid node (e.g. the reserved id hub)', schema: ErrorBody },
        422: { description: 'Unknown location', schema: ErrorBody },
        503: NOT_CONFIGURED,
      },
      handle: async ({ body }) => {
        const enrollment = service();
        if (!enrollment) return notConfigured();
        const location = sqlInventoryView(ctx.store).location(body.location);
        if (!location) return problem(422, 'unknown-location', `location ${body.location} is not defined`);
        try {
          const { code, expiresAt } = await enrollment.createCode({ ...body, region: location.region });
          return json(201, { code, expiresAt: new Date(expiresAt).toISOString(), ...body, region: location.region });
        } catch (error) {
          return refused(error);
        }
      },
    }),
    route({
      method: 'post',
      path: '/v1/enrollments/redeem',
      operationId: 'redeemEnrollmentCode',
      summary: 'A terminal trades an enrollment code and its own public key for its NATS user JWT',
      description:
        'The terminal generates its key pair and keeps the seed; only the public key is sent. A code works once.',
      tag: 'terminals',
      access: 'public',
      body: z.object({
        code: z.string().min(1).max(64),
        publicKey: z.string().min(1).max(128).meta({ description: 'NATS user public key (U…)' }),
      }),
      responses: {
        200: {
          description: 'The JWT and the identity it is bound to',
          schema: z.object({
            jwt: z.string(),
            identity: z.object({ node: z.string(), location: z.string(), region: z.string() }),
            inboxPrefix: z.string(),
          }),
        },
        400: { description: 'Not a user public key', schema: ErrorBody },
        403: { description: 'Unknown or already used code', schema: ErrorBody },
        410: { description: 'Expired code', schema: ErrorBody },
        503: NOT_CONFIGURED,
      },
      handle: async ({ body }) => {
        const enrollment = service();
        if (!enrollment) return notConfigured();
        try {
          const enrolled = await enrollment.redeem(body.code, body.publicKey);
          ctx.log.info({ node: enrolled.identity.node, location: enrolled.identity.location }, 'terminal enrolled');
          return json(200, enrolled);
        } catch (error) {
          return refused(error);
        }
      },
    }),
    route({
      method: 'get',
      path: '/v1/terminals',
      operationId: 'listTerminals',
      summary: 'Every enrolled terminal, its public key and whether it is revoked',
      tag: 'terminals',
      access: ADMIN_ONLY,
      responses: {
        200: { description: 'Terminals', schema: z.object({ terminals: z.array(TerminalRecord) }) },
        503: NOT_CONFIGURED,
      },
      handle: async () => {
        const enrollment = service();
        if (!enrollment) return notConfigured();
        return json(200, { terminals: await enrollment.list() });
      },
    }),
    route({
      method: 'post',
      path: '/v1/terminals/:node/revoke',
      operationId: 'revokeTerminal',
      summary: 'Revokes a terminal (lost or stolen till): its connections are closed and its key refused',
      tag: 'terminals',
      access: ADMIN_ONLY,
      params: z.object({ node: NodeId }),
      responses: {
        200: { description: 'The revoked terminal', schema: TerminalRecord },
        404: { description: 'No such terminal', schema: ErrorBody },
        503: NOT_CONFIGURED,
      },
      handle: async ({ params }) => {
        const enrollment = service();
        if (!enrollment) return notConfigured();
        try {
          const revoked = await enrollment.revoke(params.node);
          ctx.log.warn({ node: params.node }, 'terminal revoked');
          return json(200, revoked);
        } catch (error) {
          return refused(error);
        }
      },
    }),
  ];
};

/**
 * A store node's page (served from the terminal itself, another origin) redeems its code from the
 * browser: this one public route answers CORS, without credentials.
 */
export const enrollmentCors = (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
  if (req.url !== '/v1/enrollments/redeem') {
    next();
    return;
  }
  res.setHeader('Access-Control-Allow-Origin', '*');
  if (req.method !== 'OPTIONS') {
    next();
    return;
  }
  res.setHeader('Access-Control-Allow-Methods', 'POST');
  res.setHeader('Access-Control-Allow-Headers', 'content-type');
  res.setHeader('Access-Control-Max-Age', '600');
  res.statusCode = 204;
  res.end();
};
