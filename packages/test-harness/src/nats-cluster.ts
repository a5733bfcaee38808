import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { jetstreamManager, StorageType } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { freePort } from './free-port.js';
import {
  type ConnectionBasics,
  findNatsServerBinary,
  type HarnessAuth,
  installExitHook,
  NatsServer,
  type NatsServerProcess,
  operatorAuth,
  StartError,
  trackOwnedDirs,
  untrackOwnedDir,
} from './nats-server.js';
import { makeTempDir, removeTempDir } from './temp-dir.js';

/** Options for {@link startNatsCluster}. */
export interface StartNatsClusterOptions {
  /** Number of servers. Default 3 (the smallest cluster that survives losing one for R3 streams). */
  readonly size?: number;
  /** `operator` (default): one trust chain shared by every server. `none`: no authentication. */
  readonly auth?: 'operator' | 'none';
}

/** A JetStream cluster of nats-server processes on 127.0.0.1, started by {@link startNatsCluster}. */
export interface NatsCluster {
  /** One per server, in order; each can be kill('SIGKILL')ed and restart()ed on the same ports and store dir. */
  readonly servers: readonly NatsServerProcess[];
  /** Client URLs comma-joined, e.g. "nats://127.0.0.1:4301,nats://127.0.0.1:4302,...": the value of NATS_URL for a hub. */
  readonly url: string;
  readonly urls: readonly string[];
  /** Credentials per role: ONE trust chain shared by all servers; `undefined` with `auth: 'none'`. */
  readonly auth: HarnessAuth | undefined;
  /** Options for a Node client as `role` (default admin) with every server's client URL. */
  clientOptions(role?: 'hub' | 'admin'): ConnectionBasics;
  /**
   * Resolves once JetStream has a meta leader and a stream with one replica per server can be
   * created (a probe stream is created and deleted). Rejects after 60 s.
   */
  ready(): Promise<void>;
  /** Stops every server and removes all the cluster's dirs. */
  dispose(): Promise<void>;
}

/** The cluster's name in each server's `cluster {}` block. */
export const HARNESS_CLUSTER_NAME = 'stocknerve-test';

const START_ATTEMPTS = 3;
const READY_TIMEOUT_MS = 60_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `count` ports that are free right now and distinct from each other. */
async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

/**
 * Starts `size` nats-servers (default 3) on 127.0.0.1 as one JetStream cluster: each with its own
 * server name, client, websocket and route ports, store dir and (operator mode) resolver dir, and
 * routes to every server. Resolves once every server is ready for clients; call
 * {@link NatsCluster.ready} before creating replicated streams (JetStream elects its meta leader a
 * few seconds later). Ports are picked free; when one is taken before a server binds it, the whole
 * cluster is started again on new ports (up to 3 times). Servers die with the calling process.
 *
 * @throws Error with the failing server's output when a server does not start.
 */
export async function startNatsCluster(options: StartNatsClusterOptions = {}): Promise<NatsCluster> {
  const size = options.size ?? 3;
  if (!Number.isInteger(size) || size < 1)
    throw new Error(`startNatsCluster: size must be a positive integer, got ${size}`);
  installExitHook();
  const binary = findNatsServerBinary();
  const rootDir = await makeTempDir('stocknerve-nats-cluster');
  trackOwnedDirs([rootDir]);
  const removeRoot = async () => {
    await removeTempDir(rootDir);
    untrackOwnedDir(rootDir);
  };

  try {
    const serverDirs = Array.from({ length: size }, (_, i) => join(rootDir, `server-${i + 1}`));
    const storeDirs = serverDirs.map((dir) => join(dir, 'store'));
    for (const dir of storeDirs) await mkdir(dir, { recursive: true });
    const resolverDir = (i: number) => join(storeDirs[i] as string, 'accounts');

    let auth: HarnessAuth | undefined;
    let authConfigs: string[] = storeDirs.map(() => '');
    if (options.auth !== 'none') {
      const trust = await operatorAuth(join(rootDir, 'identity'), resolverDir(0));
      auth = trust.auth;
      authConfigs = await Promise.all(storeDirs.map((_, i) => trust.serverConfig(resolverDir(i))));
    }

    for (let attempt = 1; ; attempt++) {
      const ports = await distinctFreePorts(size * 3);
      const routePorts = ports.slice(2 * size);
      const routes = routePorts.map((port) => `nats-route://127.0.0.1:${port}`);
      const servers = storeDirs.map((storeDir, i) => {
        const routePort = routePorts[i] as number;
        return new NatsServer(
          binary,
          join(serverDirs[i] as string, 'nats-server.conf'),
          ports[i] as number,
          ports[size + i] as number,
          storeDir,
          '',
          // Removed with the cluster, not by one server's dispose().
          [],
          authConfigs[i] as string,
          auth,
          undefined,
          {
            serverName: `stocknerve-test-${i + 1}`,
            config: () =>
              [
                'cluster {',
                `  name: ${HARNESS_CLUSTER_NAME}`,
                `  listen: 127.0.0.1:${routePort}`,
                `  routes: [${routes.map((route) => JSON.stringify(route)).join(', ')}]`,
                '}',
              ].join('\n'),
            watchdogDirs: [rootDir],
          },
        );
      });
      const results = await Promise.allSettled(servers.map((server) => server.launch()));
      const failures = results.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
      if (failures.length === 0) return new Cluster(servers, auth, removeRoot);
      await Promise.all(servers.map((server) => server.stop()));
      const retry = failures.every((err) => err instanceof StartError && err.addressInUse);
      if (!retry || attempt >= START_ATTEMPTS) throw failures[0];
    }
  } catch (err) {
    await removeRoot();
    throw err;
  }
}

class Cluster implements NatsCluster {
  readonly urls: readonly string[];
  readonly url: string;

  constructor(
    readonly servers: readonly NatsServer[],
    readonly auth: HarnessAuth | undefined,
    private readonly removeRoot: () => Promise<void>,
  ) {
    this.urls = servers.map((server) => server.url);
    this.url = this.urls.join(',');
  }

  clientOptions(role: 'hub' | 'admin' = 'admin'): ConnectionBasics {
    return { servers: [...this.urls], ...(this.auth ? this.auth[role] : {}) };
  }

  async ready(): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    const replicas = this.servers.length;
    const probe = `HARNESS_PROBE_${process.pid}_${Date.now()}`;
    let lastError: unknown;
    const nc = await connect({ ...this.clientOptions('admin'), maxReconnectAttempts: -1 });
    try {
      // No API check here: it is what the loop below waits for.
      const jsm = await jetstreamManager(nc, { timeout: 5_000, checkAPI: false });
      for (;;) {
        try {
          // Answers only once the meta leader exists; a stream on every server shows that
          // each one takes part in JetStream.
          await jsm.getAccountInfo();
          await jsm.streams.add({
            name: probe,
            subjects: [`harness.probe.${probe}`],
            num_replicas: replicas,
            storage: StorageType.Memory,
          });
          await jsm.streams.delete(probe);
          return;
        } catch (err) {
          lastError = err;
          if (Date.now() > deadline)
            throw new Error(
              `the NATS cluster had no JetStream meta leader or could not place an R${replicas} stream after ${READY_TIMEOUT_MS / 1000} s: ${String(lastError)}`,
            );
          await sleep(250);
        }
      }
    } finally {
      await nc.close();
    }
  }

  async dispose(): Promise<void> {
    await Promise.all(this.servers.map((server) => server.stop()));
    await this.removeRoot();
  }
}
