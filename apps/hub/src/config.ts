import { z } from 'zod';

/** A bearer token and the role it grants. */
export const Role = z.enum(['ecommerce', 'manager', 'admin']);
export type Role = z.infer<typeof Role>;

const HubConfigSchema = z.object({
  /** NATS server URL(s), comma-separated. Default nats://127.0.0.1:4222. */
  natsUrl: z.string().min(1),
  /** HTTP port; 0 picks a free one. Default 7480. */
  httpPort: z.number().int().min(0).max(65535),
  /** HTTP bind address. Default 127.0.0.1. */
  httpHost: z.string().min(1),
  /** SQLite file of the views; `:memory:` for tests. Default .data/hub/views.sqlite. */
  dbPath: z.string().min(1),
  /** Bearer token → role. */
  tokens: z.record(z.string().min(16, { error: 'tokens must be at least 16 characters' }), Role),
  /** JetStream duplicate window of the event stream, ms. Default 2 minutes. */
  duplicateWindowMs: z.number().int().positive(),
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
  /** pino log level. Default info. */
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
});
export type HubConfig = z.infer<typeof HubConfigSchema>;

/** Defaults for everything but tokens; `loadConfig` overlays the environment. */
export const defaultConfig = (): HubConfig => ({
  natsUrl: 'nats://127.0.0.1:4222',
  httpPort: 7480,
  httpHost: '127.0.0.1',
  dbPath: '.data/hub/views.sqlite',
  tokens: {},
  duplicateWindowMs: 120_000,
  batchSize: 10_000,
  rebuildBatchSize: 25_000,
  staleAfterMs: 300_000,
  stalePolicy: 'buffer',
  staleBufferUnits: 2,
  expirySweepMs: 1000,
  kvFlushMs: 200,
  kvMaxPutsPerSecond: 2000,
  logLevel: 'info',
});

/**
 * Parses `token:role,token:role` (HUB_TOKENS); roles are validated with the rest of the config. An
 * entry without `:` has an empty role, so that validation reports it.
 */
export const parseTokens = (text: string): Record<string, string> =>
  Object.fromEntries(
    text
      .split(',')
      .map((pair) => pair.trim())
      .filter(Boolean)
      .map((pair) => {
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
  const message = issue.code === 'invalid_key' ? issue.issues.map((inner) => inner.message).join('; ') : issue.message;
  return `${where}: ${message}`;
};

const num = (v: string | undefined) => (v === undefined || v === '' ? undefined : Number(v));

/** Reads HUB_* and NATS_URL from the environment over the defaults and validates the result. */
export const loadConfig = (env: NodeJS.ProcessEnv = process.env, overrides: Partial<HubConfig> = {}): HubConfig => {
  const d = defaultConfig();
  const fromEnv: Partial<Record<keyof HubConfig, unknown>> = {
    natsUrl: env.NATS_URL,
    httpPort: num(env.HUB_PORT),
    httpHost: env.HUB_HOST,
    dbPath: env.HUB_DB,
    tokens: env.HUB_TOKENS ? parseTokens(env.HUB_TOKENS) : undefined,
    duplicateWindowMs: num(env.HUB_DUPLICATE_WINDOW_MS),
    batchSize: num(env.HUB_BATCH_SIZE),
    rebuildBatchSize: num(env.HUB_REBUILD_BATCH_SIZE),
    staleAfterMs: num(env.HUB_STALE_AFTER_MS),
    stalePolicy: env.HUB_STALE_POLICY,
    staleBufferUnits: num(env.HUB_STALE_BUFFER_UNITS),
    expirySweepMs: num(env.HUB_EXPIRY_SWEEP_MS),
    kvFlushMs: num(env.HUB_KV_FLUSH_MS),
    kvMaxPutsPerSecond: num(env.HUB_KV_MAX_PUTS_PER_S),
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
  return parsed.data;
};
