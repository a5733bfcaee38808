import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  freePort,
  makeTempDir,
  type NatsServerProcess,
  removeTempDir,
  startNatsServer,
} from '@stocknerve/test-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, type HubProcess, hubNatsEnv, spawnHubProcess } from './testing/hub-fixture.js';

const PACKAGE_SCRIPT = fileURLToPath(new URL('../../../scripts/package-hub.sh', import.meta.url));
const REPORT_ASSETS = fileURLToPath(new URL('../assets/reports/', import.meta.url));

// The script builds the workspace (tsc -b) and runs pnpm deploy: ~15 s when pnpm's store holds a
// build of better-sqlite3 (any install made one), ~2 min when pnpm has to compile it.
const PACKAGE_TIMEOUT_MS = 300_000;

let dir: string;
let packageDir: string;
let server: NatsServerProcess;
let hub: HubProcess | undefined;

beforeAll(async () => {
  dir = await makeTempDir('hub-package');
  packageDir = join(dir, 'hub');
  try {
    await promisify(execFile)('bash', [PACKAGE_SCRIPT, packageDir], {
      timeout: PACKAGE_TIMEOUT_MS,
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`scripts/package-hub.sh failed: ${error instanceof Error ? error.message : error}\n${stderr}`);
  }
  server = await startNatsServer();
}, PACKAGE_TIMEOUT_MS + 30_000);

afterAll(async () => {
  await hub?.kill('SIGTERM');
  await server?.dispose();
  if (dir) await removeTempDir(dir);
});

describe('the packaged hub (scripts/package-hub.sh)', () => {
  it('holds the built hub and its production dependencies, not its sources or dev dependencies', () => {
    for (const present of ['dist/cli.js', 'assets/reports/reports.css', 'node_modules/better-sqlite3'])
      expect(existsSync(join(packageDir, present)), present).toBe(true);
    for (const absent of ['src', 'node_modules/playwright-core', 'node_modules/@stocknerve/test-harness'])
      expect(existsSync(join(packageDir, absent)), absent).toBe(false);
  });

  it('serves /health and the report assets when started as `node dist/cli.js serve`', async () => {
    hub = await spawnHubProcess(
      { ...hubNatsEnv(server), HUB_DB: join(dir, 'views.sqlite'), HUB_TOKENS: `${ADMIN_TOKEN}:admin` },
      await freePort(),
      join(packageDir, 'dist', 'cli.js'),
    );

    const health = await fetch(`${hub.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', natsConnected: true });

    const css = await fetch(`${hub.url}/reports/assets/reports.css`);
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
    expect(await css.text()).toBe(await readFile(join(REPORT_ASSETS, 'reports.css'), 'utf8'));

    // Served from the package's own node_modules (uplot is a production dependency).
    const uplot = await fetch(`${hub.url}/reports/assets/uPlot.iife.min.js`);
    expect(uplot.status).toBe(200);
    expect((await uplot.text()).length).toBeGreaterThan(10_000);
  });
});
