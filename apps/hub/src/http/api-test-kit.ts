import type { JetStreamClient } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import type { DecidedEvent, InventoryEvent } from '@stocknerve/domain';
import { type EventFactory, eventFactory } from '@stocknerve/domain/testing';
import { type NatsServerProcess, startNatsServer, waitFor } from '@stocknerve/test-harness';
import { type HubConfig, loadConfig, type Role } from '../config.js';
import { type HubHandle, startHub } from '../hub.js';
import {
  ADMIN_TOKEN,
  ECOMMERCE_TOKEN,
  hubNatsConfig,
  MANAGER_TOKEN,
  natsClient,
  publishStoreEvents,
} from '../testing/hub-fixture.js';

// Helpers for the HTTP integration tests: one nats-server and one hub per test file.

export const TOKENS: Readonly<Record<Role, string>> = {
  admin: ADMIN_TOKEN,
  manager: MANAGER_TOKEN,
  ecommerce: ECOMMERCE_TOKEN,
};

export interface ApiResponse<T> {
  readonly status: number;
  readonly body: T;
  readonly headers: Headers;
}

export interface CallOptions {
  /** A role (its test token), a literal token, or null for no Authorization header. Default admin. */
  readonly as?: Role | null | { readonly token: string };
  readonly body?: unknown;
  /** Sent verbatim with content-type application/json (for malformed JSON). */
  readonly rawBody?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** A small fetch wrapper: JSON in, JSON (or text) out, bearer token by role. */
export const apiClient = (baseUrl: string) => {
  const call = async <T = unknown>(
    method: string,
    path: string,
    options: CallOptions = {},
  ): Promise<ApiResponse<T>> => {
    const as = options.as === undefined ? 'admin' : options.as;
    const headers: Record<string, string> = { ...options.headers };
    if (as !== null) headers.authorization = `Bearer ${typeof as === 'string' ? TOKENS[as] : as.token}`;
    let payload: string | undefined = options.rawBody;
    if (options.body !== undefined) payload = JSON.stringify(options.body);
    if (payload !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${baseUrl}${path}`, { method, headers, body: payload });
    const text = await response.text();
    const isJson = response.headers.get('content-type')?.includes('application/json') ?? false;
    return { status: response.status, headers: response.headers, body: (isJson ? JSON.parse(text) : text) as T };
  };
  return {
    call,
    get: <T = unknown>(path: string, options?: CallOptions) => call<T>('GET', path, options),
    post: <T = unknown>(path: string, body: unknown, options?: CallOptions) =>
      call<T>('POST', path, { ...options, body }),
    put: <T = unknown>(path: string, body: unknown, options?: CallOptions) =>
      call<T>('PUT', path, { ...options, body }),
  };
};
export type ApiClient = ReturnType<typeof apiClient>;

export interface ApiFixture {
  readonly server: NatsServerProcess;
  readonly hub: HubHandle;
  readonly api: ApiClient;
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  /** Added to the hub's clock (ms): lets a test make every location stale. */
  clockOffsetMs: number;
  close(): Promise<void>;
}

/** Starts a nats-server and a hub (in-memory views, silent logs, a clock the test can move). */
export const startApiFixture = async (overrides: Partial<HubConfig> = {}): Promise<ApiFixture> => {
  const server = await startNatsServer();
  const fixture = { clockOffsetMs: 0 };
  const hub = await startHub(
    loadConfig(
      {},
      {
        ...hubNatsConfig(server),
        httpPort: 0,
        dbPath: ':memory:',
        tokens: { [ADMIN_TOKEN]: 'admin', [ECOMMERCE_TOKEN]: 'ecommerce', [MANAGER_TOKEN]: 'manager' },
        logLevel: 'silent',
        kvFlushMs: 50,
        expirySweepMs: 200,
        ...overrides,
      },
    ),
    { now: () => Date.now() + fixture.clockOffsetMs },
  );
  const { nc, js } = await natsClient(server);
  return Object.assign(fixture, {
    server,
    hub,
    api: apiClient(hub.url),
    nc,
    js,
    close: async () => {
      await nc.drain().catch(() => undefined);
      await hub.close();
      await server.dispose();
    },
  });
};

export interface TestLocation {
  readonly location: string;
  readonly region: string;
  readonly kind: 'store' | 'warehouse';
  readonly name: string;
}

/** Defines locations through the admin API. */
export const defineLocations = async (api: ApiClient, locations: readonly TestLocation[]): Promise<void> => {
  for (const l of locations) {
    const r = await api.post('/v1/admin/locations', l);
    if (r.status !== 201 && r.status !== 200)
      throw new Error(`define ${l.location}: ${r.status} ${JSON.stringify(r.body)}`);
  }
};

/** A store node that publishes its events to JetStream the way a real node does. */
export const storeNode = (
  js: JetStreamClient,
  at: { location: string; region: string; node: string; startMs?: number; stepMs?: number },
) => {
  const factory: EventFactory = eventFactory(at);
  return {
    factory,
    /** Stamps the next events of the node without publishing them (to publish out of order or skip). */
    stamp: (...decided: DecidedEvent[]): InventoryEvent[] => decided.map((d) => factory.next(d)),
    /** Publishes stamped events; resolves with the highest stream sequence once JetStream acked them. */
    send: async (events: readonly InventoryEvent[]): Promise<number> =>
      Math.max(0, ...(await publishStoreEvents(js, at.region, events))),
    /** Stamps and publishes; resolves with the highest stream sequence. */
    publish: async (...decided: DecidedEvent[]): Promise<number> =>
      Math.max(
        0,
        ...(await publishStoreEvents(
          js,
          at.region,
          decided.map((d) => factory.next(d)),
        )),
      ),
  };
};

/** Waits (polling) until the hub's views include stream sequence `seq`. */
export const applied = (f: ApiFixture, seq: number) =>
  waitFor(() => f.hub.ctx.projector.checkpoint >= seq, { message: `projector checkpoint ${seq}` });

export const received = (purchaseOrderId: string, lines: { sku: string; qty: number }[]): DecidedEvent => ({
  type: 'GoodsReceived',
  data: { purchaseOrderId, lines },
});
