import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { connect as netConnect } from 'node:net';
import { delimiter, join } from 'node:path';
import { freePort } from './free-port.js';
import { makeTempDir, removeTempDir } from './temp-dir.js';
import { watchChild } from './watchdog.js';

/** Options for {@link startNatsServer}. Everything left out is chosen by the harness. */
export interface StartNatsServerOptions {
  /** JetStream store directory. Default: a new temp dir, removed by `dispose()` or at process exit. */
  storeDir?: string;
  /** Client port on 127.0.0.1. Default: a free port. */
  port?: number;
  /** Websocket port on 127.0.0.1 (no TLS). Default: a free port. */
  wsPort?: number;
  /**
   * Config text appended verbatim after the harness's own settings (server_name, host, port,
   * websocket, jetstream). Use it for other blocks (accounts, limits), not to repeat those keys.
   */
  extraConfig?: string;
}

/** A nats-server child process started by {@link startNatsServer}. */
export interface NatsServerProcess {
  /** `nats://127.0.0.1:<port>` */
  readonly url: string;
  /** `ws://127.0.0.1:<wsPort>` */
  readonly wsUrl: string;
  readonly port: number;
  readonly wsPort: number;
  readonly storeDir: string;
  /** OS pid of the current (or last) server process; changes on restart. */
  readonly pid: number;
  /** Sends `signal` (default SIGKILL: a crash) and resolves once the process has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Graceful shutdown with SIGTERM; falls back to SIGKILL after 10 s. Resolves once exited. */
  stop(): Promise<void>;
  /** Stops the server if it runs, then starts it again on the same ports and store dir. */
  restart(): Promise<void>;
  /** Stops the server and removes the temp dirs the harness created for it. */
  dispose(): Promise<void>;
  /** Everything the server printed so far, across restarts (the newest 1 MB). */
  log(): string;
}

const READY_TIMEOUT_MS = 15_000;
const STOP_GRACE_MS = 10_000;
// Ports stay busy for a moment after a crash while the kernel tears down the old sockets.
const RESTART_RETRY_MS = 5_000;
const MAX_LOG_CHARS = 1_000_000;
const ERROR_LOG_CHARS = 8_000;

