import { eventFactory } from '@stocknerve/domain/testing';
import { ECOMMERCE_TOKEN, natsClient, publishStoreEvents } from '@stocknerve/hub/testing';
import { waitFor } from '@stocknerve/test-harness';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  NEARBY,
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

const placePickup = async (pickupId: string, orderRef: string, customerName: string, sku: string, qty: number) => {
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

const hubPickupStatus = async (pickupId: string): Promise<string> => {
  const res = await fetch(`${env.hub.url}/v1/pickups/${pickupId}`, {
    headers: { Authorization: `Bearer ${ECOMMERCE_TOKEN}` },
  });
  return ((await res.json()) as { status: string }).status;
};

const show = async (page: Page, key: string, screen: string) => {
  await page.keyboard.press(key);
  await waitFor(async () => page.locator(`[data-screen="${screen}"]:not([hidden])`).count(), {
    message: `screen ${screen}`,
  });
};

const OPEN_CARDS = '[aria-label="Open pickup orders"] [data-testid="pickup"]';

describe('the pickups desk: find an order, confirm the hand-over, see what is on its way', () => {
  beforeEach((ctx) => {
    ctx.onTestFailed(async () => {
      console.log(`page errors:\n${env.pageErrors().join('\n')}`);
      await screenshot(env.page, `failed-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}`).catch(() => undefined);
    });
  });

  it('the tab counts open orders; a scanned order number narrows the queue to that order', async () => {
    const { page } = env;
    await untilAttribute(page.getByTestId('sync-badge'), 'data-state', 'online', 20_000);
    await placePickup('pk-desk-1', 'WEB-3001', 'Grace Hopper', 'SKU-1006', 1);
    await placePickup('pk-desk-2', 'WEB-3002', 'Alan Turing', 'SKU-1007', 2);
    const tab = page.locator('#tab-pickups');
    await untilText(tab, /^Pickups \(2\)/, 15_000);

    await show(page, 'F8', 'pickups');
    await untilFocused(page, 'pickups-search');
    const cards = page.locator(OPEN_CARDS);
    await untilCount(cards, 2);

    // A click elsewhere leaves the focus outside the field: the scan still lands in it.
    await page.locator('#pickups-title').click();
    await page.keyboard.type('WEB-3002', { delay: 5 });
    await page.keyboard.press('Enter');
    await untilCount(cards, 1);
    await untilText(cards.first().locator('strong').first(), 'Order WEB-3002');

    // By customer name, any case.
    await page.locator('#pickups-search').fill('grace');
    await untilCount(cards, 1);
    await untilText(cards.first().locator('strong').first(), 'Order WEB-3001');

    await page.locator('#pickups-search').fill('WEB-9999');
    await untilCount(cards, 0);
    await untilText(page.getByTestId('pickups-empty'), 'No open order matches “WEB-9999”.');
    await page.locator('#pickups-search').fill('');
    await untilCount(cards, 2);
  });

  it('hand-over asks for confirmation naming the customer; cancel keeps the order open, confirm completes it', async () => {
    const { page } = env;
    const card = page.locator('[data-pickup="pk-desk-1"]');
    await card.getByRole('button', { name: 'Hand over…' }).click();
    const step = card.getByTestId('handover-confirm');
    await untilText(step.getByTestId('handover-customer'), 'Hand over order WEB-3001 to Grace Hopper?');
    await untilText(step.locator('li').first(), `1 × ${product('SKU-1006').name}`);
    await waitFor(
      async () =>
        await step.getByRole('button', { name: 'Confirm hand-over' }).evaluate((b) => b === document.activeElement),
      {
        message: 'confirm focused',
      },
    );
    await screenshot(page, 'pickups-confirm-handover');

    await step.getByRole('button', { name: 'Cancel' }).click();
    await untilCount(step, 0);
    await untilText(card.getByTestId('pickup-status'), 'To pick');
    expect(await hubPickupStatus('pk-desk-1')).toBe('placed');
    await untilText(page.locator('#tab-pickups'), /^Pickups \(2\)/);

    // Found by its scanned number, Enter puts the cashier on its hand-over; Enter again opens the step.
    await page.locator('#pickups-search').focus();
    await scan(page, 'WEB-3001');
    await waitFor(async () => page.evaluate(() => document.activeElement?.getAttribute('data-testid') === 'handover'), {
      message: 'hand-over button focused',
    });
    await page.keyboard.press('Enter');
    await untilCount(step, 1);
    await waitFor(
      async () => page.evaluate(() => document.activeElement?.getAttribute('data-testid') === 'confirm-handover'),
      {
        message: 'confirm focused',
      },
    );
    await page.keyboard.press('Enter');
    await untilText(page.locator('[data-screen="pickups"] [data-testid="notice"]'), 'Order WEB-3001 handed over.');
    await untilText(page.locator('#tab-pickups'), /^Pickups \(1\)/);
    await untilCount(page.locator(OPEN_CARDS), 1);
    await untilFocused(page, 'pickups-search');
    await waitFor(async () => (await hubPickupStatus('pk-desk-1')) === 'handed-over', {
      timeoutMs: 10_000,
      message: 'pickup handed over at the hub',
    });
    expect(await hubPickupStatus('pk-desk-2')).toBe('placed');
  });

  it('lookup shows units in transit: shipped to this store, and shipped from it to a nearby one', async () => {
    const { page } = env;
    const headlamp = product('SKU-1012');
    const { nc, js } = await natsClient(env.nats);
    const factory = eventFactory({
      location: NEARBY.location,
      node: `${NEARBY.location}-t2`,
      startMs: Date.now(),
      stepMs: 1,
    });
    await publishStoreEvents(js, STORE.region, [
      factory.next({
        type: 'TransferShipped',
        data: { transferId: 'T-DESK-1', to: STORE.location, lines: [{ sku: headlamp.sku, qty: 3 }] },
      }),
    ]);
    await nc.close();

    await show(page, 'F7', 'lookup');
    await untilFocused(page, 'lookup-search');
    await page.keyboard.type('headlamp');
    await page.keyboard.press('Enter');
    await untilText(page.getByTestId('lookup-product'), /Headlamp/);
    await untilText(page.getByTestId('own-in-transit'), '3', 15_000);
    const nearbyRow = page.locator(`[data-testid="nearby"] tr[data-location="${NEARBY.location}"]`);
    await untilText(nearbyRow.getByTestId('nearby-in-transit'), '0');
    await screenshot(page, 'lookup-in-transit');

    // Shipped from this till: in transit towards the nearby store, off this store's shelf.
    await show(page, 'F4', 'transfers');
    await page.locator('#transfer-to').selectOption(NEARBY.location);
    await page.locator('#transfer-scan').focus();
    await scan(page, `2*${headlamp.barcode}`);
    await page.keyboard.press('F9');
    await untilText(page.locator('[data-screen="transfers"] [data-testid="notice"]'), /shipped: 2 units/);
    await show(page, 'F7', 'lookup');
    await untilText(nearbyRow.getByTestId('nearby-in-transit'), '2', 15_000);
    await untilText(page.getByTestId('own-on-hand'), String(START_QTY.own - 2));
    await untilText(page.getByTestId('own-in-transit'), '3');
  });

  it('the page logged no errors', () => {
    expect(env.pageErrors()).toEqual([]);
  });
});
