import { ECOMMERCE_TOKEN } from '@stocknerve/hub/testing';
import { waitFor } from '@stocknerve/test-harness';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  hubNumber,
  hubOnHand,
  PRODUCTS,
  payByCard,
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

const badge = () => env.page.getByTestId('sync-badge');
const waitOnline = () =>
  waitFor(async () => (await badge().getAttribute('data-state')) === 'online', {
    timeoutMs: 20_000,
    message: 'online badge',
  });
const waitCatalog = () =>
  waitFor(async () => await env.page.evaluate(() => document.querySelector('#sell-scan') !== null), {
    message: 'sell screen',
  });

describe('store node: selling and syncing', () => {
  beforeEach((ctx) => {
    ctx.onTestFailed(async () => {
      console.log(`page errors:\n${env.pageErrors().join('\n')}`);
      await screenshot(env.page, `failed-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}`).catch(() => undefined);
    });
  });

  it('enrolls with the provisioned code, without typing, and shows the sell screen online', async () => {
    const { page } = env;
    await waitCatalog();
    await waitOnline();
    await untilText(page.getByTestId('store-name'), new RegExp(STORE.node));
    await untilFocused(page, 'sell-scan');
  });

  it('a sale online reaches the hub’s availability API within seconds', async () => {
    const { page, hub } = env;
    const p = product(0);
    // The catalog arrives by KV pull: retry the scan until the product is known.
    await waitFor(
      async () => {
        await scan(page, p.barcode);
        return (await page.getByTestId('sale-lines').locator('tbody tr:not(.empty)').count()) > 0;
      },
      { timeoutMs: 10_000, intervalMs: 300, message: 'catalog pulled' },
    );
    await scan(page, '*2');
    await untilText(page.getByTestId('sale-total'), '€179.98');
    const started = Date.now();
    await payByCard(page);
    await untilText(page.getByTestId('receipt-id'), `${STORE.node}-000001`);
    await untilFocused(page, 'sell-scan');
    const onHand = await waitFor(
      async () => {
        const res = await fetch(`${hub.url}/v1/availability/${p.sku}`, {
          headers: { Authorization: `Bearer ${ECOMMERCE_TOKEN}` },
        });
        const body = (await res.json()) as { locations: { location: string; onHand: number }[] };
        const own = body.locations.find((l) => l.location === STORE.location);
        return own?.onHand === START_QTY.own - 2 ? own.onHand : null;
      },
      { timeoutMs: 10_000, intervalMs: 100, message: 'availability API shows the sale' },
    );
    expect(onHand).toBe(START_QTY.own - 2);
    console.log(`sale → hub availability: ${Date.now() - started} ms`);
    await waitFor(async () => (await badge().getAttribute('data-pending')) === '0', { message: 'synced' });
    await screenshot(page, 'sell-after-sale');
  });

  it('a sale of 10 lines, keyboard only', async () => {
    const { page, hub } = env;
    await page.locator('#sell-scan').focus();
    // Ten products by barcode or SKU, with the quantity tricks a cashier uses.
    await scan(page, product(1).barcode);
    await scan(page, `3*${product(2).barcode}`);
    await scan(page, product(3).sku.toLowerCase());
    await scan(page, product(4).barcode);
    await scan(page, '*4');
    await scan(page, product(5).barcode);
    await scan(page, product(11).barcode); // a mistake...
    await page.keyboard.press('Backspace'); // ...removed with Backspace in the empty field
    await scan(page, product(6).barcode);
    await scan(page, product(6).barcode); // scanned twice: one line, qty 2
    await scan(page, product(7).barcode);
    await scan(page, product(8).barcode);
    await scan(page, product(9).barcode);
    await scan(page, product(10).barcode);
    await scan(page, 'NOPE-404');
    await untilText(page.locator('[data-screen="sell"] [data-testid="notice"]'), /NOPE-404/);
    const rows = page.getByTestId('sale-lines').locator('tbody tr:not(.empty)');
    await untilCount(rows, 10);
    // Tab into the first line's quantity, type 2, Enter: back in the scan field.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(
      `Quantity of ${product(1).sku}`,
    );
    await page.keyboard.press('Control+A');
    await page.keyboard.type('2');
    await page.keyboard.press('Enter');
    await untilFocused(page, 'sell-scan');
    const qty: Record<string, number> = {
      [product(1).sku]: 2,
      [product(2).sku]: 3,
      [product(3).sku]: 1,
      [product(4).sku]: 4,
      [product(5).sku]: 1,
      [product(6).sku]: 2,
      [product(7).sku]: 1,
      [product(8).sku]: 1,
      [product(9).sku]: 1,
      [product(10).sku]: 1,
    };
    const total = PRODUCTS.reduce((s, p) => s + (qty[p.sku] ?? 0) * p.priceCents, 0);
    await untilText(
      page.getByTestId('sale-total'),
      new Intl.NumberFormat('en-IE', { style: 'currency', currency: 'EUR' }).format(total / 100),
    );
    await screenshot(page, 'sell', { doc: true });
    await payByCard(page);
    await untilText(page.getByTestId('receipt-id'), `${STORE.node}-000002`);
    await untilCount(rows, 0);
    await untilFocused(page, 'sell-scan');
    await waitFor(() => hubOnHand(hub, STORE.location, product(4).sku) === START_QTY.own - 4, {
      message: 'the 10-line sale at the hub',
    });
    for (const [sku, q] of Object.entries(qty)) expect(hubOnHand(hub, STORE.location, sku)).toBe(START_QTY.own - q);
  });

  it('20 sales offline survive a browser crash and restart, then reach the hub exactly once', async () => {
    const { page, hub, nats } = env;
    const before = hubNumber(hub, 'SELECT COUNT(*) AS n FROM applied_events WHERE node = ?', STORE.node);
    const sku = product(11).sku;
    await nats.stop();
    await waitFor(async () => (await badge().getAttribute('data-state')) === 'offline', { message: 'offline badge' });
    const started = Date.now();
    await page.locator('#sell-scan').focus();
    for (let i = 0; i < 20; i++) {
      await scan(page, product(11).barcode);
      await payByCard(page);
      await untilText(page.getByTestId('receipt-id'), `${STORE.node}-${String(3 + i).padStart(6, '0')}`);
    }
    console.log(`20 offline sales: ${Date.now() - started} ms`);
    await untilText(page.getByTestId('sync-waiting'), /20 waiting/);
    await screenshot(page, 'sell-offline', { doc: true });

    // The till crashes right after the last receipt was shown (SIGKILL: no unload, no flush), and
    // comes back on the same profile.
    await env.crashBrowser();
    const again = await env.launch();
    await untilText(again.getByTestId('sync-waiting'), /20 waiting/, 15_000);
    expect(await again.getByTestId('sync-badge').getAttribute('data-state')).toBe('offline');
    await untilText(again.getByTestId('sync-waiting'), /oldest/);

    await nats.restart();
    await waitFor(async () => (await again.getByTestId('sync-badge').getAttribute('data-pending')) === '0', {
      timeoutMs: 30_000,
      message: 'all 20 acknowledged',
    });
    await untilText(again.getByTestId('sync-waiting'), 'Up to date');
    await waitFor(() => hubOnHand(hub, STORE.location, sku) === START_QTY.own - 20, {
      timeoutMs: 15_000,
      message: 'hub applied the 20 sales',
    });
    const applied = hubNumber(hub, 'SELECT COUNT(*) AS n FROM applied_events WHERE node = ?', STORE.node);
    expect(applied - before).toBe(20);
    expect(hubNumber(hub, 'SELECT MAX(seq) AS n FROM applied_events WHERE node = ?', STORE.node)).toBe(applied);
    const sold = hubNumber(
      hub,
      "SELECT COUNT(*) AS n FROM applied_events WHERE node = ? AND type = 'SaleRecorded'",
      STORE.node,
    );
    expect(sold).toBe(22);

    await again.keyboard.press('Alt+9');
    await untilCount(again.getByTestId('sync-events').locator('tbody tr[data-state="pending"]'), 0);
    await untilCount(again.getByTestId('sync-events').locator('tbody tr[data-state="applied"]'), 22, 15_000);
    await screenshot(again, 'sync', { doc: true });
  });
});
