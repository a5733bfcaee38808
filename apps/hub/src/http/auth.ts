import { createHash, timingSafeEqual } from 'node:crypto';
import type { Role } from '../config.js';
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

const digest = (token: string) => createHash('sha256').update(token).digest();

/**
 * Maps a bearer token to its role. Compares SHA-256 digests in constant time against every
 * configured token, so response timing says nothing about how much of a token was right.
 */
export const tokenRoles = (tokens: Readonly<Record<string, Role>>) => {
  const known = Object.entries(tokens).map(([token, role]) => ({ digest: digest(token), role }));
  return (token: string): Role | undefined => {
    const d = digest(token);
    let role: Role | undefined;
    for (const k of known) if (timingSafeEqual(k.digest, d)) role = k.role;
    return role;
  };
};

const BEARER = /^Bearer[ \t]+([^\s]+)[ \t]*$/i;

export type Authorized = { readonly ok: true; readonly role: Role | undefined } | { readonly ok: false; reply: Reply };

/**
 * Checks `Authorization: Bearer <token>` against the route's roles: 401 (with WWW-Authenticate) when
 * missing or unknown, 403 when the role may not call the route.
 */
export const authorize = (
  access: Access,
  header: string | undefined,
  roleOf: (token: string) => Role | undefined,
): Authorized => {
  if (access === 'public') return { ok: true, role: undefined };
  const token = header === undefined ? undefined : BEARER.exec(header)?.[1];
  if (token === undefined)
    return {
      ok: false,
      reply: {
        status: 401,
        json: { error: 'unauthorized', message: 'an Authorization: Bearer <token> header is required' },
        headers: { 'WWW-Authenticate': 'Bearer realm="stocknerve"' },
      },
    };
  const role = roleOf(token);
  if (role === undefined)
    return {
      ok: false,
      reply: {
        status: 401,
        json: { error: 'unauthorized', message: 'unknown bearer token' },
        headers: { 'WWW-Authenticate': 'Bearer realm="stocknerve", error="invalid_token"' },
      },
    };
  if (!access.includes(role))
    return {
      ok: false,
      reply: problem(403, 'forbidden', `role ${role} may not call this route (allowed: ${access.join(', ')})`),
    };
  return { ok: true, role };
};
