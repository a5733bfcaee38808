import type { Request, Response } from 'express';
import type { Role } from '../config.js';
import { MANAGER_READ, tokenRoles } from '../http/auth.js';
import { REPORTS_BASE } from './paths.js';

/** The session cookie: the token itself, HttpOnly (no script reads it), SameSite=Strict, path /reports. */
export const SESSION_COOKIE = 'sn_reports';
/** How long a browser stays signed in, s. Default 12 hours. */
export const SESSION_MAX_AGE_S = 12 * 3600;

/** The outcome of a check: the caller's role, or the 401/403 answer. */
export type ReportsAuth =
  | { readonly ok: true; readonly role: Role }
  | {
      readonly ok: false;
      readonly status: 401 | 403;
      readonly role: Role | undefined;
      readonly body: { readonly error: string; readonly message: string };
    };

const cookieToken = (req: Request): string | undefined => {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name !== SESSION_COOKIE) continue;
    try {
      const value = decodeURIComponent(rest.join('='));
      return value === '' ? undefined : value;
    } catch {
      return undefined;
    }
  }
  return undefined;
};

const BEARER = /^Bearer[ \t]+([^\s]+)[ \t]*$/i;

/**
 * Who may see reports: a manager or admin token (the HTTP API's role table), from an
 * `Authorization: Bearer` header (scripts, the JSON and CSV endpoints) or the session cookie a
 * browser got at sign-in (pages cannot send headers on navigation).
 */
export const reportsAuthenticator = (tokens: Readonly<Record<string, Role>>) => {
  const roleOf = tokenRoles(tokens);
  const check = (token: string | undefined): ReportsAuth => {
    if (token === undefined)
      return {
        ok: false,
        status: 401,
        role: undefined,
        body: {
          error: 'unauthorized',
          message: `a manager or admin token is required: Authorization: Bearer <token>, or sign in at ${REPORTS_BASE}/login`,
        },
      };
    const role = roleOf(token);
    if (role === undefined)
      return { ok: false, status: 401, role, body: { error: 'unauthorized', message: 'unknown token' } };
    if (!MANAGER_READ.includes(role))
      return {
        ok: false,
        status: 403,
        role,
        body: {
          error: 'forbidden',
          message: `role ${role} may not read reports (allowed: ${MANAGER_READ.join(', ')})`,
        },
      };
    return { ok: true, role };
  };
  return {
    /** Checks a token as typed into the sign-in form or given as `?token=`. */
    check,
    /** The request's bearer header wins over the cookie. */
    fromRequest: (req: Request): ReportsAuth => {
      const header = req.get('authorization');
      if (header !== undefined) return check(BEARER.exec(header)?.[1] ?? '');
      return check(cookieToken(req));
    },
    hasCookie: (req: Request): boolean => cookieToken(req) !== undefined,
    startSession: (req: Request, res: Response, token: string): void => {
      res.cookie(SESSION_COOKIE, token, {
        httpOnly: true,
        sameSite: 'strict',
        secure: req.secure,
        path: REPORTS_BASE,
        maxAge: SESSION_MAX_AGE_S * 1000,
      });
    },
    endSession: (req: Request, res: Response): void => {
      res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: REPORTS_BASE });
    },
  };
};
export type ReportsAuthenticator = ReturnType<typeof reportsAuthenticator>;
