import { execFileSync } from 'node:child_process';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { DecidedEvent } from '@stocknerve/domain';
import { eventFactory } from '@stocknerve/domain/testing';
import type { HubHandle } from '@stocknerve/hub';
import { ADMIN_TOKEN, natsClient, publishStoreEvents, recordHubFacts, startTestHub } from '@stocknerve/hub/testing';
import {
  chromiumLaunchOptions,
  freePort,
  makeTempDir,
  type NatsServerProcess,
  removeTempDir,
  startNatsServer,
  waitFor,
} from '@stocknerve/test-harness';
import { type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { type StaticServer, startStaticServer } from '../server/static-server.js';
import type { Provisioning } from '../shared/provisioning.js';

export const APP_DIR = join(import.meta.dirname, '..');
const REPO_DIR = join(APP_DIR, '..', '..');
const SCREENSHOTS = join(APP_DIR, 'test-results', 'screenshots');

/** The store under test, its terminal, and a nearby store of the same region. */
export const STORE = { location: 'store-001', region: 'north', node: 'store-001-t1' } as const;
export const NEARBY = { location: 'store-002', name: 'Lille Euralille' } as const;

/** A few products (from the demo catalog's shape) with EAN-13 barcodes. */
export const PRODUCTS = [
  ['SKU-1001', 'Trail running shoe', 8999, '3760001000011'],
  ['SKU-1002', 'Road running shoe', 7999, '3760001000028'],
  ['SKU-1003', 'Hiking boot', 11999, '3760001000035'],
  ['SKU-1004', 'Wool socks (3 pack)', 1499, '3760001000042'],
  ['SKU-1005', 'Rain jacket', 6999, '3760001000059'],
  ['SKU-1006', 'Down jacket', 14999, '3760001000066'],
  ['SKU-1007', 'Fleece pullover', 3999, '3760001000073'],
  ['SKU-1008', 'Merino base layer', 4999, '3760001000080'],
  ['SKU-1009', 'Running tights', 3499, '3760001000097'],
  ['SKU-1010', 'Cap', 1299, '3760001000103'],
  ['SKU-1011', 'Daypack 20 L', 4499, '3760001000110'],
  ['SKU-1012', 'Headlamp', 2999, '3760001000127'],
].map(([sku, name, priceCents, barcode]) => ({
  sku: String(sku),
  name: String(name),
  priceCents: Number(priceCents),
  barcode: String(barcode),
}));

export type Product = (typeof PRODUCTS)[number];

/** A test product by position in PRODUCTS or by SKU (throws when there is none: a test bug). */
export const product = (which: number | string): Product => {
  const p = typeof which === 'number' ? PRODUCTS[which] : PRODUCTS.find((x) => x.sku === which);
  if (!p) throw new Error(`no test product ${which}`);
  return p;
};

/** Starting stock: this store and the nearby one, received on back-office terminals. */
export const START_QTY = { own: 50, nearby: 7 } as const;

/** An HTTP request the page made (the Electron-less till talks to the hub only for enrollment). */
export interface SeenRequest {
  readonly url: string;
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | null;
}

/** What the store node sent since the env started: HTTP requests and WebSocket frames (NATS). */
export interface Traffic {
  readonly requests: SeenRequest[];
  readonly framesSent: string[];
}

export interface StoreEnv {
  readonly nats: NatsServerProcess;
  readonly hub: HubHandle;
  readonly server: StaticServer;
  /** The built renderer the server serves (another server may serve it on another origin). */
  readonly distDir: string;
  readonly page: Page;
  /** Everything the page sent, across launches. */
  readonly traffic: Traffic;
  /** Opens the browser on the persistent profile (again) and loads the store node. */
  launch(): Promise<Page>;
  /** Closes the browser (the profile stays). */
  closeBrowser(): Promise<void>;
  /** Kills the browser with SIGKILL, as a crash or a power cut of the till would stop it. */
  crashBrowser(): Promise<void>;
  /** Errors the page logged so far (shown when a test fails). */
  pageErrors(): string[];
  dispose(): Promise<void>;
}

/** Builds the renderer once into a temp dir (each test file its own: they may run in parallel). */
const buildRenderer = async (): Promise<string> => {
  const outDir = await makeTempDir('stocknerve-store-dist');
  const { build } = await import('vite');
  await build({ root: APP_DIR, configFile: join(APP_DIR, 'vite.config.ts'), logLevel: 'warn', build: { outDir } });
  return outDir;
};

/** Reads one number from the hub's SQL views. */
export const hubNumber = (hub: HubHandle, sql: string, ...params: (string | number)[]): number => {
  const row = hub.ctx.store.get<{ n: number }>(sql, ...params);
  return Number(row?.n ?? Number.NaN);
};

export const hubOnHand = (hub: HubHandle, location: string, sku: string): number =>
  hubNumber(hub, 'SELECT on_hand AS n FROM stock WHERE location = ? AND sku = ?', location, sku);

const adminPost = async (hub: HubHandle, path: string, body: unknown): Promise<Response> => {
  const res = await fetch(`${hub.url}${path}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res;
};

/** A one-time enrollment code for a terminal, created as an admin does (POST /v1/enrollments). */
export const createEnrollmentCode = async (
  hub: HubHandle,
  target: { location: string; node: string } = STORE,
): Promise<string> => {
  const res = await adminPost(hub, '/v1/enrollments', { location: target.location, node: target.node });
  return ((await res.json()) as { code: string }).code;
};

/** Revokes a terminal as an admin does (POST /v1/terminals/:node/revoke). */
export const revokeTerminal = async (hub: HubHandle, node: string = STORE.node): Promise<void> => {
  await adminPost(hub, `/v1/terminals/${encodeURIComponent(node)}/revoke`, {});
};

/** What a test may provision the terminal with. */
export interface ProvisioningContext {
  readonly natsWsUrl: string;
  readonly hubUrl: string;
  readonly hub: HubHandle;
}

/** The text the till keeps in IndexedDB (browser mode: no Electron bridge), parsed; null if none. */
export const storedCredentials = (page: Page) =>
  page.evaluate(async () => {
    const name = 'stocknerve.terminal-credentials';
    // Opening a database that does not exist would create it, empty, under the app's feet.
    if (!(await indexedDB.databases()).some((d) => d.name === name)) return null;
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open(name);
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    try {
      const text = await new Promise<unknown>((resolve, reject) => {
        const get = db.transaction('credentials').objectStore('credentials').get('terminal');
        get.onsuccess = () => resolve(get.result);
        get.onerror = () => reject(get.error);
      });
      return typeof text === 'string'
        ? (JSON.parse(text) as { credentials: { seed: string; jwt: string; identity: { node: string } } })
        : null;
    } finally {
      db.close();
    }
  });

/**
 * A real nats-server (operator mode, with websocket), the real hub with master data and starting
 * stock, the built renderer on a static server (fixed port for the life of the env: IndexedDB is
 * per origin), and headless Chromium on a persistent profile. By default the terminal is
 * provisioned as `npm start` does it: NATS and hub URLs and a fresh enrollment code for STORE, so
 * it enrolls by itself at first run.
 */
export const startStoreEnv = async (
  options: {
    provisioning?: (ctx: ProvisioningContext) => Provisioning | Promise<Provisioning>;
    /** Hub settings for this env (e.g. a short `enrollmentCodeTtlMs`). */
    hub?: Parameters<typeof startTestHub>[1];
  } = {},
): Promise<StoreEnv> => {
  const [nats, dist, profileDir] = await Promise.all([
    startNatsServer(),
    buildRenderer(),
    makeTempDir('stocknerve-chromium-profile'),
  ]);
  const hub = await startTestHub(nats, options.hub);
  const facts: DecidedEvent[] = [
    {
      type: 'LocationDefined',
      data: { location: STORE.location, region: STORE.region, kind: 'store', name: 'Lille Centre' },
    },
    {
      type: 'LocationDefined',
      data: { location: NEARBY.location, region: STORE.region, kind: 'store', name: NEARBY.name },
    },
    {
      type: 'LocationDefined',
      data: { location: 'store-101', region: 'south', kind: 'store', name: 'Lyon Part-Dieu' },
    },
    ...PRODUCTS.map(
      (p): DecidedEvent => ({ type: 'CatalogItemUpserted', data: { ...p, currency: 'EUR', category: 'outdoor' } }),
    ),
  ];
  await recordHubFacts(hub, facts);
  const { nc, js } = await natsClient(nats);
  const receive = (location: string, node: string, qty: number) => {
    const factory = eventFactory({ location, node, startMs: Date.now() - 60_000, stepMs: 1 });
    return factory.next({
      type: 'GoodsReceived',
      data: { purchaseOrderId: `po-start-${location}`, lines: PRODUCTS.map((p) => ({ sku: p.sku, qty })) },
    });
  };
  await publishStoreEvents(js, STORE.region, [
    receive(STORE.location, `${STORE.location}-backoffice`, START_QTY.own),
    receive(NEARBY.location, `${NEARBY.location}-t1`, START_QTY.nearby),
  ]);
  await nc.close();
  await waitFor(() => hubOnHand(hub, NEARBY.location, 'SKU-1012') === START_QTY.nearby, {
    message: 'starting stock at the hub',
  });

  const port = await freePort();
  const ctx: ProvisioningContext = { natsWsUrl: nats.wsUrl, hubUrl: hub.url, hub };
  const provisioning = options.provisioning
    ? await options.provisioning(ctx)
    : { natsUrl: nats.wsUrl, hubUrl: hub.url, enrollmentCode: await createEnrollmentCode(hub) };
  const server = await startStaticServer({ dir: dist, port, provisioning });
  let context: BrowserContext | undefined;
  let page: Page | undefined;
  const errors: string[] = [];
  const traffic: Traffic = { requests: [], framesSent: [] };

  const env: StoreEnv = {
    nats,
    hub,
    server,
    distDir: dist,
    traffic,
    get page() {
      if (!page) throw new Error('browser not launched');
      return page;
    },
    launch: async () => {
      context = await chromium.launchPersistentContext(profileDir, {
        ...chromiumLaunchOptions(),
        viewport: { width: 1280, height: 800 },
      });
      context.on('request', (r) =>
        traffic.requests.push({ url: r.url(), method: r.method(), headers: r.headers(), body: r.postData() }),
      );
      page = context.pages()[0] ?? (await context.newPage());
      page.on('websocket', (ws) =>
        ws.on('framesent', (f) =>
          traffic.framesSent.push(typeof f.payload === 'string' ? f.payload : f.payload.toString('latin1')),
        ),
      );
      page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(`console: ${m.text()} ${JSON.stringify(m.location())}`);
      });
      await page.goto(server.url);
      return page;
    },
    closeBrowser: async () => {
      await context?.close();
      context = undefined;
      page = undefined;
    },
    crashBrowser: async () => {
      // Chromium's main process is a child of this test process; its helpers exit with it.
      const children = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' });
      const pids = children
        .split('\n')
        .filter((line) => line.includes(profileDir))
        .map((line) => Number(line.trim().split(/\s+/)[0]));
      if (pids.length === 0) throw new Error('no browser process to crash');
      for (const pid of pids) process.kill(pid, 'SIGKILL');
      await waitFor(
        () =>
          pids.every((pid) => {
            try {
              process.kill(pid, 0);
              return false;
            } catch {
              return true;
            }
          }),
        { message: 'browser gone' },
      );
      const crashed = context;
      context = undefined;
      page = undefined;
      await crashed?.close().catch(() => undefined);
    },
    pageErrors: () => [...errors],
    dispose: async () => {
      await context?.close().catch(() => undefined);
      await server.close();
      await hub.close();
      await nats.dispose();
      await removeTempDir(profileDir);
      await removeTempDir(dist);
    },
  };
  return env;
};

/**
 * Saves a screenshot of the page as test-results/screenshots/<name>.png; with `doc`, and when
 * UPDATE_SCREENSHOTS=1, also as docs/screenshots/store-node-<name>.png (committed).
 */
export const screenshot = async (page: Page, name: string, options: { doc?: boolean } = {}): Promise<void> => {
  await mkdir(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path });
  if (options.doc && process.env.UPDATE_SCREENSHOTS === '1') {
    const docs = join(REPO_DIR, 'docs', 'screenshots');
    await mkdir(docs, { recursive: true });
    await copyFile(path, join(docs, `store-node-${name}.png`));
  }
};

/** Scans a code into the focused scan field the way a scanner does: characters, then Enter. */
export const scan = async (page: Page, code: string): Promise<void> => {
  await page.keyboard.type(code);
  await page.keyboard.press('Enter');
};

// playwright-core has no `expect`: small polling checks on top of the harness's waitFor.

/** Waits until the locator's text equals (string) or matches (RegExp) the expectation. */
export const untilText = async (locator: Locator, expected: string | RegExp, timeoutMs = 10_000): Promise<string> => {
  let last = '';
  try {
    return await waitFor(
      async () => {
        last = (await locator.textContent({ timeout: 1000 }))?.trim() ?? '';
        return (typeof expected === 'string' ? last === expected : expected.test(last)) ? last || ' ' : null;
      },
      { timeoutMs, intervalMs: 50 },
    );
  } catch {
    throw new Error(`expected ${locator} to have text ${String(expected)}, last seen "${last}"`);
  }
};

/** Waits until the locator matches exactly `n` elements. */
export const untilCount = async (locator: Locator, n: number, timeoutMs = 10_000): Promise<void> => {
  let last = -1;
  try {
    await waitFor(
      async () => {
        last = await locator.count();
        return last === n;
      },
      { timeoutMs, intervalMs: 50 },
    );
  } catch {
    throw new Error(`expected ${locator} to match ${n} elements, last seen ${last}`);
  }
};

/** Waits until the element with this id has the keyboard focus. */
export const untilFocused = async (page: Page, id: string, timeoutMs = 5000): Promise<void> => {
  let last: string | undefined;
  try {
    await waitFor(
      async () => {
        last = await page.evaluate(() => document.activeElement?.id);
        return last === id;
      },
      { timeoutMs, intervalMs: 50 },
    );
  } catch {
    throw new Error(`expected #${id} to be focused, focus is on #${last}`);
  }
};

/** Waits until an attribute of the locator has the value. */
export const untilAttribute = async (locator: Locator, name: string, value: string, timeoutMs = 10_000) => {
  let last: string | null = null;
  try {
    await waitFor(
      async () => {
        last = await locator.getAttribute(name, { timeout: 1000 });
        return last === value;
      },
      { timeoutMs, intervalMs: 50 },
    );
  } catch {
    throw new Error(`expected ${locator} [${name}] to be "${value}", last seen "${last}"`);
  }
};

/** Pays the sale on the till screen in one card payment: F9 opens the payment, Card pays what is due. */
export const payByCard = async (page: Page): Promise<void> => {
  await page.keyboard.press('F9');
  await untilFocused(page, 'tender-amount');
  await page.getByTestId('tender').getByRole('button', { name: 'Card', exact: true }).click();
};
