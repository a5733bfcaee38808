import { ADMIN_TOKEN } from '@stocknerve/hub/testing';
import { freePort, waitFor } from '@stocknerve/test-harness';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startStaticServer } from '../server/static-server.js';
import {
  createEnrollmentCode,
  hubOnHand,
  payByCard,
  product,
  revokeTerminal,
  START_QTY,
  STORE,
  type StoreEnv,
  scan,
  screenshot,
  startStoreEnv,
  storedCredentials,
  untilAttribute,
  untilCount,
  untilFocused,
  untilText,
} from './store-env.js';

// The terminal's identity: enrolling at the first-run screen with a one-time code, credentials
// that survive a relaunch, the seed that never leaves the page, and a revocation by the hub.

/** Codes expire this fast here, so that one can expire during the test. */
const CODE_TTL_MS = 6000;

let env: StoreEnv;
/** The code the till enrolled with at first run (spent since). */
let spentCode = '';

beforeAll(async () => {
  // The addresses are provisioned, the code is not: the first-run screen asks for it.
  env = await startStoreEnv({
    provisioning: ({ natsWsUrl, hubUrl }) => ({ natsUrl: natsWsUrl, hubUrl }),
    hub: { enrollmentCodeTtlMs: CODE_TTL_MS },
  });
  await env.launch();
}, 90_000);

afterAll(async () => {
  await env?.dispose();
});

const redeemRequests = () =>
  env.traffic.requests.filter((r) => r.url.endsWith('/v1/enrollments/redeem') && r.method === 'POST');

interface TerminalRecord {
  node: string;
  publicKey: string;
  revokedAt: number | null;
  revokedKeys: Record<string, number>;
}

