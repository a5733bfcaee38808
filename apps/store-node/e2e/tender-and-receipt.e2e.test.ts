import { NAMES, storeEventSubject } from '@stocknerve/protocol';
import { waitFor } from '@stocknerve/test-harness';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  hubOnHand,
  product,
  START_QTY,
  STORE,
  type StoreEnv,
  scan,
  screenshot,
  startStoreEnv,
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

const euros = (cents: number) =>
  new Intl.NumberFormat('en-IE', { style: 'currency', currency: 'EUR' }).format(cents / 100);
const notice = (page: Page) => page.locator('[data-screen="sell"] [data-testid="notice"]');
const receipt = (page: Page) => page.getByTestId('receipt-view');

/** Scans until the catalog (pulled by KV) knows the product and a line appears. */
const scanFirst = async (page: Page, code: string) => {
  await page.locator('#sell-scan').focus();
  await waitFor(
    async () => {
      await scan(page, code);
      return (await page.getByTestId('sale-lines').locator('tbody tr:not(.empty)').count()) > 0;
    },
    { timeoutMs: 15_000, intervalMs: 300, message: 'catalog pulled' },
  );
};

/** The last event this till's terminal stored in the hub's stream, as the hub keeps its bytes. */
const lastStoredEvent = async (): Promise<{ type: string; version: number; data: Record<string, unknown> }> => {
  const m = await env.hub.ctx.jsm.streams.getMessage(NAMES.eventStream, {
    last_by_subj: storeEventSubject(STORE.region, STORE.location, STORE.node),
  });
  if (!m) throw new Error('no event of this till in the stream');
  return m.json();
};

