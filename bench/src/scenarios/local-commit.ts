import { createReadStream, existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromiumLaunchOptions, makeTempDir, removeTempDir } from '@stocknerve/test-harness';
import { chromium } from 'playwright-core';
import { build as viteBuild } from 'vite';
import { type BenchOptions, check, fig, result, type ScenarioResult } from '../lib/context.js';
import { distribution } from '../lib/stats.js';
import type {} from './local-commit-page.js';

export interface LocalCommitSize {
  readonly samples: number;
}

const PAGE_DIR = fileURLToPath(new URL('../../local-commit/', import.meta.url));
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };

const serve = (root: string): Promise<{ server: Server; url: string }> =>
  new Promise((resolve) => {
    const server = createServer((req, res) => {
      const path = normalize(join(root, (req.url ?? '/').split('?')[0] === '/' ? 'index.html' : (req.url ?? '')));
      if (!path.startsWith(root) || !existsSync(path)) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' });
      createReadStream(path).pipe(res);
    });
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve({ server, url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/` });
    });
  });

/**
 * (9) Local commit: bench/local-commit/entry.ts bundled with Vite (the sync library and RxDB's
 * Dexie storage, no dev-mode), opened in headless Chromium with a persistent profile (IndexedDB on
 * disk). Each sample: one SyncClient.record of a sale (RxDB, Dexie, strict durability) and one raw
 * Dexie add of the same document into an identical table, interleaved.
 */
export const localCommitScenario = async (size: LocalCommitSize, options: BenchOptions): Promise<ScenarioResult> => {
  const r = result('local-commit', '9. Local commit (store node, real Chromium)');
  const dir = await makeTempDir('stocknerve-bench-local');
  const outDir = join(dir, 'dist');
  options.log('  bundling the page with Vite');
  await viteBuild({
    root: PAGE_DIR,
    configFile: false,
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true, target: 'es2022', minify: false, reportCompressedSize: false },
  });
  const { server, url } = await serve(outDir);
  const context = await chromium.launchPersistentContext(join(dir, 'profile'), chromiumLaunchOptions());
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(url);
    await page.waitForFunction(() => typeof window.runLocalCommit === 'function', undefined, { timeout: 30_000 });
    const userAgent = await page.evaluate(() => navigator.userAgent);
    options.log(`  ${size.samples} samples (+ warm-up) in ${/Chrom(e|ium)\/[\d.]+/.exec(userAgent)?.[0] ?? userAgent}`);
    const samples = await page.evaluate(([n, w]) => window.runLocalCommit(n, w), [size.samples, 30] as const);
    if (errors.length > 0) throw new Error(`page errors: ${errors.join('; ')}`);
    const rec = distribution(samples.record);
    const raw = distribution(samples.raw);
    r.figures.push(
      fig('SyncClient.record p50 / p99', `${rec.p50.toFixed(2)} / ${rec.p99.toFixed(2)}`, 'ms'),
      fig('raw Dexie add p50 / p99', `${raw.p50.toFixed(2)} / ${raw.p99.toFixed(2)}`, 'ms'),
      fig('ratio p50 / p99', `${(rec.p50 / raw.p50).toFixed(2)}× / ${(rec.p99 / raw.p99).toFixed(2)}×`),
      fig('record p99', rec.p99, 'ms'),
    );
    r.targets.push(check('record p99', rec.p99, '<', 20, 'ms'));
    r.notes.push(
      `${size.samples} interleaved samples after 30 warm-up, strict durability (IndexedDB on disk, persistent profile); the page is a Vite bundle of packages/sync (no RxDB dev-mode); ${/Chrom(e|ium)\/[\d.]+/.exec(userAgent)?.[0] ?? 'Chromium'} headless.`,
    );
    Object.assign(r.data, { record: rec, raw, userAgent, samples: size.samples });
    return r;
  } finally {
    await context.close().catch(() => undefined);
    server.close();
    await removeTempDir(dir);
  }
};
