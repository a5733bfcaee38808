import http from 'node:http';
import { type JetStreamClient, type JetStreamManager, jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { ensureBackbone } from '@stocknerve/hub/internal';
import { hubNatsEnv } from '@stocknerve/hub/testing';
import { hubEventSubject, storeEventSubject } from '@stocknerve/protocol';
import { type NatsCluster, type NatsServerProcess, startNatsCluster } from '@stocknerve/test-harness';
import { BulkEventSource, locationFacts } from '../simulator/world.js';
import { HubChild } from './hub.js';
import { adminConnect, NodeConnections, refusalsOf } from './nats.js';
import { nowMs, sleep } from './stats.js';
import { type OutMessage, publishAll, STREAM_LAYOUT } from './stream-lab.js';

/** Replicas of the streams and buckets on the bench cluster (one per server). */
export const CLUSTER_REPLICAS = 3;

/**
 * A 3-server JetStream cluster (operator mode, one trust chain) for the benchmarks, ready for R3
 * streams (its meta leader elected).
 */
export const startBenchCluster = async (size = 3): Promise<NatsCluster> => {
  const cluster = await startNatsCluster({ size });
  try {
    await cluster.ready();
  } catch (error) {
    await cluster.dispose();
    throw error;
  }
  return cluster;
};

/**
 * What a hub child process needs to reach `cluster` (the cluster equivalent of hubEnv): every
 * client URL comma-joined in NATS_URL, the hub's credentials and the trust chain's directory, and
 * HUB_REPLICAS (the hub creates its streams and buckets with one replica per server).
 */
export const clusterHubEnv = (cluster: NatsCluster): Record<string, string> => ({
  ...hubNatsEnv(clusterAsServer(cluster)),
  NATS_URL: cluster.url,
  HUB_REPLICAS: String(CLUSTER_REPLICAS),
});

/**
 * The cluster seen through the single-server interface the bench's helpers take (NodeConnections,
 * adminConnect): clientOptions name every server; `url` is the first server's (a client learns the
 * others from it); kill/restart/log act on every server.
 */
export const clusterAsServer = (cluster: NatsCluster): NatsServerProcess => {
  const first = cluster.servers[0] as NatsServerProcess;
  return {
    get url() {
      return first.url;
    },
    get wsUrl() {
      return first.wsUrl;
    },
    get port() {
      return first.port;
    },
    get wsPort() {
      return first.wsPort;
    },
    get storeDir() {
      return first.storeDir;
    },
    get pid() {
      return first.pid;
    },
    auth: cluster.auth,
    tls: undefined,
    clientOptions: (role) => cluster.clientOptions(role),
    kill: async (signal) => {
      await Promise.all(cluster.servers.map((s) => s.kill(signal)));
    },
    stop: async () => {
      await Promise.all(cluster.servers.map((s) => s.stop()));
    },
    restart: async () => {
      await Promise.all(cluster.servers.map((s) => s.restart()));
    },
    dispose: () => cluster.dispose(),
    log: () => cluster.servers.map((s) => s.log()).join('\n'),
  };
};

/** The lines in which any server of `cluster` refused a client (permission or authorization violations). */
export const clusterRefusals = (cluster: NatsCluster): string[] => cluster.servers.flatMap((s) => refusalsOf(s));

/** nats-server pids of the cluster (for CPU accounting). */
export const clusterPids = (cluster: NatsCluster): number[] => cluster.servers.map((s) => s.pid);

export interface ClusterHealth {
  status: string;
  checkpoint: number;
  lagMessages: number;
  cluster?: {
    instance: string;
    role: 'leader' | 'follower';
    leader: string | null;
    term: number;
    leaseAgeMs: number | null;
    instances: { instance: string; role: string; checkpoint: number }[];
  };
}

/** GET /health of one instance; undefined when it does not answer. */
export const clusterHealth = async (url: string, timeoutMs = 2000): Promise<ClusterHealth | undefined> => {
  try {
    const r = await fetch(`${url}/health`, { signal: AbortSignal.timeout(timeoutMs) });
    return (await r.json()) as ClusterHealth;
  } catch {
    return undefined;
  }
};

/** A hub instance of a bench cluster: its id, port and database stay the same across restarts. */
export class HubInstance {
  child: HubChild;
  /** Output of earlier (killed) processes of this instance. */
  private earlier = '';

  constructor(
    readonly id: string,
    private readonly env: Record<string, string>,
    readonly port: number,
    readonly db: string,
  ) {
    this.child = this.spawn();
  }

  private spawn(): HubChild {
    return new HubChild('serve', { ...this.env, HUB_INSTANCE_ID: this.id, HUB_DB: this.db }, this.port);
  }

  get url(): string {
    return this.child.url;
  }

  get pid(): number {
    return this.child.pid;
  }

  /** Everything this instance printed, across restarts. */
  output(): string {
    return this.earlier + this.child.output();
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    await this.child.kill(signal);
  }

  /** Starts the instance again (same id, port, database) after a kill. */
  restart(): void {
    if (this.child.running) throw new Error(`instance ${this.id} still runs`);
    this.earlier += `${this.child.output()}\n--- ${this.id} killed, restarted ---\n`;
    this.child = this.spawn();
  }
}

/**
 * Waits until `instances` agree on one leader among them (every one's /health names it and it
 * reports itself leader); returns it. Throws with each instance's last health after `timeoutMs`.
 */
export const waitForLeader = async (instances: readonly HubInstance[], timeoutMs = 30_000): Promise<HubInstance> => {
  const deadline = Date.now() + timeoutMs;
  let last: (ClusterHealth | undefined)[] = [];
  for (;;) {
    last = await Promise.all(instances.map((i) => clusterHealth(i.url)));
    const leaders = instances.filter((_, k) => last[k]?.cluster?.role === 'leader');
    const leader = leaders[0];
    if (leaders.length === 1 && leader && last.every((h) => h?.cluster?.leader === leader.id)) return leader;
    if (Date.now() > deadline)
      throw new Error(
        `no single leader among ${instances.map((i) => i.id).join(', ')} after ${timeoutMs} ms: ${JSON.stringify(last.map((h) => h?.cluster))}`,
      );
    await sleep(100);
  }
};

/**
 * An R3 event stream on `cluster` (the hub's backbone, created with 3 replicas), filled with the
 * store events of the benchmark day (each through its terminal's own connection, as StreamLab does
 * on one server).
 */
export class ClusterStreamLab {
  private readonly regionOf = new Map(STREAM_LAYOUT.nodes.map((n) => [n.node, n.region]));
  lastSeq = 0;
  /** The subject of the first store event published (a nudge copies the last event on it). */
  firstSubject = '';

  private constructor(
    readonly cluster: NatsCluster,
    readonly nc: NatsConnection,
    readonly js: JetStreamClient,
    readonly jsm: JetStreamManager,
    readonly nodes: NodeConnections,
    private readonly source: BulkEventSource,
  ) {}

  static async start(cluster: NatsCluster, seed: string): Promise<ClusterStreamLab> {
    const server = clusterAsServer(cluster);
    const nc = await adminConnect(server, { name: 'bench-cluster-lab' });
    const js = jetstream(nc);
    const jsm = await js.jetstreamManager();
    await ensureBackbone(nc, jsm, { duplicateWindowMs: 120_000, replicas: CLUSTER_REPLICAS });
    const nodes = await NodeConnections.open(server, STREAM_LAYOUT.nodes);
    const source = new BulkEventSource(STREAM_LAYOUT, seed, { startMs: Date.now() - 86_400_000 });
    const lab = new ClusterStreamLab(cluster, nc, js, jsm, nodes, source);
    for (const fact of locationFacts(STREAM_LAYOUT))
      lab.lastSeq = (await js.publish(hubEventSubject(), JSON.stringify(fact), { msgID: fact.id })).seq;
    return lab;
  }

  private generate(): OutMessage {
    const e = this.source.next();
    const subject = storeEventSubject(this.regionOf.get(e.node) ?? '', e.location, e.node);
    if (!this.firstSubject) this.firstSubject = subject;
    return { subject, data: JSON.stringify(e), msgID: e.id };
  }

  /** Publishes `count` store events through their terminals (~1,000 PubAcks in flight); the R3 publish rate. */
  async fill(count: number): Promise<{ lastSeq: number; rate: number; ms: number }> {
    const t0 = nowMs();
    let lastSeq = this.lastSeq;
    for (let done = 0; done < count; ) {
      const chunk = Math.min(50_000, count - done);
      const r = await publishAll(
        (m) => this.nodes.forSubject(m.subject),
        chunk,
        () => this.generate(),
      );
      lastSeq = Math.max(lastSeq, r.lastSeq);
      done += chunk;
    }
    const ms = nowMs() - t0;
    this.lastSeq = lastSeq;
    return { lastSeq, ms, rate: (count / ms) * 1000 };
  }

  async dispose(): Promise<void> {
    await this.nodes.close();
    await this.nc.close().catch(() => undefined);
  }
}

export interface HttpAnswer {
  /** HTTP status, or -1 for a network error (refused, reset, timed out). */
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
  readonly ms: number;
}

/**
 * One HTTP/1.1 keep-alive connection (an Agent with a single socket): the requests of one client
 * go back to back over it. `sockets` counts the connections it opened (1 unless the server closed one).
 */
export class KeepAliveClient {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1, maxFreeSockets: 1 });
  sockets = 0;

  private readonly seen = new WeakSet<object>();

  constructor(private readonly base: string) {}

  request(
    method: string,
    path: string,
    headers: Record<string, string>,
    body?: string,
    timeoutMs = 30_000,
  ): Promise<HttpAnswer> {
    const t0 = nowMs();
    const url = new URL(path, this.base);
    return new Promise((resolve) => {
      const req = http.request(
        url,
        {
          method,
          agent: this.agent,
          headers: body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) },
          timeout: timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks).toString(),
              ms: nowMs() - t0,
            }),
          );
          res.on('error', () => resolve({ status: -1, headers: {}, body: '', ms: nowMs() - t0 }));
        },
      );
      req.on('socket', (socket) => {
        if (this.seen.has(socket)) return;
        this.seen.add(socket);
        this.sockets++;
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (error) => resolve({ status: -1, headers: {}, body: String(error), ms: nowMs() - t0 }));
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
