import { join } from 'node:path';
import { TRUST_FILES } from '@stocknerve/identity';
import { freePort, type NatsCluster, waitFor } from '@stocknerve/test-harness';
import { ADMIN_TOKEN, ECOMMERCE_TOKEN, type HubProcess, spawnHubProcess } from './hub-fixture.js';

/** What /health says of the cluster. */
export interface ClusterHealth {
  readonly checkpoint: number;
  readonly reasons: readonly { code: string; message: string }[];
  readonly cluster: {
    readonly instance: string;
    readonly role: 'leader' | 'follower';
    readonly leader: string | null;
    readonly term: number;
    readonly leaseAgeMs: number | null;
    readonly instances: readonly { instance: string; role: string; checkpoint: number }[];
  };
}

/** One hub instance of a test cluster: its own process, views file and port. */
export class ClusterHub {
  private process: HubProcess | undefined;

  constructor(
    readonly id: string,
    private readonly env: Record<string, string>,
    private readonly port: number,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get proc(): HubProcess {
    if (!this.process) throw new Error(`hub ${this.id} is not running`);
    return this.process;
  }

  get running(): boolean {
    return this.process !== undefined;
  }

  /** Starts (or starts again, on the same views file and port). */
  async start(): Promise<void> {
    this.process = await spawnHubProcess(this.env, this.port);
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    await this.process?.kill(signal);
    this.process = undefined;
  }

  async health(): Promise<ClusterHealth> {
    return (await (await fetch(`${this.url}/health`)).json()) as ClusterHealth;
  }
}

/** The environment of a hub instance on the cluster: R3 streams and buckets, its own id and views. */
export const clusterHubEnv = (
  cluster: NatsCluster,
  instance: string,
  dbPath: string,
  extra: Record<string, string> = {},
): Record<string, string> => {
  const dir = cluster.auth?.dir;
  return {
    NATS_URL: cluster.url,
    ...(dir ? { NATS_CREDS: join(dir, TRUST_FILES.hubCreds), HUB_IDENTITY_DIR: dir } : {}),
    HUB_REPLICAS: String(cluster.servers.length),
    HUB_INSTANCE_ID: instance,
    HUB_DB: dbPath,
    HUB_TOKENS: `${ADMIN_TOKEN}:admin,${ECOMMERCE_TOKEN}:ecommerce`,
    HUB_EXPIRY_SWEEP_MS: '500',
    ...extra,
  };
};

/** Starts hub instances one after another (the first creates the streams), each in its own process. */
export const startClusterHubs = async (
  cluster: NatsCluster,
  ids: readonly string[],
  dir: string,
  extra: Record<string, string> = {},
): Promise<ClusterHub[]> => {
  const hubs: ClusterHub[] = [];
  for (const id of ids) {
    const hub = new ClusterHub(id, clusterHubEnv(cluster, id, join(dir, `${id}.sqlite`), extra), await freePort());
    await hub.start();
    hubs.push(hub);
  }
  return hubs;
};

/** Waits until exactly one running instance leads and every running one names it; returns it. */
export const leaderOf = async (hubs: readonly ClusterHub[], timeoutMs = 20_000): Promise<ClusterHub> => {
  let leader: ClusterHub | undefined;
  await waitFor(
    async () => {
      const running = hubs.filter((h) => h.running);
      const healths = await Promise.all(running.map((h) => h.health().catch(() => undefined)));
      const leaders = running.filter((_, i) => healths[i]?.cluster.role === 'leader');
      if (leaders.length !== 1) return false;
      leader = leaders[0];
      return healths.every((h) => h?.cluster.leader === leader?.id);
    },
    { timeoutMs, intervalMs: 100, message: 'one leader that every instance names' },
  );
  if (!leader) throw new Error('no leader');
  return leader;
};
