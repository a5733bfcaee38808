import { waitFor } from '@stocknerve/test-harness';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  hubNumber,
  hubOnHand,
  product,
  START_QTY,
  STORE,
  type StoreEnv,
  scan,
  screenshot,
  startStoreEnv,
  untilAttribute,
  untilCount,
  untilFocused,
  untilText,
} from './store-env.js';

// Receipts and counts change stock for good, so each goes through a review before it is recorded:
// a receipt needs a purchase order number or an explicit "No purchase order"; a count shows its
// variances against the till's on-hand, the SKUs it sets to none first.

let env: StoreEnv;

beforeAll(async () => {
  env = await startStoreEnv();
  await env.launch();
}, 90_000);

afterAll(async () => {
  await env?.dispose();
});

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

const RECEIVING_ROWS = '[data-screen="receiving"] table.lines tbody tr:not(.empty)';
const COUNT_ROWS = '[data-screen="counts"] table.lines tbody tr:not(.empty)';
const receivingNotice = (page: Page) => page.locator('[data-screen="receiving"] [data-testid="notice"]');
const countsNotice = (page: Page) => page.locator('[data-screen="counts"] [data-testid="notice"]');

const appliedCount = (type: string, correlationLike: string) =>
  hubNumber(
    env.hub,
    'SELECT COUNT(*) AS n FROM applied_events WHERE type = ? AND node = ? AND correlation_id LIKE ?',
    type,
    STORE.node,
    correlationLike,
  );

