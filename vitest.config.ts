import { defineConfig, mergeConfig } from 'vitest/config';
import shared from './vitest.shared.js';

// Every package's own tests (each has a vitest.config.ts), run together.
export default mergeConfig(shared, defineConfig({ test: { projects: ['packages/*', 'apps/*', 'bench'] } }));
