import { defineConfig } from 'vite';

// The renderer: one static bundle that runs in Electron (loaded from file://, hence the relative
// base) and in any Chromium served by src/server/serve.ts.
export default defineConfig({
  root: import.meta.dirname,
  base: './',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  // About 650 kB minified (190 kB gzipped), nine tenths of it RxDB with Dexie, the NATS client with
  // JetStream/KV, and zod: loaded once from the terminal's own disk or LAN, so one chunk is fine.
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'chrome120',
    reportCompressedSize: false,
    chunkSizeWarningLimit: 800,
  },
  server: { port: 5180, strictPort: true },
});
