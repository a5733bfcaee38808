import { ECOMMERCE_TOKEN } from '@stocknerve/hub/testing';
import { waitFor } from '@stocknerve/test-harness';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  NEARBY,
  payByCard,
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

let env: StoreEnv;

beforeAll(async () => {
  env = await startStoreEnv();
  await env.launch();
}, 90_000);

afterAll(async () => {
  await env?.dispose();
});

const SALE_ROWS = '[data-screen="sell"] [data-testid="sale-lines"] tbody tr:not(.empty)';
const sellNotice = (page: Page) => page.locator('[data-screen="sell"] [data-testid="notice"]');

/** Types a code the way a barcode scanner does (a fast burst of keys, then Enter), wherever the focus is. */
const scannerScan = async (page: Page, code: string) => {
  await page.keyboard.type(code, { delay: 5 });
  await page.keyboard.press('Enter');
};

const show = async (page: Page, key: string, screen: string) => {
  await page.keyboard.press(key);
  await waitFor(async () => page.locator(`[data-screen="${screen}"]:not([hidden])`).count(), {
    message: `screen ${screen}`,
  });
};

const placePickup = async (pickupId: string, orderRef: string, sku: string, qty: number, customerName: string) => {
  const res = await fetch(`${env.hub.url}/v1/pickups`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${ECOMMERCE_TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      pickupId,
      channel: 'web',
      location: STORE.location,
      orderRef,
      customerName,
      lines: [{ sku, qty }],
    }),
  });
  expect(res.status, await res.clone().text()).toBe(201);
};

const tones = (page: Page) =>
  page.evaluate(() => (window as Window & { __stocknerveTones?: number }).__stocknerveTones ?? 0);