const liveChildren = new Set<ChildProcess>();
const ownedDirs = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Only synchronous work runs in an 'exit' listener: a test run that forgets stop() (or fails
  // before it) must still not leave servers holding ports and temp dirs behind.
  process.on('exit', () => {
    for (const child of liveChildren) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    for (const dir of ownedDirs) {
      try {
        rmSync(dir, { recursive: true, force: true });
      } catch {
        // Best effort at exit; the OS temp dir is cleaned eventually anyway.
      }
    }
  });
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Locates the nats-server binary: `$NATS_SERVER_BIN`, then `PATH`, then the usual install dirs
 * (Debian puts it in /usr/sbin, which a non-root PATH often lacks).
 *
 * @returns absolute path of an executable nats-server.
 * @throws Error with install instructions when none is found.
 */
export function findNatsServerBinary(): string {
  const fromEnv = process.env.NATS_SERVER_BIN;
  if (fromEnv && isExecutable(fromEnv)) return fromEnv;
  const dirs = [
    ...(process.env.PATH ?? '').split(delimiter),
    '/usr/sbin',
    '/usr/local/sbin',
    '/usr/local/bin',
    '/usr/bin',
  ];
  for (const dir of dirs) {
    if (!dir) continue;
    const candidate = join(dir, 'nats-server');
    if (isExecutable(candidate)) return candidate;
  }
  throw new Error(
    'nats-server not found on PATH or in /usr/sbin: install nats-server 2.9+ (apt-get install nats-server)',
  );
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = netConnect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

class StartError extends Error {
  constructor(
    message: string,
    readonly addressInUse: boolean,
  ) {
    super(message);
  }
}

class NatsServer implements NatsServerProcess {
  private child: ChildProcess | undefined;
  private closed: Promise<void> = Promise.resolve();
  private logText = '';

  constructor(
    private readonly binary: string,
    private readonly configFile: string,
    public port: number,
    public wsPort: number,
    readonly storeDir: string,
    private readonly extraConfig: string,
    private readonly dirsToRemove: string[],
  ) {}

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.wsPort}`;
  }

  get pid(): number {
    return this.child?.pid ?? -1;
  }

  log(): string {
    return this.logText;
  }

  private running(): boolean {
    const child = this.child;
    return child !== undefined && child.exitCode === null && child.signalCode === null;
  }

  private appendLog(text: string): void {
    this.logText += text;
    if (this.logText.length > MAX_LOG_CHARS) this.logText = this.logText.slice(-MAX_LOG_CHARS);
  }

  async writeConfig(): Promise<void> {
    const config = [
      `server_name: stocknerve-test-${this.port}`,
      'host: 127.0.0.1',
      `port: ${this.port}`,
      `websocket { host: 127.0.0.1, port: ${this.wsPort}, no_tls: true }`,
      `jetstream { store_dir: ${JSON.stringify(this.storeDir)} }`,
      this.extraConfig,
      '',
    ].join('\n');
    await writeFile(this.configFile, config);
  }

  // vitest ends its workers with SIGTERM/SIGKILL (forks) or terminate() (threads), none of which
  // runs 'exit' listeners, so the exit hook alone is not enough: a watchdog kills the server and
  // removes its temp dirs when the test process is gone.
  private startWatchdog(child: ChildProcess): ChildProcess | undefined {
    const watchdog = watchChild(child, this.dirsToRemove);
    if (watchdog) liveChildren.add(watchdog);
    return watchdog;
  }

  /** Spawns the server once and waits for readiness; rejects with the server's output. */
  async launch(): Promise<void> {
    const child = spawn(this.binary, ['-c', this.configFile, '-a', '127.0.0.1'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    liveChildren.add(child);
    const watchdog = this.startWatchdog(child);
    this.closed = new Promise((resolve) => {
      const done = () => {
        liveChildren.delete(child);
        if (watchdog) {
          liveChildren.delete(watchdog);
          watchdog.kill('SIGKILL');
        }
        resolve();
      };
      child.once('close', done);
      // A spawn failure (ENOENT) may emit 'error' without 'close'.
      child.once('error', done);
    });

    let runLog = '';
    let ready = false;
    const onData = (chunk: string) => {
      runLog += chunk;
      this.appendLog(chunk);
      // Checked on the whole run's text because the line can be split across chunks.
      if (!ready && runLog.includes('Server is ready')) ready = true;
    };
    child.stdout?.setEncoding('utf8').on('data', onData);
    child.stderr?.setEncoding('utf8').on('data', onData);

    let failure: string | undefined;
    child.once('exit', (code, signal) => {
      failure ??= `exited with ${signal ?? `code ${code}`}`;
    });
    child.once('error', (err) => {
      failure ??= `failed to start (${err.message})`;
    });

    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      if (failure === undefined && ready && (await canConnect(this.port))) return;
      if (failure === undefined && Date.now() > deadline) {
        failure = `was not ready after ${READY_TIMEOUT_MS / 1000} s`;
        child.kill('SIGKILL');
      }
      if (failure !== undefined) {
        await this.closed;
        throw new StartError(
          `nats-server (${this.binary} -c ${this.configFile}) ${failure}; its output:\n${runLog.slice(-ERROR_LOG_CHARS)}`,
          /address already in use/i.test(runLog),
        );
      }
      await sleep(25);
    }
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.running()) this.child?.kill(signal);
    await this.closed;
  }

  async stop(): Promise<void> {
    if (!this.running()) return this.closed;
    const child = this.child;
    child?.kill('SIGTERM');
    const timer = setTimeout(() => child?.kill('SIGKILL'), STOP_GRACE_MS);
    try {
      await this.closed;
    } finally {
      clearTimeout(timer);
    }
  }

  async restart(): Promise<void> {
    await this.stop();
    this.appendLog('\n--- restart ---\n');
    const deadline = Date.now() + RESTART_RETRY_MS;
    for (;;) {
      try {
        await this.launch();
        return;
      } catch (err) {
        if (!(err instanceof StartError && err.addressInUse) || Date.now() > deadline) throw err;
        await sleep(100);
      }
    }
  }

  async dispose(): Promise<void> {
    await this.stop();
    for (const dir of this.dirsToRemove) {
      await removeTempDir(dir);
      ownedDirs.delete(dir);
    }
  }
}

/**
 * Starts a real nats-server with JetStream (file store) and a websocket listener, both bound to
 * 127.0.0.1, and resolves once it logged "Server is ready" and its client port accepts TCP.
 *
 * Ports not given are picked free; if another process grabs one first, the start is retried with
 * new ports (up to 3 times). The process is SIGKILLed when the calling process exits.
 *
 * @param options store dir, ports and extra config; all optional.
 * @returns a handle to URLs, ports, log and lifecycle (kill/stop/restart/dispose).
 * @throws Error including the server's output if it exits or is not ready within 15 s.
 */
export async function startNatsServer(options: StartNatsServerOptions = {}): Promise<NatsServerProcess> {
  installExitHook();
  const binary = findNatsServerBinary();
  const configDir = await makeTempDir('stocknerve-nats-conf');
  const dirsToRemove = [configDir];
  let storeDir = options.storeDir;
  if (storeDir === undefined) {
    storeDir = await makeTempDir('stocknerve-nats-store');
    dirsToRemove.push(storeDir);
  } else {
    await mkdir(storeDir, { recursive: true });
  }
  for (const dir of dirsToRemove) ownedDirs.add(dir);

  const server = new NatsServer(
    binary,
    join(configDir, 'nats-server.conf'),
    options.port ?? (await freePort()),
    options.wsPort ?? (await freePort()),
    storeDir,
    options.extraConfig ?? '',
    dirsToRemove,
  );
  for (let attempt = 1; ; attempt++) {
    await server.writeConfig();
    try {
      await server.launch();
      return server;
    } catch (err) {
      const pickedPorts = options.port === undefined || options.wsPort === undefined;
      if (!(err instanceof StartError && err.addressInUse && pickedPorts) || attempt >= 3) {
        await server.dispose();
        throw err;
      }
      if (options.port === undefined) server.port = await freePort();
      if (options.wsPort === undefined) server.wsPort = await freePort();
    }
  }
}
