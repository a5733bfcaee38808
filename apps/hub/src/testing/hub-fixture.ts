import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { DeliverPolicy, type JetStreamClient, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { type DecidedEvent, type InventoryEvent, type MessageEvents, parseMessageEvents } from '@stocknerve/domain';
import { TRUST_FILES } from '@stocknerve/identity';
import { NAMES, storeEventSubject } from '@stocknerve/protocol';
import { type NatsServerProcess, watchChild } from '@stocknerve/test-harness';
import { builtHubCli } from '../cli-path.js';
import { type HubConfig, loadConfig } from '../config.js';
import { type HubHandle, startHub } from '../hub.js';

export const ADMIN_TOKEN = 'admin-token-for-tests-0001';
export const ECOMMERCE_TOKEN = 'ecommerce-token-for-tests-01';
export const MANAGER_TOKEN = 'manager-token-for-tests-0001';

/**
 * What a hub needs to reach a test server: its URL, the hub's credentials and the identity
 * directory (enrollment) from the server's trust chain, and its CA under TLS.
 */
export const hubNatsConfig = (server: NatsServerProcess): Partial<HubConfig> => ({
  natsUrl: server.url,
  ...(server.auth ? { natsCreds: join(server.auth.dir, TRUST_FILES.hubCreds), identityDir: server.auth.dir } : {}),
  ...(server.tls ? { natsCa: server.tls.caFile } : {}),
});

/** The same as environment variables, for a hub process (`spawnHubProcess`). */
export const hubNatsEnv = (server: NatsServerProcess): Record<string, string> => {
  const c = hubNatsConfig(server);
  return {
    NATS_URL: server.url,
    ...(c.natsCreds ? { NATS_CREDS: c.natsCreds } : {}),
    ...(c.identityDir ? { HUB_IDENTITY_DIR: c.identityDir } : {}),
    ...(c.natsCa ? { NATS_CA: c.natsCa } : {}),
  };
};

/** A hub in this process on a free port, talking to the given NATS server. */
export const startTestHub = async (
  server: NatsServerProcess,
  overrides: Partial<HubConfig> = {},
): Promise<HubHandle> => {
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
        ...overrides,
      },
    ),
  );
  await hub.settled();
  return hub;
};

/** Records hub master data (or any hub decision) through the hub's own writer. */
export const recordHubFacts = async (hub: HubHandle, facts: readonly DecidedEvent[]): Promise<void> => {
  for (const fact of facts) {
    const result = await hub.ctx.bus.run(() => ({ ok: true, events: [fact] }), { correlationId: 'test-setup' });
    if (!result.decision.ok) throw new Error(`could not record ${fact.type}`);
  }
};

/** Publishes store events the way a node does: subject by region/location/node, msg id = event id. */
export const publishStoreEvents = async (
  js: JetStreamClient,
  region: string,
  events: readonly InventoryEvent[],
): Promise<number[]> => {
  const acks = await Promise.all(
    events.map((e) => js.publish(storeEventSubject(region, e.location, e.node), JSON.stringify(e), { msgID: e.id })),
  );
  return acks.map((a) => a.seq);
};

/** An operator's client (admin credentials): inspects and writes anything, as a test's setup needs. */
export const natsClient = async (server: NatsServerProcess): Promise<{ nc: NatsConnection; js: JetStreamClient }> => {
  const nc = await connect({ ...server.clientOptions('admin'), name: 'test-client' });
  return { nc, js: jetstream(nc) };
};

/** A hub in its own process (so a test can SIGKILL it), started as operators do: `node dist/cli.js serve`. */
export interface HubProcess {
  readonly url: string;
  /** Stops it with the signal (SIGKILL by default) and waits for it to exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Sends a signal without waiting (SIGSTOP, SIGCONT). */
  signal(signal: NodeJS.Signals): void;
  output(): string;
}

/**
 * Starts `node <cli> serve` on `port` and waits for /health. `cli`: this package's build by default, or
 * another hub's, e.g. a package made by scripts/package-hub.sh.
 */
export const spawnHubProcess = async (
  env: Record<string, string>,
  port: number,
  cli: string = builtHubCli(),
): Promise<HubProcess> => {
  let output = '';
  const child: ChildProcess = spawn(process.execPath, [cli, 'serve'], {
    env: { ...process.env, HUB_PORT: String(port), HUB_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  // A test that times out or fails before kill() must not leave a hub running behind it, even when
  // its worker is killed by a signal (no 'exit' listener runs then): the watchdog kills the hub.
  watchChild(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`hub exited early: ${output}`);
    const ok = await fetch(`${url}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`hub did not start: ${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    output: () => output,
    signal: (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
    kill: async (signal = 'SIGKILL') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
};
export { builtHubCli } from '../cli-path.js';

/** A message of the event stream as a test or a check reads it back. */
export interface ReadMessage {
  readonly seq: number;
  readonly subject: string;
  /** The `Stocknerve-Writer` header of a hub message (which instance appended it), else ''. */
  readonly writer: string;
  /** Its events (one, or a hub group with its `prev`); undefined when it does not parse. */
  readonly parsed: MessageEvents | undefined;
}

/**
 * Every message of the event stream (of one subject, when given) as it is now, in stream order,
 * read with an ordered consumer by any client allowed to (an admin's).
 */
export const readEventStream = async (nc: NatsConnection, subject?: string): Promise<ReadMessage[]> => {
  const jsm = await jetstreamManager(nc);
  const last = subject
    ? await jsm.streams.getMessage(NAMES.eventStream, { last_by_subj: subject }).then(
        (m) => m?.seq ?? 0,
        () => 0,
      )
    : (await jsm.streams.info(NAMES.eventStream)).state.last_seq;
  if (last === 0) return [];
  const consumer = await jetstream(nc).consumers.get(NAMES.eventStream, {
    deliver_policy: DeliverPolicy.All,
    // A string is sent as `filter_subject`: nats-server 2.9 has no `filter_subjects`.
    ...(subject ? { filter_subjects: subject } : {}),
  });
  const messages = await consumer.consume({ max_messages: 1000 });
  const out: ReadMessage[] = [];
  for await (const m of messages) {
    const parsed = parseMessageEvents(m.json());
    out.push({
      seq: m.seq,
      subject: m.subject,
      writer: m.headers?.get('Stocknerve-Writer') ?? '',
      parsed: parsed.ok ? parsed : undefined,
    });
    if (m.seq >= last) break;
  }
  await messages.close();
  return out;
};
