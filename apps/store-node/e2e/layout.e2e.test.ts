import type { DecidedEvent } from '@stocknerve/domain';
import { eventFactory } from '@stocknerve/domain/testing';
import { natsClient, publishStoreEvents, recordHubFacts } from '@stocknerve/hub/testing';
import { waitFor } from '@stocknerve/test-harness';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  hubOnHand,
  PRODUCTS,
  START_QTY,
  STORE,
  type StoreEnv,
  scan,
  screenshot,
  startStoreEnv,
  untilCount,
} from './store-env.js';

// The till on the screens it is sold with: 1366×768 and 1024×768 laptops and all-in-ones,
// down to an 800 px wide window.

let env: StoreEnv;

/** With a valid EAN-13 check digit, from the 12 first digits. */
const ean13 = (first12: string): string => {
  const sum = [...first12].reduce((s, d, i) => s + Number(d) * (i % 2 === 0 ? 1 : 3), 0);
  return `${first12}${(10 - (sum % 10)) % 10}`;
};

/** More products than the shared env has, so a sale can grow past a screenful of lines. */
const EXTRA = ['Gaiters', 'Trekking poles', 'Water bottle 1 L', 'Sun hat', 'Gloves'].map((name, i) => ({
  sku: `SKU-20${String(i + 1).padStart(2, '0')}`,
  name,
  priceCents: 999 + i * 100,
  barcode: ean13(`37600020000${i + 1}`),
}));
const ALL = [...PRODUCTS, ...EXTRA];

beforeAll(async () => {
  env = await startStoreEnv();
  await recordHubFacts(
    env.hub,
    EXTRA.map(
      (p): DecidedEvent => ({ type: 'CatalogItemUpserted', data: { ...p, currency: 'EUR', category: 'outdoor' } }),
    ),
  );
  // Received on a back-office terminal like the env's other products, so no line warns of stock.
  const { nc, js } = await natsClient(env.nats);
  const factory = eventFactory({
    location: STORE.location,
    node: `${STORE.location}-backoffice-2`,
    startMs: Date.now(),
  });
  await publishStoreEvents(js, STORE.region, [
    factory.next({
      type: 'GoodsReceived',
      data: { purchaseOrderId: 'po-layout', lines: EXTRA.map((p) => ({ sku: p.sku, qty: START_QTY.own })) },
    }),
  ]);
  await nc.close();
  await waitFor(() => EXTRA.every((p) => hubOnHand(env.hub, STORE.location, p.sku) === START_QTY.own), {
    message: 'extra products stocked at the hub',
  });
  await env.launch();
}, 90_000);

afterAll(async () => {
  await env?.dispose();
});

interface Box {
  readonly top: number;
  readonly bottom: number;
  readonly left: number;
  readonly right: number;
}

const boxOf = async (page: Page, selector: string): Promise<Box> => {
  const box = await page.locator(selector).first().boundingBox();
  if (!box) throw new Error(`${selector} is not rendered`);
  return { top: box.y, bottom: box.y + box.height, left: box.x, right: box.x + box.width };
};

/** The box lies within the viewport (to half a pixel: boxes are fractional). */
const expectInViewport = async (page: Page, selector: string) => {
  const box = await boxOf(page, selector);
  const view = page.viewportSize();
  if (!view) throw new Error('no viewport');
  expect(box.left, `${selector} left`).toBeGreaterThanOrEqual(-0.5);
  expect(box.top, `${selector} top`).toBeGreaterThanOrEqual(-0.5);
  expect(box.right, `${selector} right`).toBeLessThanOrEqual(view.width + 0.5);
  expect(box.bottom, `${selector} bottom`).toBeLessThanOrEqual(view.height + 0.5);
};

const expectNoPageOverflow = async (page: Page) => {
  const { scrollWidth, scrollHeight, innerWidth, innerHeight } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    scrollHeight: document.documentElement.scrollHeight,
    innerWidth: window.innerWidth,
    innerHeight: window.innerHeight,
  }));
  expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
  // The page itself never scrolls: the lines and panels scroll inside the frame.
  expect(scrollHeight).toBeLessThanOrEqual(innerHeight);
};

