import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { defineConfig, type Plugin } from 'vite';
import pkg from './package.json' with { type: 'json' };

const SW_ENTRY = join(import.meta.dirname, 'src', 'sw.ts');
const SW_FILE = 'sw.js';
const SW_MANIFEST = '__STOCKNERVE_SW_MANIFEST__';

/**
 * Builds src/sw.ts to sw.js beside index.html, with the list of the shell's files (index.html and
 * the hashed assets) and a version that changes whenever one of them does.
 */
const serviceWorker = (): Plugin => ({
  name: 'stocknerve-service-worker',
  apply: 'build',
  enforce: 'post',
  buildStart() {
    this.emitFile({ type: 'chunk', id: SW_ENTRY, fileName: SW_FILE });
  },
  generateBundle(_options, bundle) {
    const files = Object.keys(bundle)
      .filter((name) => name !== SW_FILE && !name.endsWith('.map'))
      .sort();
    const hash = createHash('sha256');
    for (const name of files) {
      const file = bundle[name];
      hash.update(name);
      if (file?.type === 'asset') hash.update(file.source);
    }
    const sw = bundle[SW_FILE];
    if (sw?.type !== 'chunk' || !sw.code.includes(SW_MANIFEST))
      throw new Error(`${SW_FILE}: no ${SW_MANIFEST} to fill`);
    const manifest = JSON.stringify({ version: hash.digest('hex').slice(0, 16), shell: files });
    sw.code = sw.code.replaceAll(SW_MANIFEST, `(${manifest})`);
  },
});

// The renderer: one static bundle that runs in Electron (loaded from file://, hence the relative
// base) and in any Chromium served by server/serve.ts (where sw.js lets it open offline too).
export default defineConfig({
  root: import.meta.dirname,
  base: './',
  define: { __STOCKNERVE_VERSION__: JSON.stringify(pkg.version) },
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  plugins: [serviceWorker()],
  // One chunk, most of it RxDB with Dexie, the NATS client with JetStream/KV, and zod: loaded once
  // from the terminal's own disk or the store's LAN.
  build: {
    outDir: 'dist/renderer',
    emptyOutDir: true,
    target: 'chrome120',
    reportCompressedSize: false,
    chunkSizeWarningLimit: 800,
  },
  server: { port: 5180, strictPort: true },
});
