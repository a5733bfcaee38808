import { createHash, randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import type { Role } from '../config.js';
import { bearerToken, MANAGER_READ } from '../http/auth.js';
import type { HttpGate, RateLimitedReply } from '../http/gate.js';
import type { Principal, TokenRegistry } from '../tokens/token-registry.js';
import { REPORTS_BASE } from './paths.js';

/**
 * The session cookie: an opaque random id of a session the hub keeps in memory (never the token),
 * HttpOnly (no script reads it), SameSite=Strict, path /reports, Secure when the request came over
 * TLS (through a trusted proxy: HUB_TRUST_PROXY).
 */
export const SESSION_COOKIE = 'sn_reports';
/** How long a browser stays signed in, s. Default 12 hours. */
export const SESSION_MAX_AGE_S = 12 * 3600;

/** The outcome of a check: who is calling, or the 401/403/429 answer. */
export type ReportsAuth =
  | { readonly ok: true; readonly principal: Principal }
  | {
      readonly ok: false;
      readonly status: 401 | 403 | 429;
      readonly role: Role | undefined;
      readonly body: { readonly error: string; readonly message: string };
      readonly headers?: Readonly<Record<string, string>>;
    };

interface Session {
  readonly principal: Principal;
  /** Wall clock, ms. */
  readonly expiresAt: number;
}

const cookieValue = (req: Request): string | undefined => {
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

/** Sessions are kept by the digest of their id: the map holds nothing a browser could present. */
const sessionKey = (id: string) => createHash('sha256').update(id).digest('base64url');

/**
 * Signed-in browsers: session id → the token's principal, until SESSION_MAX_AGE_S, sign-out, or the
 * token's revocation (checked on every use). In memory: a restart signs everybody out.
 */
export class ReportSessions {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly tokens: TokenRegistry,
    private readonly now: () => number,
    private readonly maxAgeMs = SESSION_MAX_AGE_S * 1000,
  ) {}

  /** A new session's id: 32 random bytes, base64url. */
  start(principal: Principal): string {
    const now = this.now();
    // Sign-ins are rare: forgetting expired sessions then keeps the map small without a timer.
    for (const [key, session] of this.sessions) if (session.expiresAt <= now) this.sessions.delete(key);
    const id = randomBytes(32).toString('base64url');
    this.sessions.set(sessionKey(id), { principal, expiresAt: now + this.maxAgeMs });
    return id;
  }

  /** The session's principal while it is valid and its token is still accepted. */
  get(id: string): Principal | undefined {
    const key = sessionKey(id);
    const session = this.sessions.get(key);
    if (!session) return undefined;
    if (session.expiresAt <= this.now() || !this.tokens.isLive(session.principal.tokenId)) {
      this.sessions.delete(key);
      return undefined;
    }
    return session.principal;
  }

  end(id: string): void {
    this.sessions.delete(sessionKey(id));
  }
}

const limited = (reply: RateLimitedReply): ReportsAuth => ({
  ok: false,
  status: 429,
  role: undefined,
  body: reply.json,
  headers: reply.headers,
});

/**
 * Who may see reports: a manager or admin token (the HTTP API's gate and role table), from an
 * `Authorization: Bearer` header (scripts, the JSON and CSV endpoints) or the session a browser got
 * at sign-in (pages cannot send headers on navigation).
 */
export const reportsAuthenticator = (gate: HttpGate, now: () => number) => {
  const sessions = new ReportSessions(gate.tokens, now);
  const allowed = (principal: Principal | undefined, unknownMessage: string): ReportsAuth => {
    if (principal === undefined)
      return { ok: false, status: 401, role: undefined, body: { error: 'unauthorized', message: unknownMessage } };
    if (!MANAGER_READ.includes(principal.role))
      return {
        ok: false,
        status: 403,
        role: principal.role,
        body: {
          error: 'forbidden',
          message: `role ${principal.role} may not read reports (allowed: ${MANAGER_READ.join(', ')})`,
        },
      };
    return { ok: true, principal };
  };
  const anonymous: ReportsAuth = {
    ok: false,
    status: 401,
    role: undefined,
    body: {
      error: 'unauthorized',
      message: `a manager or admin token is required: Authorization: Bearer <token>, or sign in at ${REPORTS_BASE}/login`,
    },
  };
  /** A token a client presents (header or sign-in form): counted against its address when unknown. */
  const checkToken = (token: string, ip: string): ReportsAuth => {
    const blocked = gate.refusedForFailures(ip);
    if (blocked) return limited(blocked);
    const principal = gate.tokens.lookup(token);
    if (principal === undefined) gate.credentialFailed(ip);
    const checked = allowed(principal, 'unknown token');
    if (!checked.ok) return checked;
    const tooFast = gate.admitToken(checked.principal);
    return tooFast ? limited(tooFast) : checked;
  };
  return {
    /** Checks a token as typed into the sign-in form. */
    checkToken,
    /** The bearer header wins over the session cookie. Neither is a visit, not a failed credential. */
    fromRequest: (req: Request, ip: string): ReportsAuth => {
      const header = req.get('authorization');
      if (header !== undefined) return checkToken(bearerToken(header) ?? '', ip);
      const id = cookieValue(req);
      if (id === undefined) return anonymous;
      const principal = sessions.get(id);
      const checked = allowed(principal, 'your session has ended: sign in again');
      if (!checked.ok) return checked;
      const tooFast = gate.admitToken(checked.principal);
      return tooFast ? limited(tooFast) : checked;
    },
    hasCookie: (req: Request): boolean => cookieValue(req) !== undefined,
    startSession: (req: Request, res: Response, principal: Principal): void => {
      res.cookie(SESSION_COOKIE, sessions.start(principal), {
        httpOnly: true,
        sameSite: 'strict',
        secure: req.secure,
        path: REPORTS_BASE,
        maxAge: SESSION_MAX_AGE_S * 1000,
      });
    },
    /** Ends the session on the hub (the cookie is worthless from now on) and clears the cookie. */
    endSession: (req: Request, res: Response): void => {
      const id = cookieValue(req);
      if (id !== undefined) sessions.end(id);
      res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: REPORTS_BASE });
    },
  };
};
export type ReportsAuthenticator = ReturnType<typeof reportsAuthenticator>;
