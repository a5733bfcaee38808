import { defineConfig } from 'vite';
import pkg from './package.json' with { type: 'json' };

// The renderer: one static bundle that runs in Electron (loaded from file://, hence the relative
// base) and in any Chromium served by server/serve.ts.
export default defineConfig({
  root: import.meta.dirname,
  base: './',
  define: { __STOCKNERVE_VERSION__: JSON.stringify(pkg.version) },
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
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
