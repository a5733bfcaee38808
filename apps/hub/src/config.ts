import { hostname } from 'node:os';
import { ChannelId } from '@stocknerve/domain';
import { z } from 'zod';

/** The host name as an instance id: its first label, with what an id may not hold replaced. */
const defaultInstanceId = (): string =>
  (hostname().split('.')[0] ?? '').replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 64) || 'hub';

/** A bearer token and the role it grants. */
export const Role = z.enum(['ecommerce', 'manager', 'admin']);
export type Role = z.infer<typeof Role>;

/** An ecommerce token limited to the reservations and pickups of some sales channels. */
export const ScopedRole = z.object({
  role: z.literal('ecommerce', { error: 'only an ecommerce token is limited to channels' }),
  channels: z.array(ChannelId).min(1),
});
export type ScopedRole = z.infer<typeof ScopedRole>;

/** 32 random bytes in base64url: what `stocknerve-hub token create` makes, and the least HUB_TOKENS may hold in production. */
export const STRONG_TOKEN_LENGTH = 43;

const HubConfigSchema = z.object({
  /** NATS server URL(s), comma-separated. Default nats://127.0.0.1:4222. */
  natsUrl: z.string().min(1),
  /** The hub's NATS user (a `.creds` file: JWT and seed). Required by a server in operator mode. */
  natsCreds: z.string().min(1).optional(),
  /** PEM file of the CA that signed the NATS server's certificate (`tls://` URLs). */
  natsCa: z.string().min(1).optional(),
  /**
   * The deployment's identity directory (`stocknerve-hub identity init`): with it the hub enrolls
   * terminals and revokes them; without it, enrollment answers 503.
   */
  identityDir: z.string().min(1).optional(),
  /** How long an enrollment code stays valid, ms. Default 15 minutes. */
  enrollmentCodeTtlMs: z.number().int().positive(),
  /** HTTP port; 0 picks a free one. Default 7480. */
  httpPort: z.number().int().min(0).max(65535),
  /** HTTP bind address. Default 127.0.0.1. */
  httpHost: z.string().min(1),
  /** SQLite file of the views; `:memory:` for tests. Default .data/hub/views.sqlite. */
  dbPath: z.string().min(1),
  /**
   * Bearer token → role, or → ecommerce and its channels (HUB_TOKENS `token:role`,
   * `token:ecommerce:web+marketplace-a`). In production or on a non-loopback address a token must
   * be at least STRONG_TOKEN_LENGTH characters and must not contain `demo`.
   */
  tokens: z.record(z.string().min(16, { error: 'tokens must be at least 16 characters' }), z.union([Role, ScopedRole])),
  /** Hub-made tokens, stored hashed (`stocknerve-hub token create`); re-read when it changes. Default .data/hub/tokens.json. */
  tokenFile: z.string().min(1),
  /** Requests per second a token may make (token bucket); 0 turns the limit off. Default 50,000. */
  rateLimitPerToken: z.number().min(0),
  /** Requests a token may make at once before its rate applies. Default 100,000. */
  rateLimitPerTokenBurst: z.number().int().positive(),
  /** Requests per second one client address may make, authenticated or not; 0 turns it off. Default 50,000. */
  rateLimitPerIp: z.number().min(0),
  /** Requests one client address may make at once before its rate applies. Default 100,000. */
  rateLimitPerIpBurst: z.number().int().positive(),
  /** Missing or unknown credentials per second one client address may present; always on. Default 1. */
  authFailuresPerIp: z.number().positive(),
  /** Missing or unknown credentials one client address may present at once. Default 60. */
  authFailuresPerIpBurst: z.number().int().positive(),
  /**
   * express's `trust proxy`: which hops' X-Forwarded-For/-Proto/-Host to believe (true, a hop count,
   * or addresses/subnets like `loopback, 10.0.0.0/8`). Default false: the socket's peer is the client.
   */
  trustProxy: z.union([z.boolean(), z.number().int().min(0), z.string().min(1)]),
  /** Most time to receive a request's headers, ms. Default 10 s. */
  httpHeadersTimeoutMs: z.number().int().positive(),
  /** Most time to receive a whole request, body included, ms (at least the headers timeout). Default 30 s. */
  httpRequestTimeoutMs: z.number().int().positive(),
  /** How long an idle keep-alive connection stays open, ms. Default 5 s. */
  httpKeepAliveTimeoutMs: z.number().int().positive(),
  /** Most open HTTP connections; more are closed as they arrive. Default 10,000. */
  maxConnections: z.number().int().positive(),
  /** Longest a reservation may hold stock, ms, whether set by expiresAt or ttlSeconds. Default 7 days. */
  maxHoldMs: z.number().int().positive(),
  /** JetStream duplicate window of the event stream, ms. Default 2 minutes. */
  duplicateWindowMs: z.number().int().positive(),
  /**
   * How far (ms) a store event's clock may be ahead of the time the stream stored it: beyond, a count
   * is held for review and a movement is placed at its store time. Default 5 minutes. Part of the
   * projection: a rebuild under another value may say otherwise about such events.
   */
  maxClockSkewMs: z.number().int().positive(),
  /** How often the event stream and the projector's consumer are checked, ms. Default 5 s. */
  integrityCheckMs: z.number().int().positive(),
  /**
   * Most events applied in one SQLite transaction. Default 10,000: under a backlog each commit's
   * cost is mostly pages dirtied, which grow slower than the batch; when quiet, batches stay small.
   */
  batchSize: z.number().int().positive(),
  /**
   * Events per transaction when replaying the whole stream into fresh views. Default 25,000: nobody
   * waits for a partial batch during a rebuild, and fewer commits rewrite fewer index pages
   * (docs/decisions/0005-projector-batching-and-commit-wait.md).
   */
  rebuildBatchSize: z.number().int().positive(),
  /** A location not heard from for longer than this (ms) is stale. Default 5 minutes. */
  staleAfterMs: z.number().int().positive(),
  /** What a stale location contributes to network ATP: minus a buffer, or nothing. Default buffer. */
  stalePolicy: z.enum(['buffer', 'exclude']),
  /** Units held back per SKU at a stale location under the buffer policy. Default 2. */
  staleBufferUnits: z.number().int().min(0),
  /** How often the expiry sweeper looks for due reservations, ms. Default 1000. */
  expirySweepMs: z.number().int().positive(),
  /** How often coalesced projections are pushed to KV, ms. Default 200. */
  kvFlushMs: z.number().int().positive(),
  /**
   * Most KV puts per second, on average: under a backlog the next flush waits until the last one's
   * puts fit this rate, so coalescing absorbs the rest (puts compete with ingest for the server).
   * Default 2000.
   */
  kvMaxPutsPerSecond: z.number().int().positive(),
  /**
   * This instance's name in a cluster of hubs (HUB_INSTANCE_ID): in the leader lease, the health
   * answer and its projector's consumer name. Default the host name. Letters, digits, - and _.
   */
  instanceId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'instanceId must be 1-64 letters, digits, - or _' }),
  /**
   * Replicas of the streams and KV buckets (HUB_REPLICAS): 1 on one NATS server, 3 on a cluster.
   * Unset, the hub creates them with 1 and leaves existing ones as they are.
   */
  replicas: z.number().int().min(1).max(5).optional(),
  /**
   * How long a leader's lease lasts without renewal, ms (HUB_LEASE_MS): a dead leader is replaced
   * about this long after its last renewal. Renewed every quarter of it. Default 3000.
   */
  leaseMs: z.number().int().min(500),
  /** Most commands decided together and appended as one message (HUB_COMMAND_GROUP_MAX). Default 256. */
  commandGroupMax: z.number().int().min(1).max(1000),
  /** Longest a request waits for the views to reach a position it asks for, ms. Default 5000. */
  readWaitMs: z.number().int().positive(),
  /** pino log level. Default info. */
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
});
export type HubConfig = z.infer<typeof HubConfigSchema>;