describe('the till takes scans and quantities the way cashiers work', () => {
  beforeEach((ctx) => {
    ctx.onTestFailed(async () => {
      console.log(`page errors:\n${env.pageErrors().join('\n')}`);
      await screenshot(env.page, `failed-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}`).catch(() => undefined);
    });
  });

  it('a scan after clicking a line’s ✕ or the page background still adds the line', async () => {
    const { page } = env;
    await untilAttribute(page.getByTestId('sync-badge'), 'data-state', 'online', 20_000);
    await untilFocused(page, 'sell-scan');
    await waitFor(
      async () => {
        await scan(page, product(0).barcode);
        return (await page.locator(SALE_ROWS).count()) > 0;
      },
      { timeoutMs: 10_000, intervalMs: 300, message: 'catalog pulled' },
    );
    await scan(page, product(1).barcode);
    await untilCount(page.locator(SALE_ROWS), 2);

    await page.getByRole('button', { name: `Remove ${product(0).sku}` }).click();
    await untilCount(page.locator(SALE_ROWS), 1);
    await scannerScan(page, product(2).barcode);
    await untilCount(page.locator(SALE_ROWS), 2);

    await page.locator('#sell-title').click();
    await scannerScan(page, product(3).barcode);
    await untilCount(page.locator(SALE_ROWS), 3);

    await page.getByRole('tab', { name: /Sell/ }).click();
    await scannerScan(page, product(4).barcode);
    await untilCount(page.locator(SALE_ROWS), 4);
    await untilText(page.locator(SALE_ROWS).last().locator('td').nth(1), product(4).sku);
  });

  it('an unknown scan flashes the field and beeps', async () => {
    const { page } = env;
    const before = await tones(page);
    await page.locator('#sell-title').click();
    await scannerScan(page, '0000000000000');
    await untilAttribute(page.locator('[data-screen="sell"] .scan-field'), 'data-refused', 'true', 3000);
    await untilText(sellNotice(page), /0000000000000/);
    expect(await tones(page)).toBe(before + 1);
    expect(await page.locator(SALE_ROWS).count()).toBe(4);
  });

  it('Transfers opens with nothing focused, or on its destination list, and still takes a scan', async () => {
    const { page } = env;
    await show(page, 'F4', 'transfers');
    await page.locator('#transfer-to').selectOption(NEARBY.location);
    await page.locator('#transfers-title').click();
    await scannerScan(page, product(5).barcode);
    await untilCount(page.locator('[data-screen="transfers"] table.lines tbody tr:not(.empty)'), 1);

    await page.locator('#transfer-to').focus();
    await scannerScan(page, product(6).barcode);
    await untilCount(page.locator('[data-screen="transfers"] table.lines tbody tr:not(.empty)'), 2);
    expect(await page.locator('#transfer-to').inputValue()).toBe(NEARBY.location);
    await show(page, 'F1', 'sell');
  });

  it('a quantity that is not whole units reverts to the recorded one with a message', async () => {
    const { page } = env;
    const last = page.locator(SALE_ROWS).last();
    const qty = last.getByLabel(/^Quantity of /);
    const total = await page.getByTestId('sale-total').textContent();
    for (const text of ['abc', '', '-2', '1.5']) {
      await qty.fill(text);
      await qty.press('Enter');
      await untilText(last.getByTestId('qty-message'), /quantit|whole units/i);
      expect(await qty.inputValue()).toBe('1');
      expect(await page.getByTestId('sale-total').textContent()).toBe(total);
    }
    await qty.fill('3');
    await qty.press('Enter');
    expect(await qty.inputValue()).toBe('3');
    await untilCount(last.getByTestId('qty-message'), 0);
    expect(await page.getByTestId('sale-total').textContent()).not.toBe(total);
  });

  it('0 in a quantity removes the line, with an undo', async () => {
    const { page } = env;
    const rows = page.locator(SALE_ROWS);
    const before = await rows.count();
    const sku = (await rows.last().locator('td').nth(1).textContent()) ?? '';
    await rows
      .last()
      .getByLabel(/^Quantity of /)
      .fill('0');
    await page.keyboard.press('Enter');
    await untilCount(rows, before - 1);
    const undo = page.locator('[data-screen="sell"] [data-testid="undo-removal"]');
    await untilText(undo, new RegExp(sku));
    await undo.getByRole('button', { name: 'Undo' }).click();
    await untilCount(rows, before);
    await untilText(rows.last().locator('td').nth(1), sku);
    expect(
      await rows
        .last()
        .getByLabel(/^Quantity of /)
        .inputValue(),
    ).toBe('3');
  });

  it('0*CODE adds nothing, *0 removes the last line with an undo, 99999*CODE asks first', async () => {
    const { page } = env;
    const rows = page.locator(SALE_ROWS);
    const before = await rows.count();
    await page.locator('#sell-title').click();
    await scannerScan(page, `0*${product(6).barcode}`);
    await untilText(sellNotice(page), /adds nothing/);
    expect(await rows.count()).toBe(before);

    await scannerScan(page, '*0');
    await untilCount(rows, before - 1);
    await untilCount(page.locator('[data-screen="sell"] [data-testid="undo-removal"]'), 1);
    await page
      .locator('[data-screen="sell"] [data-testid="undo-removal"]')
      .getByRole('button', { name: 'Undo' })
      .click();
    await untilCount(rows, before);

    const questions: string[] = [];
    page.once('dialog', (d) => {
      questions.push(d.message());
      void d.dismiss();
    });
    await scannerScan(page, `99999*${product(7).barcode}`);
    await waitFor(() => questions.length === 1, { message: 'confirmation asked' });
    expect(questions[0]).toMatch(/99999/);
    expect(await rows.count()).toBe(before);

    page.once('dialog', (d) => void d.accept());
    await scannerScan(page, `150*${product(7).barcode}`);
    await untilCount(rows, before + 1);
    expect(
      await rows
        .last()
        .getByLabel(/^Quantity of /)
        .inputValue(),
    ).toBe('150');
  });

  it('refusals read as sentences, without internal codes', async () => {
    const { page } = env;
    const rows = page.locator(SALE_ROWS);
    await page.locator('#sell-title').click();
    await scannerScan(page, 'NO-SUCH-ITEM');
    await untilText(sellNotice(page), 'No product with barcode or SKU "NO-SUCH-ITEM".');

    await scannerScan(page, product(8).barcode);
    await untilText(rows.last().locator('td').nth(1), product(8).sku);
    page.once('dialog', (d) => void d.accept());
    await rows
      .last()
      .getByLabel(/^Quantity of /)
      .fill('2000000');
    await rows
      .last()
      .getByLabel(/^Quantity of /)
      .press('Enter');
    expect(
      await rows
        .last()
        .getByLabel(/^Quantity of /)
        .inputValue(),
    ).toBe('2000000');
    await page.keyboard.press('F9');
    const text = await untilText(sellNotice(page), /^Some entries are not valid \(line \d+: quantity\)/);
    expect(text).not.toMatch(/Invalid|lines\.\d|qty/);
    expect(await sellNotice(page).getAttribute('data-code')).toBe('Invalid');
    await page.getByRole('button', { name: `Remove ${product(8).sku}` }).click();
    await untilCount(page.getByRole('button', { name: `Remove ${product(8).sku}` }), 0);
  });

  it('selling units held for a pickup warns naming the order, never blocks; the pickup card shows the shortage', async () => {
    const { page } = env;
    await payByCard(page);
    await untilText(sellNotice(page), /^Sale complete/);
    const held = product(9);
    await placePickup('pk-hold-1', 'WEB-2001', held.sku, START_QTY.own - 1, 'Jane D.');
    await show(page, 'F8', 'pickups');
    const card = page.locator('[data-pickup="pk-hold-1"]');
    await untilCount(card, 1, 15_000);
    expect(await card.getByTestId('pickup-shortage').count()).toBe(0);

    await show(page, 'F1', 'sell');
    await scannerScan(page, `2*${held.barcode}`);
    const warning = page.locator(SALE_ROWS).last().getByTestId('stock-warning');
    await untilText(warning, '1 of these is held for pickup order WEB-2001 (Jane D.).');
    await screenshot(page, 'sell-held-for-pickup');
    await payByCard(page);
    await untilText(sellNotice(page), /^Sale complete/);

    await show(page, 'F8', 'pickups');
    await untilText(
      card.getByTestId('pickup-shortage'),
      new RegExp(`^Short: 1 × ${held.sku} \\(${START_QTY.own - 2} on hand\\)`),
    );
    await screenshot(page, 'pickup-shortage');
  });

  it('selling more than the known on-hand warns and still sells', async () => {
    const { page } = env;
    await show(page, 'F1', 'sell');
    const item = product(10);
    await scannerScan(page, `60*${item.barcode}`);
    await untilText(
      page.locator(SALE_ROWS).last().getByTestId('stock-warning'),
      `Only ${START_QTY.own} on hand here: check the shelf count after this sale.`,
    );
    await payByCard(page);
    await untilText(sellNotice(page), /^Sale complete/);
  });

  it('the per-line limit is set in Settings and asks above it', async () => {
    const { page } = env;
    await show(page, 'Alt+0', 'settings');
    const field = page.locator('#line-limit-maxLineQty');
    expect(await field.inputValue()).toBe('99');
    await field.fill('abc');
    await page.getByTestId('line-limit-form').getByRole('button', { name: 'Save and restart' }).click();
    await untilText(page.locator('#line-limit-maxLineQty-hint'), /whole number/);
    await field.fill('5');
    await Promise.all([
      page.waitForEvent('load'),
      page.getByTestId('line-limit-form').getByRole('button', { name: 'Save and restart' }).click(),
    ]);
    await show(page, 'F1', 'sell');
    const rows = page.locator(SALE_ROWS);
    const before = await rows.count();
    const questions: string[] = [];
    page.once('dialog', (d) => {
      questions.push(d.message());
      void d.dismiss();
    });
    await page.locator('#sell-title').click();
    await scannerScan(page, `6*${product(8).barcode}`);
    await waitFor(() => questions.length === 1, { message: 'a line of 6 asks when the limit is 5' });
    expect(await rows.count()).toBe(before);
    await scannerScan(page, `5*${product(8).barcode}`);
    await untilCount(rows, before + 1);
  });

  it('the page logged no errors', () => {
    expect(env.pageErrors()).toEqual([]);
  });

  it('a healthy idle till reads Up to date; the browser going offline reads Offline', async () => {
    const { page } = env;
    const badge = page.getByTestId('sync-badge');
    await untilAttribute(badge, 'data-pending', '0', 15_000);
    await untilText(page.getByTestId('sync-waiting'), 'Up to date');
    expect(await page.getByTestId('sync-contact').count()).toBe(0);
    await page.context().setOffline(true);
    try {
      await untilAttribute(badge, 'data-state', 'offline', 3000);
      await untilText(page.getByTestId('sync-contact'), /^hub /);
    } finally {
      await page.context().setOffline(false);
    }
    await untilAttribute(badge, 'data-state', 'online', 15_000);
  });
});
