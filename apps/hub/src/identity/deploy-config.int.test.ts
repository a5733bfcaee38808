import { execFile } from 'node:child_process';
import { copyFile, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { findNatsServerBinary, makeTempDir, removeTempDir } from '@stocknerve/test-harness';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { builtHubCli } from '../cli-path.js';

// The production NATS config as shipped, with the identities `identity init` writes: what an
// operator installs must be a valid operator-mode config, and the secrets must not be world-readable.

const run = promisify(execFile);
const REPO = resolve(import.meta.dirname, '../../../..');
let dir: string;

beforeAll(async () => {
  dir = await makeTempDir('stocknerve-identity');
});
afterAll(async () => {
  await removeTempDir(dir);
});

it('writes an identity directory that the shipped nats-server.conf accepts', async () => {
  const identity = join(dir, 'identity');
  const init = () =>
    run(process.execPath, [
      builtHubCli(),
      'identity',
      'init',
      '--dir',
      identity,
      '--resolver-dir',
      join(dir, 'accounts'),
    ]);
  const { stdout } = await init();
  expect(stdout).toContain('hub.creds');
  for (const secret of ['trust.json', 'hub.creds', 'admin.creds', 'sys.creds'])
    expect((await stat(join(identity, secret))).mode & 0o077, secret).toBe(0);
  const auth = await readFile(join(identity, 'nats-auth.conf'), 'utf8');
  expect(auth).toMatch(/^operator: /m);
  expect(auth).not.toMatch(/"S[OAU][A-Z2-7]{40,}/);

  await copyFile(join(REPO, 'deploy/nats/nats-server.conf'), join(dir, 'nats-server.conf'));
  await copyFile(join(identity, 'nats-auth.conf'), join(dir, 'stocknerve-auth.conf'));
  const checked = await run(findNatsServerBinary(), ['-c', join(dir, 'nats-server.conf'), '-t']).then(
    (r) => `${r.stdout}${r.stderr}`,
    (e: { stdout: string; stderr: string }) => `FAILED ${e.stdout}${e.stderr}`,
  );
  expect(checked).toMatch(/is valid/);

  const again = await init();
  expect(again.stdout).toContain('hub.creds');
  expect(await readFile(join(identity, 'nats-auth.conf'), 'utf8')).toBe(auth);
});
