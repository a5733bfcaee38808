import { MANAGER_TOKEN } from '@stocknerve/hub/testing';
import { waitFor } from '@stocknerve/test-harness';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  hubNumber,
  hubOnHand,
  payByCard,
  product,
  START_QTY,
  STORE,
  type StoreEnv,
  scan,
  screenshot,
  startStoreEnv,
  untilAttribute,
  untilFocused,
  untilText,
} from './store-env.js';

// A till whose clock is 3 h 12 min ahead: it asks the hub for its time when it connects, warns the
// cashier, refuses counts and keeps selling; once the clock is fixed, counts work again.

const SKEW_MS = (3 * 60 + 12) * 60_000;

let env: StoreEnv;

beforeAll(async () => {
  env = await startStoreEnv();
  await env.launch();
}, 90_000);

afterAll(async () => {
  await env?.dispose();
});

const badge = (page: Page) => page.getByTestId('sync-badge');

/** Sets the page's clock `offsetMs` off the real one and reloads: the till starts, connects and asks the hub. */
const restartWithClock = async (page: Page, offsetMs: number) => {
  await page.clock.setSystemTime(Date.now() + offsetMs);
  await page.reload();
  await untilAttribute(badge(page), 'data-state', 'online', 20_000);
};

const show = async (page: Page, key: string, screen: string) => {
  await page.keyboard.press(key);
  await waitFor(async () => page.locator(`[data-screen="${screen}"]:not([hidden])`).count(), {
    message: `screen ${screen}`,
  });
};

/** Scans until the catalog (pulled by KV) knows the product and a line appears. */
const scanFirst = async (page: Page, code: string, rows: string) => {
  await waitFor(
    async () => {
      await scan(page, code);
      return (await page.locator(`${rows} tbody tr:not(.empty)`).count()) > 0;
    },
    { timeoutMs: 10_000, intervalMs: 300, message: 'catalog pulled' },
  );
};

const countsCount = () =>
  hubNumber(env.hub, "SELECT COUNT(*) AS n FROM applied_events WHERE type = 'CycleCounted' AND node = ?", STORE.node);

describe('store node: a till whose clock is wrong', () => {
  beforeEach((ctx) => {
    ctx.onTestFailed(async () => {
      console.log(`page errors:\n${env.pageErrors().join('\n')}`);
      await screenshot(env.page, `failed-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}`).catch(() => undefined);
    });
  });

  it('is told so on every screen, and in the sync badge and panel', async () => {
    const { page } = env;
    await untilAttribute(badge(page), 'data-state', 'online', 20_000);
    await untilAttribute(badge(page), 'data-clock', 'ok', 20_000);
    expect(await page.getByTestId('clock-warning').count()).toBe(0);

    await restartWithClock(page, SKEW_MS);
    await untilAttribute(badge(page), 'data-clock', 'wrong', 20_000);
    await untilText(
      page.getByTestId('clock-warning'),
      "This till's clock is 3 h 12 min ahead of the hub. Ask your manager to fix the date and time; counts are disabled until then. Sales are still recorded.",
    );
    await screenshot(page, 'clock-wrong', { doc: true });
    await page.keyboard.press('Alt+9');
    await untilText(page.getByTestId('sync-clock'), /^3 h 12 min ahead of the hub .*counts disabled/);
  });

  it('refuses a count, and still sells', async () => {
    const { page, hub } = env;
    await show(page, 'F6', 'counts');
    await untilFocused(page, 'count-area');
    await page.locator('#count-scan').focus();
    await scanFirst(page, `4*${product('SKU-1003').barcode}`, '[data-screen="counts"] .lines');
    expect(await page.locator('[data-screen="counts"] button.primary').isDisabled()).toBe(true);
    await untilText(page.getByTestId('counts-disabled'), /Counts are disabled until this till's clock is fixed/);
    await page.keyboard.press('F9');
    await untilText(
      page.locator('[data-screen="counts"] [data-testid="notice"]'),
      /^This till's clock is 3 h 12 min ahead/,
    );
    expect(await page.getByTestId('counts-review').count()).toBe(0);
    await screenshot(page, 'counts-clock-wrong');

    await show(page, 'F1', 'sell');
    await untilFocused(page, 'sell-scan');
    await scanFirst(page, product('SKU-1002').barcode, '[data-testid="sale-lines"]');
    await payByCard(page);
    await untilText(page.getByTestId('receipt-id'), new RegExp(`^${STORE.node}-`));
    await waitFor(() => hubOnHand(hub, STORE.location, 'SKU-1002') === START_QTY.own - 1, {
      timeoutMs: 15_000,
      message: 'the sale at the hub',
    });
    expect(countsCount()).toBe(0);
    expect(hubOnHand(hub, STORE.location, 'SKU-1003')).toBe(START_QTY.own);

    // The hub saw the clock too: the sale came stamped 3 h ahead of the time the stream stored it.
    const res = await fetch(`${hub.url}/v1/nodes`, { headers: { Authorization: `Bearer ${MANAGER_TOKEN}` } });
    const { nodes } = (await res.json()) as { nodes: { node: string; flags: string[] }[] };
    expect(nodes.find((n) => n.node === STORE.node)?.flags).toEqual(['clock-skew']);
  });

  it('counts again once the clock is fixed', async () => {
    const { page, hub } = env;
    await restartWithClock(page, 0);
    await untilAttribute(badge(page), 'data-clock', 'ok', 20_000);
    expect(await page.getByTestId('clock-warning').count()).toBe(0);
    await show(page, 'F6', 'counts');
    await untilFocused(page, 'count-area');
    await page.locator('#count-scan').focus();
    await scanFirst(page, `9*${product('SKU-1003').barcode}`, '[data-screen="counts"] .lines');
    await page.keyboard.press('F9');
    await untilText(page.getByTestId('counts-review-question'), 'Record the count of 1 SKU?');
    await page.keyboard.press('F9');
    await untilText(page.locator('[data-screen="counts"] [data-testid="notice"]'), /recorded for 1 SKU/);
    // Stamped from the right time again (the till set its HLC back), the hub applies it.
    await waitFor(() => hubOnHand(hub, STORE.location, 'SKU-1003') === 9, {
      timeoutMs: 15_000,
      message: 'the count at the hub',
    });
    expect(countsCount()).toBe(1);
  });
});
