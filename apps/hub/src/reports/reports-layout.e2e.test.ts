import { copyFile, mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromiumLaunchOptions } from '@stocknerve/test-harness';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MANAGER_TOKEN } from '../testing/hub-fixture.js';
import { type SeededHub, startSeededHub } from './testing/seeded-hub.js';
import { serveReports } from './testing/serve-reports.js';

// The reports on a 1366 px laptop screen: wide tables scroll inside their own box, the
// page itself never scrolls sideways.

const SHOTS_DIR = fileURLToPath(new URL('../../test-results/screenshots/', import.meta.url));
const DOCS_DIR = fileURLToPath(new URL('../../../../docs/screenshots/', import.meta.url));

let seeded: SeededHub;
let reports: { url: string; close(): Promise<void> };
let browser: Browser;
let page: Page;

/** Into test-results; with UPDATE_SCREENSHOTS=1 also into docs/screenshots (committed). */
const screenshot = async (p: Page, name: string) => {
  await mkdir(SHOTS_DIR, { recursive: true });
  const file = `reports-${name}.png`;
  await p.screenshot({ path: `${SHOTS_DIR}${file}` });
  if (process.env.UPDATE_SCREENSHOTS !== '1') return;
  await mkdir(DOCS_DIR, { recursive: true });
  await copyFile(`${SHOTS_DIR}${file}`, `${DOCS_DIR}${file}`);
};

const open = async (path: string) => {
  await page.goto(`${reports.url}${path}`);
  await page.waitForSelector('#live-root');
  await page.waitForSelector('.live-status[data-state="live"]');
};

/** What sticks out of the viewport sideways: the page's scroll width and the widest offenders. */
const horizontalOverflow = (p: Page) =>
  p.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    offenders: Array.from(document.querySelectorAll('body *'))
      .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 0.5)
      .filter((el) => !el.closest('.table-wrap') || el.classList.contains('table-wrap'))
      .slice(0, 5)
      .map((el) => `${el.tagName.toLowerCase()}.${el.className} → ${Math.round(el.getBoundingClientRect().right)}`),
  }));

beforeAll(async () => {
  seeded = await startSeededHub();
  reports = await serveReports(seeded.hub.ctx);
  browser = await chromium.launch(chromiumLaunchOptions());
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  page = await context.newPage();
  await page.goto(`${reports.url}/reports/login`);
  await page.getByLabel('Access token').fill(MANAGER_TOKEN);
  await page.keyboard.press('Enter');
  await page.waitForURL(`${reports.url}/reports/overview`);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await reports?.close();
  await seeded?.close();
});

describe('reports at 1366 px', () => {
  for (const [name, path] of [
    ['overview', '/reports/overview'],
    ['store-health', '/reports/stores'],
    ['sku', '/reports/sku'],
    ['low-stock', '/reports/replenishment'],
    ['incidents', '/reports/incidents'],
  ] as const) {
    it(`${name}: no page-level horizontal overflow`, async () => {
      await open(path);
      if (name === 'sku') {
        const sku = await page
          .locator('table[data-table="top-sellers"] tbody tr td')
          .first()
          .getAttribute('data-value');
        await page.getByLabel('SKU or name').fill(sku ?? '');
        await page.keyboard.press('Enter');
        await page.waitForSelector('table[data-table="explain"]');
      }
      const overflow = await horizontalOverflow(page);
      // Every table box lies within the page (a table wider than its box scrolls inside it).
      for (const wrap of await page.locator('.table-wrap').all()) {
        const box = await wrap.boundingBox();
        expect(box && box.x + box.width, 'table box right edge').toBeLessThanOrEqual(overflow.innerWidth);
      }
      expect(overflow.scrollWidth, overflow.offenders.join('\n')).toBeLessThanOrEqual(overflow.innerWidth);
      if (name === 'overview') {
        // The regions table, one column per figure, fits a 1366 px screen without scrolling.
        const regions = await page.$eval('table[data-table="regions"]', (t) => {
          const wrap = t.closest('.table-wrap');
          return { scrollWidth: wrap?.scrollWidth ?? Number.NaN, clientWidth: wrap?.clientWidth ?? Number.NaN };
        });
        expect(regions.scrollWidth).toBeLessThanOrEqual(regions.clientWidth);
        await screenshot(page, 'overview-1366');
      }
    });
  }
});