/** Defaults for everything but tokens; `loadConfig` overlays the environment. */
export const defaultConfig = (): HubConfig => ({
  natsUrl: 'nats://127.0.0.1:4222',
  enrollmentCodeTtlMs: 15 * 60_000,
  httpPort: 7480,
  httpHost: '127.0.0.1',
  dbPath: '.data/hub/views.sqlite',
  tokens: {},
  tokenFile: '.data/hub/tokens.json',
  rateLimitPerToken: 50_000,
  rateLimitPerTokenBurst: 100_000,
  rateLimitPerIp: 50_000,
  rateLimitPerIpBurst: 100_000,
  authFailuresPerIp: 1,
  authFailuresPerIpBurst: 60,
  trustProxy: false,
  httpHeadersTimeoutMs: 10_000,
  httpRequestTimeoutMs: 30_000,
  httpKeepAliveTimeoutMs: 5000,
  maxConnections: 10_000,
  maxHoldMs: 7 * 24 * 3600_000,
  duplicateWindowMs: 120_000,
  maxClockSkewMs: 300_000,
  integrityCheckMs: 5000,
  batchSize: 10_000,
  rebuildBatchSize: 25_000,
  staleAfterMs: 300_000,
  stalePolicy: 'buffer',
  staleBufferUnits: 2,
  expirySweepMs: 1000,
  kvFlushMs: 200,
  kvMaxPutsPerSecond: 2000,
  instanceId: defaultInstanceId(),
  leaseMs: 3000,
  commandGroupMax: 256,
  readWaitMs: 5000,
  logLevel: 'info',
});

