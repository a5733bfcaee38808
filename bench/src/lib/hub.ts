import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { builtHubCli, type HubConfig, type HubHandle, loadConfig, startHub } from '@stocknerve/hub';
import { hubNatsConfig, hubNatsEnv } from '@stocknerve/hub/testing';
import type { NatsServerProcess } from '@stocknerve/test-harness';
import type { LocationSpec } from '../simulator/world.js';
import { nowMs, sleep } from './stats.js';

export const TOKENS = {
  admin: 'bench-admin-token-000000001',
  ecommerce: 'bench-ecommerce-token-00001',
  manager: 'bench-manager-token-0000001',
} as const;

export const HUB_TOKENS_ENV = `${TOKENS.admin}:admin,${TOKENS.ecommerce}:ecommerce,${TOKENS.manager}:manager`;

/** The built hub CLI the child processes run; BENCH_HUB_CLI points the benchmarks at another checkout's (A/B). */
export const benchHubCli = (): string => process.env.BENCH_HUB_CLI ?? builtHubCli();

/**
 * A hub in this process (its views readable through `hub.ctx.store`), signed in to `server` with the
 * hub's credentials and identity directory (as startTestHub does) but with the product's defaults.
 */
export const startInProcessHub = (server: NatsServerProcess, dbPath: string, overrides: Partial<HubConfig> = {}) =>
  startHub(
    loadConfig(
      {},
      {
        ...hubNatsConfig(server),
        httpPort: 0,
        dbPath,
        tokens: { [TOKENS.admin]: 'admin', [TOKENS.ecommerce]: 'ecommerce', [TOKENS.manager]: 'manager' },
        // Under benchmark load KV puts time out and are retried (warn): keep the output readable.
        logLevel: 'error',
        ...overrides,
      },
    ),
  );

/** Peak and current resident memory of a process, from /proc (bytes); undefined once it is gone. */
export const memoryOf = (pid: number): { hwm: number; rss: number } | undefined => {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
    return { hwm: kb('VmHWM'), rss: kb('VmRSS') };
  } catch {
    return undefined;
  }
};

const liveChildren = new Set<ChildProcess>();
let exitHook = false;
/** Children must not outlive the benchmark, even when it is interrupted. */
const installExitHook = () => {
  if (exitHook) return;
  exitHook = true;
  process.on('exit', () => {
    for (const c of liveChildren) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => {
      process.exit(130);
    });
};

/**
 * What a hub child process needs to reach `server`: NATS_URL, and in operator mode the hub's
 * credentials (NATS_CREDS) and the trust chain's directory (HUB_IDENTITY_DIR).
 */
export const hubEnv = (server: NatsServerProcess): Record<string, string> => hubNatsEnv(server);

/**
 * The hub CLI (`serve` or `rebuild`) as a child process, like the hub's spawnHubProcess but with
 * its pid exposed and its peak RSS sampled from /proc every 100 ms. `env` must include how it
 * reaches NATS (see hubEnv).
 */
export class HubChild {
  private readonly child: ChildProcess;
  private text = '';
  private sampler: ReturnType<typeof setInterval>;
  private readonly exited: Promise<number | null>;
  /** Largest VmHWM seen (bytes). */
  peakRss = 0;

  constructor(
    command: 'serve' | 'rebuild',
    env: Record<string, string>,
    readonly port = 0,
    extraNodeArgs: readonly string[] = [],
  ) {
    this.child = spawn(process.execPath, [...extraNodeArgs, benchHubCli(), command], {
      env: { ...process.env, HUB_PORT: String(port), HUB_LOG_LEVEL: 'warn', HUB_TOKENS: HUB_TOKENS_ENV, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    installExitHook();
    liveChildren.add(this.child);
    this.child.once('exit', () => liveChildren.delete(this.child));
    const append = (d: Buffer) => {
      this.text += d.toString();
      if (this.text.length > 2_000_000) this.text = this.text.slice(-1_000_000);
    };
    this.child.stdout?.on('data', append);
    this.child.stderr?.on('data', append);
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
    this.sampler = setInterval(() => this.sample(), 100);
    void this.exited.then(() => clearInterval(this.sampler));
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  output(): string {
    return this.text;
  }

  private sample(): void {
    const m = memoryOf(this.pid);
    if (m) this.peakRss = Math.max(this.peakRss, m.hwm, m.rss);
  }

  /** Waits until GET /health answers (serve), or rejects if the process exits first. */
  async ready(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.running) throw new Error(`hub exited early: ${this.text.slice(-4000)}`);
      const ok = await fetch(`${this.url}/health`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return;
      if (Date.now() > deadline) throw new Error(`hub did not start: ${this.text.slice(-4000)}`);
      await sleep(50);
    }
  }

  /** Resolves with the exit code when the process ends. */
  wait(): Promise<number | null> {
    return this.exited;
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    this.sample();
    if (this.running) this.child.kill(signal);
    await this.exited;
  }
}

/** User and system CPU time (ms) a process (or one of its threads) has used so far, from /proc; undefined once it is gone. */
export const cpuTimesOf = (pid: number, thread?: number): { user: number; sys: number } | undefined => {
  try {
    const fields =
      readFileSync(thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`, 'utf8')
        .split(') ')[1]
        ?.split(' ') ?? [];
    // utime and stime are fields 14 and 15 of the full line (12 and 13 after the command), in
    // clock ticks of 10 ms.
    return { user: Number(fields[11]) * 10, sys: Number(fields[12]) * 10 };
  } catch {
    return undefined;
  }
};

/** CPU time (ms) a process (or one of its threads) has used so far, from /proc; undefined once it is gone. */
export const cpuTimeOf = (pid: number, thread?: number): number | undefined => {
  const times = cpuTimesOf(pid, thread);
  return times && times.user + times.sys;
};

/**
 * Waits until a process is nearly idle (under `share` of one core for two 500 ms samples in a
 * row): e.g. until the hub has pushed a backlog of changes to KV before a latency benchmark.
 */
export const waitIdle = async (pid: number, share = 0.1, timeoutMs = 60_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  let quiet = 0;
  let last = cpuTimeOf(pid);
  while (Date.now() < deadline && quiet < 2) {
    await sleep(500);
    const now = cpuTimeOf(pid);
    if (now === undefined || last === undefined) return;
    quiet = now - last < 500 * share ? quiet + 1 : 0;
    last = now;
  }
};

export interface Health {
  status: string;
  natsConnected: boolean;
  checkpoint: number;
  lagMessages: number;
}

export const health = async (url: string): Promise<Health> => {
  const r = await fetch(`${url}/health`);
  return (await r.json()) as Health;
};

/** Calls the hub's JSON API with a bearer token; throws on a status outside `ok`. */
export const api = async <T>(
  url: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string>; ok?: number[] } = {},
): Promise<{ status: number; body: T; ms: number }> => {
  const t0 = nowMs();
  const response = await fetch(`${url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${options.token ?? TOKENS.admin}`,
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...options.headers,
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  const ms = nowMs() - t0;
  const ok = options.ok ?? [200, 201];
  if (!ok.includes(response.status)) throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 500)}`);
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T, ms };
};

/** Defines the locations through the admin API (the hub then accepts their nodes' events). */
export const defineLocations = async (
  url: string,
  locations: readonly LocationSpec[],
  token: string = TOKENS.admin,
): Promise<void> => {
  for (const l of locations)
    await api(url, 'POST', '/v1/admin/locations', {
      token,
      body: { location: l.location, region: l.region, kind: 'store', name: l.name },
    });
};

export type { HubHandle };