describe('store node: receiving and counts are reviewed before they are recorded', () => {
  beforeEach((ctx) => {
    ctx.onTestFailed(async () => {
      console.log(`page errors:\n${env.pageErrors().join('\n')}`);
      await screenshot(env.page, `failed-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}`).catch(() => undefined);
    });
  });

  it('a receipt without a purchase order number is refused until "No purchase order" is ticked', async () => {
    const { page, hub } = env;
    await untilAttribute(page.getByTestId('sync-badge'), 'data-state', 'online', 20_000);
    await show(page, 'F3', 'receiving');
    await untilFocused(page, 'receiving-ref');
    await page.keyboard.press('Enter');
    await untilFocused(page, 'receiving-scan');
    await scanFirst(page, `3*${product('SKU-1009').barcode}`, '[data-screen="receiving"] .lines');
    await scan(page, `2*${product('SKU-1010').barcode}`);
    await untilCount(page.locator(RECEIVING_ROWS), 2);

    await page.keyboard.press('F9');
    await untilText(
      receivingNotice(page),
      'Type the purchase order number, or tick "No purchase order" if the goods came without one.',
    );
    await untilFocused(page, 'receiving-ref');
    expect(await page.getByTestId('receiving-review').count()).toBe(0);

    await page.locator('#receiving-no-po').check();
    await untilText(page.getByTestId('receiving-no-po-note'), /^Recorded as NO-PO-\d{8}-… so the office/);
    expect(await page.locator('#receiving-ref').isDisabled()).toBe(true);
    await page.keyboard.press('F9');
    await untilText(page.getByTestId('receiving-review-question'), 'Record receipt of 2 lines, 5 units?');
    await untilText(
      page.getByTestId('receiving-review-against'),
      new RegExp(`^No purchase order: recorded as NO-PO-\\d{8}-${STORE.node}-\\w+$`),
    );
    await screenshot(page, 'receiving-review');

    // Back keeps every line as it was; one more unit changes the review.
    await page.getByRole('button', { name: /Back to the lines/ }).click();
    await untilCount(page.locator(RECEIVING_ROWS), 2);
    expect(await page.getByLabel('Received of SKU-1009').inputValue()).toBe('3');
    expect(await page.getByLabel('Received of SKU-1010').inputValue()).toBe('2');
    expect(await page.locator('#receiving-no-po').isChecked()).toBe(true);
    await untilFocused(page, 'receiving-scan');
    await scan(page, product('SKU-1009').barcode);
    await untilText(page.locator('[data-screen="receiving"] .side .muted'), 'Expected 0 · received 6');
    expect(appliedCount('GoodsReceived', 'NO-PO-%')).toBe(0);

    await page.keyboard.press('F9');
    await untilText(page.getByTestId('receiving-review-question'), 'Record receipt of 2 lines, 6 units?');
    await page.keyboard.press('F9');
    await untilText(receivingNotice(page), /^Receipt without purchase order NO-PO-\d{8}-\S+ received: 6 units\.$/);
    expect(await page.locator('#receiving-no-po').isChecked()).toBe(false);
    await untilCount(page.locator(RECEIVING_ROWS), 0);

    await waitFor(() => hubOnHand(hub, STORE.location, 'SKU-1009') === START_QTY.own + 4, {
      timeoutMs: 15_000,
      message: 'receipt at the hub',
    });
    expect(hubOnHand(hub, STORE.location, 'SKU-1010')).toBe(START_QTY.own + 2);
    expect(appliedCount('GoodsReceived', 'NO-PO-%')).toBe(1);
  });

  it('shortfalls and overages against the delivery note are shown for confirmation', async () => {
    const { page, hub } = env;
    await untilFocused(page, 'receiving-ref');
    // A transfer is matched by its number: the till never makes one up either.
    await page.getByLabel('Incoming transfer').check();
    await page.keyboard.press('F9');
    await untilText(receivingNotice(page), 'Type the transfer number from the delivery note.');
    await page.getByLabel('Purchase order', { exact: true }).check();
    await page.locator('#receiving-ref').fill('PO 7001');
    await page.keyboard.press('F9');
    await untilText(
      receivingNotice(page),
      '"PO 7001" is not a valid number: use letters, digits and - _ . : only, without spaces.',
    );
    await page.locator('#receiving-ref').fill('');
    await untilFocused(page, 'receiving-ref');
    await page.keyboard.type('PO-2026-7001');
    await page.keyboard.press('Enter');
    await untilFocused(page, 'receiving-scan');
    await scan(page, `8*${product('SKU-1011').barcode}`);
    await scan(page, `3*${product('SKU-1012').barcode}`);
    await untilCount(page.locator(RECEIVING_ROWS), 2);
    await page.getByLabel('Expected of SKU-1011').fill('10');
    await page.getByLabel('Expected of SKU-1012').fill('2');
    await untilText(page.getByTestId('diff-SKU-1011'), '-2');

    await page.keyboard.press('Control+Enter');
    await untilText(page.getByTestId('receiving-review-question'), 'Record receipt of 2 lines, 11 units?');
    await untilText(page.getByTestId('receiving-review-against'), 'Purchase order PO-2026-7001');
    await untilText(page.getByTestId('review-diff-SKU-1011'), '-2');
    await untilText(page.getByTestId('review-diff-SKU-1012'), '+1');
    await untilText(
      page.getByTestId('receiving-review-differences'),
      '2 lines differ from what was expected, and will be recorded as received: SKU-1011 expected 10, received 8 (2 short); SKU-1012 expected 2, received 3 (1 over).',
    );
    await screenshot(page, 'receiving-review-differences');

    await page.keyboard.press('Escape');
    await untilCount(page.getByTestId('receiving-review'), 0);
    expect(await page.getByLabel('Expected of SKU-1011').inputValue()).toBe('10');
    expect(await page.locator('#receiving-ref').inputValue()).toBe('PO-2026-7001');

    await page.keyboard.press('Control+Enter');
    await untilText(page.getByTestId('receiving-review-question'), 'Record receipt of 2 lines, 11 units?');
    await page.getByRole('button', { name: /Record receipt/ }).click();
    await untilText(
      receivingNotice(page),
      'Order PO-2026-7001 received: 11 units. Discrepancies: SKU-1011 expected 10, received 8 (2 short); SKU-1012 expected 2, received 3 (1 over).',
    );
    await waitFor(() => hubOnHand(hub, STORE.location, 'SKU-1011') === START_QTY.own + 8, {
      timeoutMs: 15_000,
      message: 'receipt at the hub',
    });
    expect(hubOnHand(hub, STORE.location, 'SKU-1012')).toBe(START_QTY.own + 3);
    expect(appliedCount('GoodsReceived', 'PO-2026-7001')).toBe(1);
  });

  it('a count that zeroes a SKU shows its variance and is recorded only once confirmed', async () => {
    const { page, hub } = env;
    await show(page, 'F6', 'counts');
    await untilFocused(page, 'count-area');
    await page.keyboard.type('Aisle 7');
    await page.keyboard.press('Enter');
    await untilFocused(page, 'count-scan');
    await scanFirst(page, product('SKU-1001').barcode, '[data-screen="counts"] .lines');
    await scan(page, '*0');
    await scan(page, `48*${product('SKU-1002').barcode}`);
    await untilCount(page.locator(COUNT_ROWS), 2);
    // The till knows the store's on-hand (pulled from the hub) before the count is reviewed.
    await untilText(page.locator(COUNT_ROWS).first().locator('td').nth(2), String(START_QTY.own));

    await page.keyboard.press('F9');
    await untilText(page.getByTestId('counts-review-question'), 'Record the count of 2 SKUs in Aisle 7?');
    await untilText(
      page.getByTestId('counts-review-summary'),
      '2 counts differ from what this till knows; the counted quantities become the stock on hand. 1 item is set to none.',
    );
    const zeroed = page.getByTestId('variance-SKU-1001');
    expect(await zeroed.getAttribute('data-zeroed')).toBe('true');
    expect(await zeroed.locator('td').allTextContents()).toEqual([
      'Trail running shoe Set to none',
      'SKU-1001',
      String(START_QTY.own),
      '0',
      `-${START_QTY.own}`,
    ]);
    const other = page.getByTestId('variance-SKU-1002');
    expect(await other.getAttribute('data-zeroed')).toBeNull();
    expect(await other.locator('td').allTextContents()).toEqual([
      'Road running shoe',
      'SKU-1002',
      String(START_QTY.own),
      '48',
      '-2',
    ]);
    await screenshot(page, 'counts-review');

    await page.getByRole('button', { name: /Back to the count/ }).click();
    await untilCount(page.locator(COUNT_ROWS), 2);
    expect(await page.getByLabel('Counted of SKU-1001').inputValue()).toBe('0');
    expect(await page.getByLabel('Counted of SKU-1002').inputValue()).toBe('48');
    expect(await page.locator('#count-area').inputValue()).toBe('Aisle 7');
    expect(appliedCount('CycleCounted', '%')).toBe(0);
    expect(hubOnHand(hub, STORE.location, 'SKU-1001')).toBe(START_QTY.own);

    await page.keyboard.press('F9');
    await untilText(page.getByTestId('counts-review-question'), 'Record the count of 2 SKUs in Aisle 7?');
    await page.getByRole('button', { name: /Record count/ }).click();
    await untilText(countsNotice(page), /^Count CNT-\S+ recorded for 2 SKU\(s\)\.$/);
    await waitFor(() => hubOnHand(hub, STORE.location, 'SKU-1001') === 0, {
      timeoutMs: 15_000,
      message: 'count at the hub',
    });
    expect(hubOnHand(hub, STORE.location, 'SKU-1002')).toBe(48);
    expect(appliedCount('CycleCounted', '%')).toBe(1);
  });

  it('the page logged no errors', () => {
    expect(env.pageErrors()).toEqual([]);
  });
});