/**
 * Parses HUB_TOKENS: `token:role` entries, comma-separated; roles are validated with the rest of the
 * config. A token may contain `:`: the role is its last field, except in
 * `token:ecommerce:web+marketplace-a`, where a field after `ecommerce` that is not a role lists the
 * channels the token is limited to. An entry without `:` has an empty role, so that validation
 * reports it.
 */
export const parseTokens = (text: string): Record<string, string | { role: string; channels: string[] }> =>
  Object.fromEntries(
    text
      .split(',')
      .map((pair) => pair.trim())
      .filter(Boolean)
      .map((pair) => {
        const fields = pair.split(':');
        const last = fields.at(-1) ?? '';
        if (fields.length >= 3 && fields.at(-2) === 'ecommerce' && !Role.safeParse(last).success)
          return [fields.slice(0, -2).join(':'), { role: 'ecommerce', channels: last.split('+') }];
        const i = pair.lastIndexOf(':');
        return i < 0 ? [pair, ''] : [pair.slice(0, i), pair.slice(i + 1)];
      }),
  );

/**
 * One line per problem. A token is a secret and this message ends up in logs: a bad token is named
 * by its position (`tokens[2]`), never by its text.
 */
const describeIssue = (issue: z.core.$ZodIssue, tokens: readonly string[]): string => {
  const [head, key, ...rest] = issue.path;
  if (head !== 'tokens' || typeof key !== 'string') return `${issue.path.join('.')}: ${issue.message}`;
  const where = [`tokens[${tokens.indexOf(key) + 1}]`, ...rest].join('.');
  if (issue.code === 'invalid_key') return `${where}: ${issue.issues.map((inner) => inner.message).join('; ')}`;
  if (issue.code !== 'invalid_union') return `${where}: ${issue.message}`;
  // A role or a scoped role: the problems of the form that was written (a string, or an object).
  const written =
    issue.errors.find((option) => !option.some((i) => i.code === 'invalid_type' && i.path.length === 0)) ?? [];
  return written.map((i) => `${[where, ...i.path].join('.')}: ${i.message}`).join('; ') || `${where}: ${issue.message}`;
};

/** Whether the hub listens only to its own machine. */
const isLoopback = (host: string): boolean =>
  host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);

/**
 * Problems of a parsed config that no field shows alone. A hub others can reach (production, or an
 * address beyond loopback) refuses guessable HUB_TOKENS: the demo ones, and any shorter than the
 * hub's own. Tokens are named by position: the message goes to logs.
 */
const crossFieldProblems = (config: HubConfig, production: boolean): string[] => {
  const problems: string[] = [];
  if (config.httpHeadersTimeoutMs > config.httpRequestTimeoutMs)
    problems.push('httpHeadersTimeoutMs: must not exceed httpRequestTimeoutMs (HUB_HTTP_REQUEST_TIMEOUT_MS)');
  if (!production && isLoopback(config.httpHost)) return problems;
  const why = production ? 'NODE_ENV=production' : `HUB_HOST ${config.httpHost} is not a loopback address`;
  Object.keys(config.tokens).forEach((token, i) => {
    if (/demo/i.test(token))
      problems.push(
        `tokens[${i + 1}]: a demo token is refused (${why}); make one with \`stocknerve-hub token create\``,
      );
    else if (token.length < STRONG_TOKEN_LENGTH)
      problems.push(
        `tokens[${i + 1}]: must be at least ${STRONG_TOKEN_LENGTH} characters (${why}); make one with \`stocknerve-hub token create\``,
      );
  });
  return problems;
};

