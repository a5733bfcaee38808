import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort, makeTempDir, removeTempDir, waitFor } from '@stocknerve/test-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// `npm start` as a user meets it: scripts/start.sh on free ports and its own data dir, on the
// checkout's build (STOCKNERVE_SKIP_BUILD=1: `npm test` type-checks and builds the packages first;
// the renderer is built here when it is missing).

const APP_DIR = join(import.meta.dirname, '..');
const REPO_DIR = join(APP_DIR, '..', '..');

/** Processes (any session) started with this data dir in their environment. */
const processesOf = async (dataDir: string): Promise<number[]> => {
  const needle = `STOCKNERVE_DATA_DIR=${dataDir}\0`;
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const environ = await readFile(`/proc/${entry}/environ`, 'utf8').catch(() => '');
    if (environ.includes(needle)) pids.push(Number(entry));
  }
  return pids;
};

const status = async (url: string): Promise<number> => {
  try {
    return (await fetch(url)).status;
  } catch {
    return 0;
  }
};

interface Run {
  readonly child: ChildProcess;
  readonly storeUrl: string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
}

/**
 * `npm start` on free ports and `dataDir`, as a user runs it: in its own process group (a Ctrl-C in
 * a terminal signals the whole group, npm and the script, and npm forwards it to the script once
 * more).
 */
const npmStart = async (dataDir: string, env: Record<string, string> = {}): Promise<Run> => {
  if (!existsSync(join(APP_DIR, 'dist', 'renderer', 'index.html'))) {
    const { build } = await import('vite');
    await build({ root: APP_DIR, configFile: join(APP_DIR, 'vite.config.ts'), logLevel: 'warn' });
  }
  const [nats, ws, hub, store] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const child = spawn('npm', ['start'], {
    cwd: REPO_DIR,
    detached: true,
    env: {
      ...process.env,
      STOCKNERVE_SKIP_BUILD: '1',
      STOCKNERVE_DATA_DIR: dataDir,
      STOCKNERVE_NATS_PORT: String(nats),
      STOCKNERVE_NATS_WS_PORT: String(ws),
      HUB_PORT: String(hub),
      STOCKNERVE_STORE_PORT: String(store),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const append = (d: Buffer) => {
    output += d.toString();
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, storeUrl: `http://127.0.0.1:${store}`, exited, output: () => output };
};

const stop = async (run: Run | undefined, dataDir: string | undefined) => {
  if (run && run.child.exitCode === null && run.child.signalCode === null) {
    run.child.kill('SIGTERM');
    await run.exited;
  }
  for (const pid of dataDir ? await processesOf(dataDir) : []) process.kill(pid, 'SIGKILL');
  if (dataDir) await removeTempDir(dataDir);
};

describe('scripts/start.sh', () => {
  let dataDir: string;
  let run: Run;
  let child: ChildProcess;
  let storeUrl: string;
  let exited: Run['exited'];
  let output = '';

  beforeAll(async () => {
    dataDir = await makeTempDir('stocknerve-start');
    run = await npmStart(dataDir);
    ({ child, storeUrl, exited } = run);
    await waitFor(() => run.output().includes('Press Ctrl-C to stop.') || child.exitCode !== null, {
      timeoutMs: 90_000,
      intervalMs: 200,
    });
    output = run.output();
    if (child.exitCode !== null) throw new Error(`start.sh exited (${child.exitCode}):\n${output}`);
  }, 120_000);

  afterAll(() => stop(run, dataDir));

  it('prints the steps and the URLs, and keeps the components output in log files', async () => {
    const lines = output.trim().split('\n');
    expect(
      lines.filter((l) => l.trimStart().startsWith('{')),
      output,
    ).toEqual([]);
    expect(lines.filter((l) => !l.startsWith('npm warn')).length, output).toBeLessThan(30);
    expect(lines.at(-1)).toContain('Press Ctrl-C to stop.');
    expect(output).toContain(`store node  ${storeUrl}`);
    for (const name of ['hub.log', 'nats.log', 'store-node.log'])
      expect((await readFile(join(dataDir, 'logs', name), 'utf8')).length, name).toBeGreaterThan(0);
    expect(await status(storeUrl)).toBe(200);
  });

  it('keeps the till served when nats-server is killed, and starts NATS again', async () => {
    const pidFile = join(dataDir, 'nats-server.pid');
    const first = Number(await readFile(pidFile, 'utf8'));
    process.kill(first, 'SIGTERM');
    await waitFor(async () => Number(await readFile(pidFile, 'utf8').catch(() => '0')) !== first, {
      timeoutMs: 15_000,
      message: 'a new nats-server',
    });
    expect(run.output()).toContain('nats-server: exited unexpectedly');
    expect(child.exitCode).toBeNull();
    expect(await status(`${storeUrl}/config.json`)).toBe(200);
  });

  it('stops every component and exits 0 on Ctrl-C (SIGINT)', async () => {
    expect((await processesOf(dataDir)).length).toBeGreaterThanOrEqual(4);
    process.kill(-(child.pid ?? 0), 'SIGINT');
    const result = await exited;
    expect(result, run.output()).toEqual({ code: 0, signal: null });
    expect(await processesOf(dataDir)).toEqual([]);
    expect(await status(storeUrl)).toBe(0);
  }, 60_000);
});

describe('scripts/start.sh, when a component fails to start', () => {
  let dataDir: string;
  let run: Run;

  afterAll(() => stop(run, dataDir));

  it('says which, shows the end of its log, stops the others and fails', async () => {
    dataDir = await makeTempDir('stocknerve-start-fail');
    run = await npmStart(dataDir, { HUB_TOKENS: 'too-short:admin' });
    const result = await run.exited;
    expect(result.code, run.output()).toBe(1);
    expect(run.output()).toContain(`--- last lines of ${join(dataDir, 'logs', 'hub.log')} ---`);
    expect(run.output()).toContain('invalid hub config');
    expect(run.output()).toContain('error: hub exited before it was ready');
    expect(await processesOf(dataDir)).toEqual([]);
  }, 90_000);
});
