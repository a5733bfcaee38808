import type { IncomingMessage } from 'node:http';
import express from 'express';
import type { HubConfig } from '../config.js';
import type { Logger } from '../logger.js';
import { type Principal, TokenRegistry } from '../tokens/token-registry.js';
import { type Access, type Authorized, authorize } from './auth.js';
import { RateLimiter } from './rate-limit.js';

/** express's compiled `trust proxy`: whether the address `i` hops from the hub is a trusted proxy. */
type TrustProxy = (address: string, hop: number) => boolean;

/** The same function express builds from a `trust proxy` setting, for requests that bypass express. */
const compileTrustProxy = (setting: HubConfig['trustProxy']): TrustProxy => {
  const probe = express();
  probe.set('trust proxy', setting);
  return probe.get('trust proxy fn') as TrustProxy;
};

/** A refusal for going too fast: 429 with when to come back. */
export interface RateLimitedReply {
  readonly status: 429;
  readonly json: { readonly error: 'rate_limited'; readonly message: string };
  /** Whole seconds, at least one. */
  readonly headers: { readonly 'Retry-After': string };
}

export const rateLimited = (seconds: number, message: string): RateLimitedReply => ({
  status: 429,
  json: { error: 'rate_limited', message },
  headers: { 'Retry-After': String(Math.max(1, Math.ceil(seconds))) },
});

/**
 * Who may come in, checked before a request's body is read: the client address's rate, then (for a
 * protected route) failed credentials from that address, the bearer token and its role, and the
 * token's rate. Shared by express's routes, the availability fast path and the reports.
 */
export interface HttpGate {
  readonly tokens: TokenRegistry;
  /** The client's address: the socket's peer, or what trusted proxies forwarded (HUB_TRUST_PROXY). */
  clientIp(req: IncomingMessage): string;
  /** 429 when the address is over HUB_RATE_LIMIT_PER_IP. Every request, public ones too. */
  admitAddress(ip: string): RateLimitedReply | undefined;
  /** 429 when the address presented too many missing or unknown credentials lately. */
  refusedForFailures(ip: string): RateLimitedReply | undefined;
  /** Counts a missing or unknown credential against the address. */
  credentialFailed(ip: string): void;
  /** 429 when the token is over HUB_RATE_LIMIT_PER_TOKEN. */
  admitToken(principal: Principal): RateLimitedReply | undefined;
  /** Everything but the address rate, for one route: 401, 403 or 429, or who is calling. */
  authorize(access: Access, header: string | undefined, ip: string): Authorized;
}

export const createHttpGate = (config: HubConfig, log: Logger): HttpGate => {
  const tokens = new TokenRegistry(config, log);
  const trust = compileTrustProxy(config.trustProxy);
  const perIp = new RateLimiter({ perSecond: config.rateLimitPerIp, burst: config.rateLimitPerIpBurst });
  const perToken = new RateLimiter({ perSecond: config.rateLimitPerToken, burst: config.rateLimitPerTokenBurst });
  const failures = new RateLimiter({ perSecond: config.authFailuresPerIp, burst: config.authFailuresPerIpBurst });
  const lookup = (token: string) => tokens.lookup(token);

  const gate: HttpGate = {
    tokens,
    clientIp: (req) => {
      // proxy-addr's walk, as express's req.ip does it: from the socket towards the client, up to
      // the first address that is not a trusted proxy.
      let address = req.socket.remoteAddress ?? '';
      if (!trust(address, 0)) return address;
      const forwarded = req.headers['x-forwarded-for'];
      if (typeof forwarded !== 'string') return address;
      const hops = forwarded.split(',');
      for (let i = hops.length - 1, hop = 1; i >= 0; i--, hop++) {
        address = (hops[i] as string).trim();
        if (!trust(address, hop)) return address;
      }
      return address;
    },
    admitAddress: (ip) => {
      const wait = perIp.take(ip);
      return wait > 0
        ? rateLimited(wait, 'too many requests from this address; retry after Retry-After seconds')
        : undefined;
    },
    refusedForFailures: (ip) => {
      // Checked before the credential, so that a guesser learns nothing more until the wait is over.
      const wait = failures.wait(ip);
      return wait > 0
        ? rateLimited(
            wait,
            'too many missing or unknown credentials from this address; retry after Retry-After seconds',
          )
        : undefined;
    },
    credentialFailed: (ip) => {
      failures.take(ip);
    },
    admitToken: (principal) => {
      const wait = perToken.take(principal.tokenId);
      return wait > 0
        ? rateLimited(wait, 'too many requests with this token; retry after Retry-After seconds')
        : undefined;
    },
    authorize: (access, header, ip) => {
      if (access === 'public') return { ok: true, principal: undefined };
      const blocked = gate.refusedForFailures(ip);
      if (blocked) return { ok: false, reply: blocked, credentialFailed: false };
      const auth = authorize(access, header, lookup);
      if (!auth.ok) {
        if (auth.credentialFailed) gate.credentialFailed(ip);
        return auth;
      }
      const limited = auth.principal ? gate.admitToken(auth.principal) : undefined;
      return limited ? { ok: false, reply: limited, credentialFailed: false } : auth;
    },
  };
  return gate;
};