/** HUB_TRUST_PROXY: `true`/`false`, a hop count, or express's list of trusted addresses. */
const trustProxyOf = (v: string | undefined): boolean | number | string | undefined => {
  if (v === undefined || v.trim() === '') return undefined;
  if (v === 'true' || v === 'false') return v === 'true';
  return /^\d+$/.test(v) ? Number(v) : v;
};

const num = (v: string | undefined) => (v === undefined || v === '' ? undefined : Number(v));

/** Reads HUB_* and NATS_URL from the environment over the defaults and validates the result. */
export const loadConfig = (env: NodeJS.ProcessEnv = process.env, overrides: Partial<HubConfig> = {}): HubConfig => {
  const d = defaultConfig();
  const fromEnv: Partial<Record<keyof HubConfig, unknown>> = {
    natsUrl: env.NATS_URL,
    natsCreds: env.NATS_CREDS,
    natsCa: env.NATS_CA,
    identityDir: env.HUB_IDENTITY_DIR,
    enrollmentCodeTtlMs: num(env.HUB_ENROLLMENT_CODE_TTL_MS),
    httpPort: num(env.HUB_PORT),
    httpHost: env.HUB_HOST,
    dbPath: env.HUB_DB,
    tokens: env.HUB_TOKENS ? parseTokens(env.HUB_TOKENS) : undefined,
    tokenFile: env.HUB_TOKEN_FILE,
    rateLimitPerToken: num(env.HUB_RATE_LIMIT_PER_TOKEN),
    rateLimitPerTokenBurst: num(env.HUB_RATE_LIMIT_PER_TOKEN_BURST),
    rateLimitPerIp: num(env.HUB_RATE_LIMIT_PER_IP),
    rateLimitPerIpBurst: num(env.HUB_RATE_LIMIT_PER_IP_BURST),
    authFailuresPerIp: num(env.HUB_AUTH_FAILURES_PER_IP),
    authFailuresPerIpBurst: num(env.HUB_AUTH_FAILURES_PER_IP_BURST),
    trustProxy: trustProxyOf(env.HUB_TRUST_PROXY),
    httpHeadersTimeoutMs: num(env.HUB_HTTP_HEADERS_TIMEOUT_MS),
    httpRequestTimeoutMs: num(env.HUB_HTTP_REQUEST_TIMEOUT_MS),
    httpKeepAliveTimeoutMs: num(env.HUB_HTTP_KEEP_ALIVE_TIMEOUT_MS),
    maxConnections: num(env.HUB_MAX_CONNECTIONS),
    maxHoldMs: num(env.HUB_MAX_HOLD_MS),
    duplicateWindowMs: num(env.HUB_DUPLICATE_WINDOW_MS),
    maxClockSkewMs: num(env.HUB_MAX_CLOCK_SKEW_MS),
    integrityCheckMs: num(env.HUB_INTEGRITY_CHECK_MS),
    batchSize: num(env.HUB_BATCH_SIZE),
    rebuildBatchSize: num(env.HUB_REBUILD_BATCH_SIZE),
    staleAfterMs: num(env.HUB_STALE_AFTER_MS),
    stalePolicy: env.HUB_STALE_POLICY,
    staleBufferUnits: num(env.HUB_STALE_BUFFER_UNITS),
    expirySweepMs: num(env.HUB_EXPIRY_SWEEP_MS),
    kvFlushMs: num(env.HUB_KV_FLUSH_MS),
    kvMaxPutsPerSecond: num(env.HUB_KV_MAX_PUTS_PER_S),
    instanceId: env.HUB_INSTANCE_ID,
    replicas: num(env.HUB_REPLICAS),
    leaseMs: num(env.HUB_LEASE_MS),
    commandGroupMax: num(env.HUB_COMMAND_GROUP_MAX),
    readWaitMs: num(env.HUB_READ_WAIT_MS),
    logLevel: env.HUB_LOG_LEVEL,
  };
  const merged = {
    ...d,
    ...Object.fromEntries(Object.entries(fromEnv).filter(([, v]) => v !== undefined)),
    ...overrides,
  };
  const parsed = HubConfigSchema.safeParse(merged);
  if (!parsed.success)
    throw new Error(
      `invalid hub config: ${parsed.error.issues.map((i) => describeIssue(i, Object.keys(merged.tokens ?? {}))).join('; ')}`,
    );
  const problems = crossFieldProblems(parsed.data, env.NODE_ENV === 'production');
  if (problems.length > 0) throw new Error(`invalid hub config: ${problems.join('; ')}`);
  return parsed.data;
};
