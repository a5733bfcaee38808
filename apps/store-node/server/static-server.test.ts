import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir, removeTempDir } from '@stocknerve/test-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provisioningFromEnv } from '../shared/provisioning.js';
import { type StaticServer, startStaticServer } from './static-server.js';

let root: string;
let dir: string;
let server: StaticServer;

beforeAll(async () => {
  root = await makeTempDir('static-server-test');
  dir = join(root, 'www');
  await mkdir(join(dir, 'assets'), { recursive: true });
  await writeFile(join(root, 'secret.txt'), 'not for the browser');
  await writeFile(join(dir, 'index.html'), '<!doctype html><title>store</title>');
  await writeFile(join(dir, 'assets', 'app-1234.js'), 'console.log(1)');
  await writeFile(join(dir, 'sw.js'), 'self.addEventListener("fetch", () => {})');
  server = await startStaticServer({
    dir,
    port: 0,
    provisioning: provisioningFromEnv({
      STOCKNERVE_NATS_URL: 'ws://127.0.0.1:7423',
      STOCKNERVE_HUB_URL: 'http://127.0.0.1:7480',
    }),
  });
});

afterAll(async () => {
  await server.close();
  await removeTempDir(root);
});

describe('static server', () => {
  it('serves the provisioning document from the environment, never cached', async () => {
    const res = await fetch(`${server.url}/config.json`);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({ natsUrl: 'ws://127.0.0.1:7423', hubUrl: 'http://127.0.0.1:7480' });
  });

  it('serves the app, caches hashed assets for good, and falls back to index.html for app paths', async () => {
    const index = await fetch(`${server.url}/`);
    expect(index.headers.get('content-type')).toMatch(/text\/html/);
    expect(index.headers.get('cache-control')).toBe('no-cache');
    const asset = await fetch(`${server.url}/assets/app-1234.js`);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect(asset.headers.get('cache-control')).toMatch(/immutable/);
    expect(await (await fetch(`${server.url}/sell`)).text()).toContain('<title>store</title>');
    expect((await fetch(`${server.url}/missing.js`)).status).toBe(404);
  });

  it('serves the service worker as JavaScript that the browser revalidates on every load', async () => {
    const sw = await fetch(`${server.url}/sw.js`);
    expect(sw.status).toBe(200);
    expect(sw.headers.get('content-type')).toMatch(/javascript/);
    expect(sw.headers.get('cache-control')).toBe('no-cache');
  });

  it('never serves a file outside its directory', async () => {
    for (const path of ['/..%2fsecret.txt', '/%2e%2e%2fsecret.txt', '/assets/..%2f..%2fsecret.txt']) {
      const res = await fetch(`${server.url}${path}`);
      expect(res.status, path).toBe(404);
      expect(await res.text()).not.toContain('not for the browser');
    }
  });

  it('reads only the variables it knows, trimmed; the identity is not one of them (enrollment sets it)', () => {
    const env = {
      STOCKNERVE_ENROLLMENT_CODE: ' 7KQ2M-XW4PD ',
      STOCKNERVE_HUB_URL: '',
      STOCKNERVE_NODE: 't1',
      OTHER: 'x',
    };
    expect(provisioningFromEnv(env)).toEqual({ enrollmentCode: '7KQ2M-XW4PD' });
  });
});
