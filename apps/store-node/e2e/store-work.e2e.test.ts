import { ADMIN_TOKEN, ECOMMERCE_TOKEN, MANAGER_TOKEN } from '@stocknerve/hub/testing';
import { waitFor } from '@stocknerve/test-harness';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  hubNumber,
  hubOnHand,
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

const hubGet = async <T>(path: string, token: string): Promise<T> => {
  const res = await fetch(`${env.hub.url}${path}`, { headers: { Authorization: `Bearer ${token}` } });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
};

const placePickup = async (pickupId: string, orderRef: string, sku: string, qty: number) => {
  const res = await fetch(`${env.hub.url}/v1/pickups`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${ECOMMERCE_TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      pickupId,
      channel: 'web',
      location: STORE.location,
      orderRef,
      customerName: 'Ada Lovelace',
      lines: [{ sku, qty }],
    }),
  });
  expect(res.status, await res.clone().text()).toBe(201);
};

const pickupNotice = (page: Page) => page.locator('[data-screen="pickups"] [data-testid="notice"]');

/** Shows a screen with its function key and waits until its main field has the focus. */
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

describe('store node: first run, pickups, lookup, returns and the other screens', () => {
  beforeEach((ctx) => {
    ctx.onTestFailed(async () => {
      console.log(`page errors:\n${env.pageErrors().join('\n')}`);
      await screenshot(env.page, `failed-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}`).catch(() => undefined);
    });
  });

  it('first run enrolls with the provisioned code: the hub’s identity, no typing', async () => {
    const { page } = env;
    await untilAttribute(page.getByTestId('sync-badge'), 'data-state', 'online', 20_000);
    await untilText(page.getByTestId('store-name'), new RegExp(`${STORE.node}$`));
    await untilFocused(page, 'sell-scan');
  });

  it('pickups: handing over completes the order at the hub; rejecting raises an incident', async () => {
    const { page } = env;
    await placePickup('pk-web-1', 'WEB-1001', 'SKU-1001', 2);
    await placePickup('pk-web-2', 'WEB-1002', 'SKU-1002', 1);
    await show(page, 'F8', 'pickups');
    const cards = page.locator('[aria-label="Open pickup orders"] [data-testid="pickup"]');
    await untilCount(cards, 2, 15_000);
    await screenshot(page, 'pickups', { doc: true });

    const first = page.locator('[data-pickup="pk-web-1"]');
    await first.getByRole('button', { name: 'Mark picked' }).click();
    await untilText(first.getByTestId('pickup-status'), 'Ready for customer');
    await first.getByRole('button', { name: 'Hand over…' }).click();
    await first.getByRole('button', { name: 'Confirm hand-over' }).click();
    await untilText(pickupNotice(page), 'Order WEB-1001 handed over.');
    await waitFor(
      async () => (await hubGet<{ status: string }>('/v1/pickups/pk-web-1', ECOMMERCE_TOKEN)).status === 'handed-over',
      { timeoutMs: 10_000, message: 'pickup handed over at the hub' },
    );
    await waitFor(() => hubOnHand(env.hub, STORE.location, 'SKU-1001') === START_QTY.own - 2, {
      message: 'handed-over units left on hand',
    });

    const second = page.locator('[data-pickup="pk-web-2"]');
    await second.getByRole('button', { name: 'Reject…' }).click();
    await second.getByLabel('Reason').selectOption('item-not-found');
    await second.getByLabel('Note').fill('Shelf empty, last one sold this morning');
    await screenshot(page, 'pickups-reject');
    await second.getByRole('button', { name: 'Confirm rejection' }).click();
    await untilText(pickupNotice(page), 'Order WEB-1002 rejected.');
    const incident = await waitFor(
      async () => {
        const { incidents } = await hubGet<{ incidents: { incidentId: string; kind: string; location: string }[] }>(
          `/v1/incidents?kind=pickup-rejected&location=${STORE.location}`,
          MANAGER_TOKEN,
        );
        return incidents.find((i) => i.incidentId === 'pickup-rejected-pk-web-2');
      },
      { timeoutMs: 10_000, message: 'incident at the hub' },
    );
    expect(incident.kind).toBe('pickup-rejected');
    expect((await hubGet<{ status: string }>('/v1/pickups/pk-web-2', ADMIN_TOKEN)).status).toBe('rejected');
    await untilCount(cards, 0);
    await untilCount(page.locator('[aria-label="Completed pickup orders"] [data-testid="pickup"]'), 2);
    await screenshot(page, 'pickups-done');
  });

  it('lookup shows nearby stores’ stock with its age; a return to damaged changes damaged, not sellable', async () => {
    const { page, hub } = env;
    const boot = product('SKU-1003');
    await show(page, 'F7', 'lookup');
    await untilFocused(page, 'lookup-search');
    await page.keyboard.type('hiking');
    await page.keyboard.press('Enter');
    await untilText(page.getByTestId('lookup-product'), /Hiking boot/);
    await untilText(page.getByTestId('own-on-hand'), String(START_QTY.own));
    const nearbyRow = page.locator(`[data-testid="nearby"] tr[data-location="${NEARBY.location}"]`);
    await untilText(nearbyRow.locator('td').nth(3), String(START_QTY.nearby));
    await untilText(nearbyRow.getByTestId('nearby-age'), /^(just now|\d+ (s|min) ago)$/);
    expect(await page.locator('[data-testid="nearby"] tr[data-location="store-101"]').count()).toBe(0);
    await screenshot(page, 'lookup', { doc: true });

    // Sell one boot, then return two on its receipt (refused), then one, damaged.
    await show(page, 'F1', 'sell');
    await untilFocused(page, 'sell-scan');
    await scan(page, boot.barcode);
    await payByCard(page);
    const receiptId = await untilText(page.getByTestId('receipt-id'), /-000001$/);

    await show(page, 'F2', 'returns');
    await untilFocused(page, 'return-receipt');
    await page.keyboard.type(receiptId);
    await page.keyboard.press('Enter');
    await untilText(page.getByTestId('receipt-summary'), /Hiking boot × 1/);
    await page.getByLabel('Damaged').check();
    await page.locator('#return-scan').focus();
    await scan(page, `2*${boot.barcode}`);
    await page.keyboard.press('F9');
    await untilText(
      page.locator('[data-screen="returns"] [data-testid="notice"]'),
      /^Receipt \S+ sold 1 × SKU-1003 and 0 came back already: 2 more cannot be returned on it\.$/,
    );
    await screenshot(page, 'returns-rejected');
    await untilFocused(page, 'return-scan');
    await scan(page, '*1');
    await page.keyboard.press('F9');
    await untilText(page.locator('[data-screen="returns"] [data-testid="notice"]'), /0 back to shelf, 1 damaged/);
    await screenshot(page, 'returns');

    await waitFor(
      () =>
        hubNumber(hub, 'SELECT damaged AS n FROM stock WHERE location = ? AND sku = ?', STORE.location, boot.sku) === 1,
      { message: 'damaged at the hub' },
    );
    expect(hubOnHand(hub, STORE.location, boot.sku)).toBe(START_QTY.own - 1);
    await show(page, 'F7', 'lookup');
    await untilText(page.getByTestId('own-damaged'), '1');
    await untilText(page.getByTestId('own-on-hand'), String(START_QTY.own - 1));
  });

  it('receiving, transfers, adjustments and counts record their documents', async () => {
    const { page, hub } = env;
    await show(page, 'F3', 'receiving');
    await untilFocused(page, 'receiving-ref');
    await page.keyboard.type('PO-2026-0042');
    await page.keyboard.press('Enter');
    await untilFocused(page, 'receiving-scan');
    await scanFirst(page, `8*${product('SKU-1004').barcode}`, '[data-screen="receiving"] .lines');
    await scan(page, `5*${product('SKU-1005').barcode}`);
    await page.getByLabel('Expected of SKU-1004').fill('10');
    await page.getByLabel('Expected of SKU-1005').fill('5');
    await untilText(page.getByTestId('diff-SKU-1004'), '-2');
    await screenshot(page, 'receiving');
    await page.keyboard.press('Control+Enter');
    await untilText(page.getByTestId('receiving-review-question'), 'Record receipt of 2 lines, 13 units?');
    await page.keyboard.press('Control+Enter');
    await untilText(
      page.locator('[data-screen="receiving"] [data-testid="notice"]'),
      /SKU-1004 expected 10, received 8/,
    );

    await show(page, 'F4', 'transfers');
    await page.locator('#transfer-to').selectOption(NEARBY.location);
    await page.locator('#transfer-scan').focus();
    await scan(page, `3*${product('SKU-1006').barcode}`);
    await screenshot(page, 'transfers');
    await page.keyboard.press('F9');
    await untilText(page.locator('[data-screen="transfers"] [data-testid="notice"]'), /shipped: 3 units/);

    await show(page, 'F5', 'adjust');
    await untilFocused(page, 'adjust-reason');
    await page.locator('#adjust-reason').selectOption('theft');
    await page.locator('#adjust-scan').focus();
    await scan(page, product('SKU-1007').barcode);
    await screenshot(page, 'adjust');
    await page.keyboard.press('F9');
    await untilText(page.locator('[data-screen="adjust"] [data-testid="notice"]'), /\(theft\) recorded/);

    await show(page, 'F6', 'counts');
    await untilFocused(page, 'count-area');
    await page.keyboard.type('Aisle 3, shelf B');
    await page.keyboard.press('Enter');
    await scan(page, `12*${product('SKU-1008').barcode}`);
    await screenshot(page, 'counts');
    await page.keyboard.press('F9');
    await untilText(page.getByTestId('counts-review-question'), 'Record the count of 1 SKU in Aisle 3, shelf B?');
    await page.keyboard.press('F9');
    await untilText(page.locator('[data-screen="counts"] [data-testid="notice"]'), /recorded for 1 SKU/);

    await waitFor(() => hubOnHand(hub, STORE.location, 'SKU-1008') === 12, { message: 'count at the hub' });
    expect(hubOnHand(hub, STORE.location, 'SKU-1004')).toBe(START_QTY.own + 8);
    expect(hubOnHand(hub, STORE.location, 'SKU-1006')).toBe(START_QTY.own - 3);
    expect(hubOnHand(hub, STORE.location, 'SKU-1007')).toBe(START_QTY.own - 1);
    expect(
      hubNumber(hub, 'SELECT in_transit AS n FROM stock WHERE location = ? AND sku = ?', NEARBY.location, 'SKU-1006'),
    ).toBe(3);

    await page.keyboard.press('Alt+0');
    await untilText(page.getByTestId('settings-node'), STORE.node);
    expect(await page.locator('#settings-natsUrl').inputValue()).toBe(env.nats.wsUrl);
    expect(await page.locator('#settings-hubUrl').inputValue()).toBe(env.hub.url);
    await screenshot(page, 'settings');
    await page.keyboard.press('Alt+9');
    await untilAttribute(page.getByTestId('sync-badge'), 'data-pending', '0');
    await screenshot(page, 'sync-panel');
  });

  it('the page logged no errors', () => {
    expect(env.pageErrors()).toEqual([]);
  });
});