describe('store node: paying and the receipt', () => {
  beforeEach((ctx) => {
    ctx.onTestFailed(async () => {
      console.log(`page errors:\n${env.pageErrors().join('\n')}`);
      await screenshot(env.page, `failed-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}`).catch(() => undefined);
    });
  });

  it('a cash sale takes more than due and shows the change, on screen and on the receipt', async () => {
    const { page } = env;
    const shoe = product('SKU-1002');
    await scanFirst(page, shoe.barcode);
    await untilText(page.getByTestId('sale-total'), euros(shoe.priceCents));
    await page.keyboard.press('Control+Enter');
    await untilFocused(page, 'tender-amount');
    expect(await page.locator('#tender-amount').inputValue()).toBe((shoe.priceCents / 100).toFixed(2));
    await untilText(page.getByTestId('tender-due'), euros(shoe.priceCents));
    await page.keyboard.type('100');
    await untilText(page.getByTestId('tender-change'), `Change due ${euros(10_000 - shoe.priceCents)}`);
    await page.keyboard.press('Enter');

    await untilText(notice(page), new RegExp(`Change due ${euros(10_000 - shoe.priceCents).replace('.', '\\.')}`));
    await untilText(page.getByTestId('receipt-id'), `${STORE.node}-000001`);
    await untilText(receipt(page).getByTestId('receipt-tenders'), /Cash\s*given €100\.00/);
    await untilText(receipt(page).getByTestId('receipt-change'), euros(10_000 - shoe.priceCents));
    await untilText(receipt(page), /Road running shoe/);
    await untilFocused(page, 'sell-scan');
    await screenshot(page, 'sell-receipt');
  });

  it('a split sale is recorded only once card and cash cover it; the hub stores the tenders', async () => {
    const { page, hub } = env;
    const socks = product('SKU-1004');
    const cap = product('SKU-1010');
    await scanFirst(page, `2*${socks.barcode}`);
    await scan(page, cap.barcode);
    const total = 2 * socks.priceCents + cap.priceCents;
    await untilText(page.getByTestId('sale-total'), euros(total));
    // The receipt of the last sale gives way to the new one.
    await untilCount(receipt(page), 0);

    await page.keyboard.press('F9');
    await untilFocused(page, 'tender-amount');
    await page.locator('#tender-amount').fill('20');
    await page.getByTestId('tender').getByRole('button', { name: 'Card', exact: true }).click();
    await untilText(page.getByTestId('tender-due'), euros(total - 2000));
    // Nothing recorded yet: the payment does not cover the total.
    expect(await page.getByTestId('receipt-id').count()).toBe(0);
    // A card may not pay more than is due: only cash gives change.
    await page.locator('#tender-amount').fill('100');
    await page.getByTestId('tender').getByRole('button', { name: 'Card', exact: true }).click();
    await untilText(notice(page), /only cash gives change/);
    await page.locator('#tender-amount').fill('50');
    await page.locator('#tender-amount').press('Enter');

    const receiptId = `${STORE.node}-000002`;
    await untilText(page.getByTestId('receipt-id'), receiptId);
    const change = 5000 - (total - 2000);
    await untilText(receipt(page).getByTestId('receipt-tenders'), /Card\s*€20\.00/);
    await untilText(receipt(page).getByTestId('receipt-change'), euros(change));
    await untilText(receipt(page).getByTestId('receipt-total'), euros(total));

    await waitFor(() => hubOnHand(hub, STORE.location, cap.sku) === START_QTY.own - 1, {
      timeoutMs: 20_000,
      message: 'the split sale at the hub',
    });
    const stored = await lastStoredEvent();
    expect(stored).toMatchObject({ type: 'SaleRecorded', version: 2, data: { receiptId, totalCents: total } });
    expect(stored.data.tenders).toEqual([
      { method: 'card', amountCents: 2000 },
      { method: 'cash', amountCents: total - 2000, givenCents: 5000 },
    ]);
  });

  it('reprints the last receipts, and prints the slip alone at 80 mm', async () => {
    const { page } = env;
    await receipt(page).getByRole('button', { name: 'Close' }).click();
    await untilCount(receipt(page), 0);
    await page.getByTestId('last-receipt').click();
    await untilText(page.getByTestId('receipt-id'), `${STORE.node}-000002`);
    await receipt(page).getByRole('button', { name: 'Older' }).click();
    await untilText(page.getByTestId('receipt-id'), `${STORE.node}-000001`);
    expect(await receipt(page).getByRole('button', { name: 'Older' }).isDisabled()).toBe(true);

    await page.evaluate(() => {
      const w = window as unknown as { printed: number };
      w.printed = 0;
      window.print = () => {
        w.printed++;
      };
    });
    await receipt(page).getByRole('button', { name: 'Print' }).click();
    expect(await page.evaluate(() => (window as unknown as { printed: number }).printed)).toBe(1);

    await page.emulateMedia({ media: 'print' });
    try {
      const printed = await page.evaluate(() => {
        const slip = document.querySelector('.receipt-slip') as HTMLElement;
        const mm = slip.getBoundingClientRect().width / (96 / 25.4);
        const visible = (el: Element | null) => (el ? getComputedStyle(el).visibility === 'visible' : false);
        return {
          mm,
          slip: visible(slip),
          total: visible(slip.querySelector('[data-testid="receipt-total"]')),
          scan: visible(document.querySelector('#sell-scan')),
          actions: getComputedStyle(slip.querySelector('.receipt-actions') as Element).display,
        };
      });
      expect(Math.round(printed.mm)).toBe(80);
      expect(printed).toMatchObject({ slip: true, total: true, scan: false, actions: 'none' });
    } finally {
      await page.emulateMedia({ media: 'screen' });
    }
  });

  it('a return shows what is refunded, at the receipt’s prices, and how', async () => {
    const { page } = env;
    const socks = product('SKU-1004');
    await page.keyboard.press('F2');
    await untilFocused(page, 'return-receipt');
    await page.keyboard.type(`${STORE.node}-000002`);
    await page.keyboard.press('Enter');
    await untilText(page.getByTestId('receipt-summary'), /Wool socks \(3 pack\) × 2/);
    await page
      .getByTestId('receipt-summary')
      .getByRole('button', { name: /Wool socks/ })
      .click();
    await untilText(page.getByTestId('refund-total'), euros(2 * socks.priceCents));
    await page.getByLabel('Card', { exact: true }).check();
    await page.keyboard.press('F9');
    await untilText(
      page.locator('[data-screen="returns"] [data-testid="notice"]'),
      new RegExp(`Refund ${euros(2 * socks.priceCents).replace('.', '\\.')} by card\\.`),
    );
    await untilText(page.getByTestId('refund-total'), euros(0));
  });
});