const terminalAtHub = async (node: string): Promise<TerminalRecord | undefined> => {
  const res = await fetch(`${env.hub.url}/v1/terminals`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
  const { terminals } = (await res.json()) as { terminals: TerminalRecord[] };
  return terminals.find((t) => t.node === node);
};

const enrollError = (page: Page) => page.getByTestId('enroll-error');

/** Types a code into the first-run form and submits it with Enter. */
const submitCode = async (page: Page, code: string) => {
  await page.locator('#enroll-code').fill(code);
  await page.locator('#enroll-code').press('Enter');
};

/** Sells one unit of a product with F9, retrying the first scan until the catalog is pulled. */
const sellOne = async (page: Page, barcode: string, receipt: string) => {
  await page.locator('#sell-scan').focus();
  await waitFor(
    async () => {
      await scan(page, barcode);
      return (await page.getByTestId('sale-lines').locator('tbody tr:not(.empty)').count()) > 0;
    },
    { timeoutMs: 10_000, intervalMs: 300, message: 'catalog pulled' },
  );
  await payByCard(page);
  await untilText(page.getByTestId('receipt-id'), receipt);
};

describe('store node: enrolling with the hub', () => {
  beforeEach((ctx) => {
    ctx.onTestFailed(async () => {
      console.log(`page errors:\n${env.pageErrors().join('\n')}`);
      await screenshot(env.page, `failed-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}`).catch(() => undefined);
    });
  });

  it('first run: a wrong code, an expired code and an unreachable hub say what to do; a valid code enrolls and sells', async () => {
    const { page, hub } = env;
    await page.locator('#enroll-code').waitFor();
    expect(await page.locator('#enroll-hubUrl').inputValue()).toBe(hub.url);
    expect(await page.locator('#enroll-natsUrl').inputValue()).toBe(env.nats.wsUrl);
    await untilFocused(page, 'enroll-code');
    // The terminal's identity is not something the cashier can type.
    await untilCount(page.locator('#enroll-node, #enroll-location, #settings-node'), 0);

    await page.keyboard.press('Enter');
    await untilText(page.locator('#enroll-code-hint'), /enter the enrollment code/);

    await submitCode(page, 'WRONG-CODE1');
    await untilText(enrollError(page), /wrong or was already used.*ask your manager for a new code/);
    await screenshot(page, 'first-run-wrong-code');

    const expired = await createEnrollmentCode(hub);
    await new Promise((r) => setTimeout(r, CODE_TTL_MS + 500));
    await submitCode(page, expired);
    await untilText(enrollError(page), 'This enrollment code has expired: ask your manager for a new code.');

    const code = await createEnrollmentCode(hub);
    const closed = `http://127.0.0.1:${await freePort()}`;
    await page.locator('#enroll-hubUrl').fill(closed);
    await submitCode(page, code);
    await untilText(enrollError(page), new RegExp(`Cannot reach the hub at ${closed}`));
    // Unreachable: the code was not spent, the same one works once the hub URL is right.
    await page.locator('#enroll-hubUrl').fill(hub.url);
    await submitCode(page, code);
    spentCode = code;

    await untilAttribute(page.getByTestId('sync-badge'), 'data-state', 'online', 20_000);
    await untilText(page.getByTestId('store-name'), new RegExp(`${STORE.node}$`));
    await untilFocused(page, 'sell-scan');
    const sku = product(0).sku;
    await sellOne(page, product(0).barcode, `${STORE.node}-000001`);
    await waitFor(() => hubOnHand(hub, STORE.location, sku) === START_QTY.own - 1, {
      timeoutMs: 15_000,
      message: 'the sale at the hub',
    });
    expect((await terminalAtHub(STORE.node))?.revokedAt).toBeNull();
  });

  it('the enrollment request carries only the code and the public key; the seed never leaves the page', async () => {
    const { page } = env;
    const stored = await storedCredentials(page);
    const seed = stored?.credentials.seed ?? '';
    expect(seed).toMatch(/^SU[A-Z2-7]{50,}$/);

    const redeems = redeemRequests();
    // wrong, expired, unreachable, valid (the form itself refused the empty code)
    expect(redeems.length).toBe(4);
    for (const r of redeems) {
      const body = JSON.parse(r.body ?? 'null') as Record<string, string>;
      expect(Object.keys(body).sort()).toEqual(['code', 'publicKey']);
      expect(body.publicKey).toMatch(/^U[A-Z2-7]{55}$/);
    }
    // The key the hub enrolled is the one whose seed the till kept.
    const accepted = JSON.parse(redeems.at(-1)?.body ?? '{}') as { publicKey: string };
    expect((await terminalAtHub(STORE.node))?.publicKey).toBe(accepted.publicKey);

    expect(env.traffic.requests.length).toBeGreaterThan(0);
    expect(env.traffic.framesSent.length).toBeGreaterThan(0);
    for (const r of env.traffic.requests) {
      expect(r.url).not.toContain(seed);
      expect(r.body ?? '').not.toContain(seed);
      expect(JSON.stringify(r.headers)).not.toContain(seed);
    }
    // NATS sees the JWT and a signature of its nonce, never the seed.
    expect(env.traffic.framesSent.some((f) => f.includes(stored?.credentials.jwt ?? '?'))).toBe(true);
    for (const frame of env.traffic.framesSent) expect(frame).not.toContain(seed);
  });

  it('the credentials survive a relaunch: no first-run screen, no new code', async () => {
    const redeemsBefore = redeemRequests().length;
    await env.closeBrowser();
    const page = await env.launch();
    await untilAttribute(page.getByTestId('sync-badge'), 'data-state', 'online', 20_000);
    await untilText(page.getByTestId('store-name'), new RegExp(`${STORE.node}$`));
    expect(await page.locator('#enroll-code').count()).toBe(0);
    expect(redeemRequests().length).toBe(redeemsBefore);
    await sellOne(page, product(1).barcode, `${STORE.node}-000002`);
    await waitFor(() => hubOnHand(env.hub, STORE.location, product(1).sku) === START_QTY.own - 1, {
      timeoutMs: 15_000,
      message: 'the sale after the relaunch at the hub',
    });
  });

  it('revoked by the hub: a banner says so at once, sales stay on the till, enrolling again sends them', async () => {
    const { page, hub } = env;
    const sku = product(2).sku;
    const oldKey = (await terminalAtHub(STORE.node))?.publicKey;
    const revokedAt = Date.now();
    await revokeTerminal(hub);
    const banner = page.getByTestId('access-banner');
    await untilText(
      banner,
      /This till.s access was revoked by the hub\. Sales are still recorded on this till; ask your manager to enroll it again\./,
      60_000,
    );
    console.log(`revocation → banner: ${Date.now() - revokedAt} ms`);
    await untilAttribute(page.getByTestId('sync-badge'), 'data-state', 'offline');
    await screenshot(page, 'revoked');

    await sellOne(page, product(2).barcode, `${STORE.node}-000003`);
    await untilAttribute(page.getByTestId('sync-badge'), 'data-pending', '1');
    await new Promise((r) => setTimeout(r, 3000));
    expect(await page.getByTestId('sync-badge').getAttribute('data-pending')).toBe('1');
    expect(hubOnHand(hub, STORE.location, sku)).toBe(START_QTY.own);

    // Restarted while revoked: the server refuses it at connect, and the till still says why.
    await page.reload();
    await untilText(banner, /access was revoked by the hub/, 20_000);
    await untilAttribute(page.getByTestId('sync-badge'), 'data-pending', '1');
    await page.keyboard.press('Alt+9');
    await untilText(
      page.locator('[data-screen="sync"]'),
      /NATS refused this node.s credentials: Authorization Violation/,
    );

    await banner.getByRole('button', { name: 'Enroll again' }).click();
    await untilFocused(page, 'reenroll-code');
    expect(await page.locator('#reenroll-hubUrl').inputValue()).toBe(hub.url);
    await page.keyboard.type(await createEnrollmentCode(hub));
    await page.keyboard.press('Enter');

    // The page restarts with the new credentials and the same local log.
    await untilAttribute(page.getByTestId('sync-badge'), 'data-state', 'online', 20_000);
    await untilAttribute(page.getByTestId('sync-badge'), 'data-pending', '0', 20_000);
    await untilCount(page.getByTestId('access-banner'), 0);
    await waitFor(() => hubOnHand(hub, STORE.location, sku) === START_QTY.own - 1, {
      timeoutMs: 15_000,
      message: 'the sale recorded while revoked, at the hub',
    });
    const record = await terminalAtHub(STORE.node);
    expect(record?.revokedAt).toBeNull();
    expect(record?.publicKey).not.toBe(oldKey);
    expect(record?.revokedKeys[oldKey ?? '?']).toBeGreaterThan(0);
    await sellOne(page, product(3).barcode, `${STORE.node}-000004`);
  });

  it('a provisioned code that was already used: the first-run screen says so and asks for another', async () => {
    // Another origin is another till as far as IndexedDB goes: one with no credentials yet.
    const other = await startStaticServer({
      dir: env.distDir,
      port: 0,
      provisioning: { natsUrl: env.nats.wsUrl, hubUrl: env.hub.url, enrollmentCode: spentCode },
    });
    const page = await env.page.context().newPage();
    try {
      await page.goto(other.url);
      await untilText(page.getByTestId('enroll-error'), /wrong or was already used/, 15_000);
      expect(await page.locator('#enroll-code').inputValue()).toBe('');
      expect(await page.locator('#enroll-hubUrl').inputValue()).toBe(env.hub.url);
      await untilFocused(page, 'enroll-code');
      expect(await storedCredentials(page)).toBeNull();
    } finally {
      await page.close();
      await other.close();
    }
  });

  it('the page threw no errors', () => {
    // Console errors are expected here (the refused enrollments log their HTTP status).
    expect(env.pageErrors().filter((e) => e.startsWith('pageerror'))).toEqual([]);
  });
});