/** Every screen's tab (ten of them) lies on screen, none scrolled or clipped away. */
const expectTabsReachable = async (page: Page) => {
  const ids = await page.locator('[role="tab"]').evaluateAll((tabs) => tabs.map((t) => t.id));
  expect(ids).toHaveLength(10);
  for (const id of ids) await expectInViewport(page, `#${id}`);
};

/** The newest line shows within the lines' scroll area, and the total and the complete button on screen. */
const expectSaleInView = async (page: Page, sku: string) => {
  const latest = '[data-testid="sale-lines"] tbody tr.latest';
  expect(await page.locator(latest).textContent()).toContain(sku);
  const row = await boxOf(page, latest);
  const area = await boxOf(page, '[data-screen="sell"] .lines-scroll');
  expect(row.top).toBeGreaterThanOrEqual(area.top - 0.5);
  expect(row.bottom).toBeLessThanOrEqual(area.bottom + 0.5);
  await expectInViewport(page, latest);
  await expectInViewport(page, '[data-testid="sale-total"]');
  await expectInViewport(page, '[data-screen="sell"] button.primary.big');
};

describe('store node: till layouts', () => {
  beforeEach((ctx) => {
    ctx.onTestFailed(async () => {
      console.log(`page errors:\n${env.pageErrors().join('\n')}`);
      await screenshot(env.page, `failed-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}`).catch(() => undefined);
    });
  });

  it('1366×768: every tab on screen, a 15-line sale keeps its newest line, total and button in view', async () => {
    const { page } = env;
    await page.setViewportSize({ width: 1366, height: 768 });
    await page.waitForSelector('#sell-scan');
    await expectTabsReachable(page);
    await page.locator('#sell-scan').focus();
    const rows = page.getByTestId('sale-lines').locator('tbody tr:not(.empty)');
    const sale = ALL.slice(0, 15);
    // The catalog (the extra products included: recorded before launch) arrives by KV pull: retry
    // the first scan until it is known.
    await waitFor(
      async () => {
        await scan(page, sale[0]?.sku ?? '');
        return (await rows.count()) > 0;
      },
      { timeoutMs: 20_000, intervalMs: 300, message: 'catalog pulled' },
    );
    for (const [i, p] of sale.entries()) {
      if (i > 0) await scan(page, p.sku);
      await untilCount(rows, i + 1);
      if (i >= 9) await expectSaleInView(page, p.sku);
    }
    await expectNoPageOverflow(page);
    await screenshot(page, 'till-1366x768', { doc: true });
  });

  it('1024×768: every tab on screen, the newest of 15 lines, the total and the button in view', async () => {
    const { page } = env;
    await page.setViewportSize({ width: 1024, height: 768 });
    await expectTabsReachable(page);
    // A line added at this size is scrolled to as well.
    const rows = page.getByTestId('sale-lines').locator('tbody tr:not(.empty)');
    const next = ALL[15];
    if (!next) throw new Error('no 16th product');
    await scan(page, next.sku);
    await untilCount(rows, 16);
    await expectSaleInView(page, next.sku);
    await expectNoPageOverflow(page);
    await screenshot(page, 'till-1024x768', { doc: true });
  });

  it('800 px wide: the remove column stays clear of the total, nothing overflows', async () => {
    const { page } = env;
    await page.setViewportSize({ width: 800, height: 600 });
    await expectTabsReachable(page);
    const remove = await boxOf(page, '[data-testid="sale-lines"] tbody tr.latest button[aria-label^="Remove"]');
    const side = await boxOf(page, '[data-screen="sell"] aside.side');
    const total = await boxOf(page, '[data-testid="sale-total"]');
    expect(remove.right).toBeLessThanOrEqual(side.left);
    expect(remove.right).toBeLessThanOrEqual(total.left);
    // Every column fits the lines' area: no sideways scrolling hides the remove buttons.
    const lines = await page.evaluate(() => {
      const area = document.querySelector('[data-screen="sell"] .lines-scroll');
      return { scrollWidth: area?.scrollWidth ?? Number.NaN, clientWidth: area?.clientWidth ?? Number.NaN };
    });
    expect(lines.scrollWidth).toBeLessThanOrEqual(lines.clientWidth);
    await expectSaleInView(page, ALL[15]?.sku ?? '');
    await expectNoPageOverflow(page);
    await screenshot(page, 'till-800x600');
  });
});
