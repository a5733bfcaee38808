import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.js';
import renderer from './vite.config.js';

export default mergeConfig(
  shared,
  defineConfig({
    define: renderer.define,
    oxc: renderer.oxc,
    test: {
      name: 'store-node',
      include: ['src/**/*.test.ts', 'electron/**/*.test.ts', 'server/**/*.test.ts', 'e2e/**/*.test.ts'],
    },
  }),
);
