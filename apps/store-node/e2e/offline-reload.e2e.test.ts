import { waitFor } from '@stocknerve/test-harness';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { product, type StoreEnv, scan, screenshot, startStoreEnv, untilFocused, untilText } from './store-env.js';

// The till in a browser (no Electron): once loaded, a reload or a new tab opens it with its local
// data while the web server that served it is down (src/sw.ts).

let env: StoreEnv;

beforeAll(async () => {
  env = await startStoreEnv();
  await env.launch();
}, 90_000);

afterAll(async () => {
  await env?.dispose();
});

const saleLines = (page: Page) => page.getByTestId('sale-lines').locator('tbody tr:not(.empty)');

/** Scans until the product is found in the till's local catalog and its line shows. */
const scanLine = async (page: Page, which: number, timeoutMs: number) => {
  const p = product(which);
  await waitFor(
    async () => {
      await scan(page, p.barcode);
      return (await saleLines(page).filter({ hasText: p.name }).count()) > 0;
    },
    { timeoutMs, intervalMs: 300, message: `a sale line for ${p.name}` },
  );
};

const shellCached = (page: Page) =>
  page.evaluate(async () => {
    const registration = await navigator.serviceWorker.ready;
    if (!registration.active || !navigator.serviceWorker.controller) return false;
    const scripts = [...document.querySelectorAll<HTMLScriptElement>('script[src]')].map((s) => s.src);
    const urls = [new URL('index.html', location.href).href, ...scripts];
    for (const url of urls) if (!(await caches.match(url))) return false;
    return urls.length > 1;
  });

describe('store node in a browser: opening without its web server', () => {
  beforeEach((ctx) => {
    ctx.onTestFailed(async () => {
      console.log(`page errors:\n${env.pageErrors().join('\n')}`);
      await screenshot(env.page, `failed-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}`).catch(() => undefined);
    });
  });

  it('caches the shell once the till is open', async () => {
    const { page } = env;
    await untilFocused(page, 'sell-scan', 20_000);
    // The catalog reaches the till's own database by KV pull: what must still be there offline.
    await scanLine(page, 0, 15_000);
    await waitFor(() => shellCached(page), { timeoutMs: 15_000, message: 'service worker active, shell cached' });
  });

  it('reloads and opens a new tab with the web server down, with its local data', async () => {
    const { page, server } = env;
    const url = server.url;
    await server.close();
    await expect(fetch(url)).rejects.toThrow();

    await page.reload();
    await untilFocused(page, 'sell-scan', 20_000);
    await untilText(page.getByTestId('store-name'), /store-001-t1/);
    await scanLine(page, 1, 10_000);

    const tab = await page.context().newPage();
    try {
      await tab.goto(url);
      await untilFocused(tab, 'sell-scan', 20_000);
      await untilText(tab.getByTestId('store-name'), /store-001-t1/);
    } finally {
      await tab.close();
    }
  });
});
