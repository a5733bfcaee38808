import { defineConfig } from 'vitest/config';

/**
 * What every package's vitest config shares. Tests run the workspace packages' TypeScript sources
 * (their "source" export condition); processes a test spawns run the built dist/.
 */
export default defineConfig({
  // Tests run in Vite's SSR environment: its conditions, with "source" first.
  ssr: { resolve: { conditions: ['source', 'module', 'node', 'development|production'] } },
  test: {
    // Integration tests start their own nats-server and hub processes: two cores, two workers.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
