import { execFile } from 'node:child_process';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { findNatsServerBinary, generateTlsFiles, makeTempDir, removeTempDir } from '@stocknerve/test-harness';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { builtHubCli } from '../cli-path.js';

// The production cluster configs as shipped (deploy/nats/cluster/), with the identities
// `identity init` writes and a certificate where the configs expect the deployment's: each of the
// three servers' files must be a valid config, and the three must form one cluster.

const run = promisify(execFile);
const REPO = resolve(import.meta.dirname, '../../../..');
const SHIPPED = join(REPO, 'deploy/nats/cluster');
const SERVERS = ['nats-1.conf', 'nats-2.conf', 'nats-3.conf'];
let dir: string;

beforeAll(async () => {
  dir = await makeTempDir('stocknerve-cluster-config');
});
afterAll(async () => {
  await removeTempDir(dir);
});

it('ships three server configs that nats-server accepts with the identities of `identity init`', async () => {
  const identity = join(dir, 'identity');
  await run(process.execPath, [
    builtHubCli(),
    'identity',
    'init',
    '--dir',
    identity,
    '--resolver-dir',
    join(dir, 'accounts'),
  ]);
  await copyFile(join(identity, 'nats-auth.conf'), join(dir, 'stocknerve-auth.conf'));

  // The certificate paths of a deployment, pointed at a CA and certificate made for the test.
  const tls = await generateTlsFiles(dir);
  const common = await readFile(join(SHIPPED, 'cluster-common.conf'), 'utf8');
  for (const file of ['server-cert.pem', 'server-key.pem', 'ca.pem']) expect(common).toContain(`/etc/nats/tls/${file}`);
  await writeFile(
    join(dir, 'cluster-common.conf'),
    common
      .replaceAll('/etc/nats/tls/server-cert.pem', tls.certFile)
      .replaceAll('/etc/nats/tls/server-key.pem', tls.keyFile)
      .replaceAll('/etc/nats/tls/ca.pem', tls.caFile)
      .replaceAll('/var/lib/nats', join(dir, 'store')),
  );
  expect(common).toMatch(/^include "stocknerve-auth.conf"$/m);
  expect(common).toMatch(/^\s*name: stocknerve$/m);
  expect(common).toMatch(/^\s*listen: 0\.0\.0\.0:6222$/m);
  for (const n of [1, 2, 3]) expect(common).toContain(`nats-route://nats-${n}.internal:6222`);

  const names = new Set<string>();
  for (const server of SERVERS) {
    const text = await readFile(join(SHIPPED, server), 'utf8');
    expect(text).toMatch(/^include "cluster-common.conf"$/m);
    names.add(/^server_name: (\S+)$/m.exec(text)?.[1] ?? '');
    await copyFile(join(SHIPPED, server), join(dir, server));
    const checked = await run(findNatsServerBinary(), ['-c', join(dir, server), '-t']).then(
      (r) => `${r.stdout}${r.stderr}`,
      (e: { stdout: string; stderr: string }) => `FAILED ${e.stdout}${e.stderr}`,
    );
    expect(checked, server).toMatch(/is valid/);
  }
  expect([...names].sort()).toEqual(['stocknerve-nats-1', 'stocknerve-nats-2', 'stocknerve-nats-3']);
});
