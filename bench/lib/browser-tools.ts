// Vite and Playwright for the local-commit benchmark, through apps/store-node's links (see deps.ts).
import playwright from '../../apps/store-node/node_modules/playwright-core/index.js';

export { build as viteBuild } from '../../apps/store-node/node_modules/vite/dist/node/index.js';
export const { chromium } = playwright;
