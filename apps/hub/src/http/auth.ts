import type { Role } from '../config.js';
import type { Principal } from '../tokens/token-registry.js';
import { problem, type Reply } from './reply.js';

/** Who may call a route: anybody, or bearer tokens of the listed roles. */
export type Access = 'public' | readonly Role[];

/** Roles that read what a storefront needs (availability, its reservations and pickups). */
export const STOREFRONT_READ: readonly Role[] = ['ecommerce', 'manager', 'admin'];
/** Roles that place and change reservations and pickups. */
export const STOREFRONT_WRITE: readonly Role[] = ['ecommerce', 'admin'];
/** Roles that read everything (reports, stock, history, nodes, incidents, catalog). */
export const MANAGER_READ: readonly Role[] = ['manager', 'admin'];
/** Master data, rebuild, config. */
export const ADMIN_ONLY: readonly Role[] = ['admin'];

const BEARER = /^Bearer[ \t]+([^\s]+)[ \t]*$/i;

/** The token of an `Authorization: Bearer <token>` header, if it is one. */
export const bearerToken = (header: string | undefined): string | undefined =>
  header === undefined ? undefined : BEARER.exec(header)?.[1];

export type Authorized =
  | { readonly ok: true; readonly principal: Principal | undefined }
  /** `credentialFailed`: no token, or one the hub does not know (what a guesser gets). */
  | { readonly ok: false; readonly reply: Reply; readonly credentialFailed: boolean };

/**
 * Checks `Authorization: Bearer <token>` against the route's roles: 401 (with WWW-Authenticate) when
 * missing or unknown, 403 when the role may not call the route.
 */
export const authorize = (
  access: Access,
  header: string | undefined,
  lookup: (token: string) => Principal | undefined,
): Authorized => {
  if (access === 'public') return { ok: true, principal: undefined };
  const token = bearerToken(header);
  if (token === undefined)
    return {
      ok: false,
      credentialFailed: true,
      reply: {
        status: 401,
        json: { error: 'unauthorized', message: 'an Authorization: Bearer <token> header is required' },
        headers: { 'WWW-Authenticate': 'Bearer realm="stocknerve"' },
      },
    };
  const principal = lookup(token);
  if (principal === undefined)
    return {
      ok: false,
      credentialFailed: true,
      reply: {
        status: 401,
        json: { error: 'unauthorized', message: 'unknown bearer token' },
        headers: { 'WWW-Authenticate': 'Bearer realm="stocknerve", error="invalid_token"' },
      },
    };
  if (!access.includes(principal.role))
    return {
      ok: false,
      credentialFailed: false,
      reply: problem(
        403,
        'forbidden',
        `role ${principal.role} may not call this route (allowed: ${access.join(', ')})`,
      ),
    };
  return { ok: true, principal };
};
