import { copyFile, mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromiumLaunchOptions } from '@stocknerve/test-harness';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ECOMMERCE_TOKEN, MANAGER_TOKEN } from '../testing/hub-fixture.js';
import { type Expected, expectedFigures, expectedReplenishment } from './testing/expected-figures.js';
import { parseCsv } from './testing/parse-csv.js';
import { type SeededHub, startSeededHub } from './testing/seeded-hub.js';
import { serveReports } from './testing/serve-reports.js';

// The reports in a real browser, against a hub seeded with 3 regions × 4 stores + a DC each, 2,000
// SKUs and four weeks of store events. Every figure asserted here is computed from the events sent
// (the domain's pure fold), not read back from the hub.

const SHOTS_DIR = fileURLToPath(new URL('../../test-results/screenshots/', import.meta.url));
const DOCS_DIR = fileURLToPath(new URL('../../../../docs/screenshots/', import.meta.url));

let seeded: SeededHub;
let reports: { url: string; close(): Promise<void> };
let expected: Expected;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const timings: Record<string, number> = {};
const pageErrors: string[] = [];

/** Every page into test-results; with UPDATE_SCREENSHOTS=1 also into docs/screenshots (committed). */
const screenshot = async (p: Page, name: string) => {
  await mkdir(SHOTS_DIR, { recursive: true });
  const file = `reports-${name}.png`;
  await p.screenshot({ path: `${SHOTS_DIR}${file}` });
  if (process.env.UPDATE_SCREENSHOTS !== '1') return;
  await mkdir(DOCS_DIR, { recursive: true });
  await copyFile(`${SHOTS_DIR}${file}`, `${DOCS_DIR}${file}`);
};

interface DomTable {
  readonly headers: string[];
  readonly keys: string[];
  readonly kinds: string[];
  /** data-value of every cell, in DOM order. */
  readonly cells: string[][];
  readonly rows: Record<string, string>[];
}

const readTable = async (p: Page, id: string): Promise<DomTable> => {
  const raw = await p.$eval(`table[data-table="${id}"]`, (table) => ({
    headers: Array.from(table.querySelectorAll('thead th'), (th) => th.textContent?.trim() ?? ''),
    keys: Array.from(table.querySelectorAll('thead th'), (th) => th.getAttribute('data-key') ?? ''),
    kinds: Array.from(table.querySelectorAll('thead th'), (th) => th.getAttribute('data-kind') ?? ''),
    cells: Array.from(table.querySelectorAll('tbody tr'), (tr) =>
      Array.from(tr.querySelectorAll('td'), (td) => td.getAttribute('data-value') ?? ''),
    ),
  }));
  return {
    ...raw,
    rows: raw.cells.map((cells) => Object.fromEntries(raw.keys.map((k, i) => [k, cells[i] ?? '']))),
  };
};

const kpi = async (p: Page, id: string) => ({
  value: await p.getAttribute(`[data-kpi="${id}"]`, 'data-value'),
  text: (await p.textContent(`[data-kpi="${id}"] .kpi-value`))?.trim(),
});

const open = async (path: string) => {
  await page.goto(`${reports.url}${path}`);
  await page.waitForSelector('#live-root');
  await page.waitForSelector('.live-status[data-state="live"]');
};

const fmt = (n: number) => new Intl.NumberFormat('en-GB').format(n);

beforeAll(async () => {
  const started = performance.now();
  seeded = await startSeededHub();
  timings.seed = Math.round(performance.now() - started);
  reports = await serveReports(seeded.hub.ctx);
  expected = expectedFigures(seeded);
  browser = await chromium.launch(chromiumLaunchOptions());
  context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await reports?.close();
  await seeded?.close();
  console.info(
    `reports e2e: ${seeded?.published.length} store events; timings (ms) ${JSON.stringify({ ...seeded?.timings, ...timings })}`,
  );
});

describe('reports in the browser', () => {
  it('asks for a token, refuses an ecommerce token (403), lets a manager in', async () => {
    const anonymous = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const p = await anonymous.newPage();
    const first = await p.goto(`${reports.url}/reports/overview`);
    expect(first?.status()).toBe(401);
    await expect(p.getByLabel('Access token').isVisible()).resolves.toBe(true);
    await screenshot(p, 'login');
    await p.getByLabel('Access token').fill(ECOMMERCE_TOKEN);
    const refused = p.waitForResponse((r) => r.url() === `${reports.url}/reports/login`);
    await p.keyboard.press('Enter');
    expect((await refused).status()).toBe(403);
    expect(await p.textContent('[role="alert"]')).toContain('role ecommerce may not read reports');
    await p.goto(`${reports.url}/reports/login`);
    await p.getByLabel('Access token').fill(MANAGER_TOKEN);
    await p.keyboard.press('Enter');
    await p.waitForURL(`${reports.url}/reports/overview`);
    expect(await p.textContent('h1')).toBe('Network overview');
    await anonymous.close();

    // The test's own browser signs in with the form and keeps the session cookie (not the token).
    await page.goto(`${reports.url}/reports/login`);
    await page.getByLabel('Access token').fill(MANAGER_TOKEN);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${reports.url}/reports/overview`);
    const cookie = (await context.cookies()).find((c) => c.name === 'sn_reports');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/reports' });
    expect(cookie?.value).not.toContain(MANAGER_TOKEN);
  });

  it('network overview: stock health, today’s sales, orders and incidents per region', async () => {
    await open('/reports/overview');
    const regions = ['north', 'south', 'west'];
    const todays = [...expected.netSales].filter(([k]) => k.startsWith(`${expected.today}/`));
    const regionOf = new Map(expected.locations.map((l) => [l.location, l.region]));
    const table = await readTable(page, 'regions');
    expect(table.rows.map((r) => r.region)).toEqual(regions);
    for (const region of regions) {
      const cells = expected.cells.filter((c) => c.region === region);
      const sales = todays.filter(([k]) => regionOf.get(k.split('/')[1] ?? '') === region);
      const reservations = seeded.scenario.openReservations.filter(
        (r) => r.location && regionOf.get(r.location) === region,
      );
      const row = table.rows.find((r) => r.region === region);
      expect(row, region).toEqual({
        region,
        stores: '4',
        notLive: region === 'south' ? '0' : '1',
        skuLocations: String(cells.length),
        stockouts: String(cells.filter((c) => c.health === 'stockout').length),
        belowSafety: String(cells.filter((c) => c.health === 'below-safety').length),
        overstock: String(cells.filter((c) => c.health === 'overstock').length),
        unitsToday: String(sales.reduce((s, [, v]) => s + v.units, 0)),
        revenueToday: (sales.reduce((s, [, v]) => s + v.revenue, 0) / 100).toFixed(2),
        returnedToday: String(sales.reduce((s, [, v]) => s + v.returned, 0)),
        openReservations: String(reservations.length),
        reservedUnits: String(reservations.reduce((s, r) => s + r.lines.reduce((t, l) => t + l.qty, 0), 0)),
        openPickups: String(seeded.scenario.openPickups.filter((p) => regionOf.get(p.location) === region).length),
        incidents: region === 'north' ? '2' : '0',
      });
    }
    const stockouts = expected.cells.filter((c) => c.health === 'stockout').length;
    expect(await kpi(page, 'stockouts')).toEqual({ value: String(stockouts), text: fmt(stockouts) });
    const units = todays.reduce((s, [, v]) => s + v.units, 0);
    expect(await kpi(page, 'units-today')).toEqual({ value: String(units), text: fmt(units) });
    expect((await kpi(page, 'stale')).value).toBe('1');
    expect((await kpi(page, 'offline')).value).toBe('1');
    const locations = await readTable(page, 'locations');
    expect(locations.rows.find((r) => r.location === 'store-n03')?.link).toBe('stale');
    expect(locations.rows.find((r) => r.location === 'store-w04')?.link).toBe('offline');
    expect(await page.locator('figure[data-chart="daily-revenue"] canvas').count()).toBeGreaterThan(0);
    expect(await page.locator('figure[data-chart="daily-revenue"] .u-legend .u-series').count()).toBe(4);
    await screenshot(page, 'overview');

    // Filters: region and category, from the form.
    await page.selectOption('#filter-region', 'south');
    await page.selectOption('#filter-category', 'camping');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/region=south&category=camping/);
    const filtered = await readTable(page, 'regions');
    const camping = expected.cells.filter((c) => c.region === 'south' && c.category === 'camping');
    expect(filtered.rows).toHaveLength(1);
    expect(filtered.rows[0]).toMatchObject({
      region: 'south',
      skuLocations: String(camping.length),
      stockouts: String(camping.filter((c) => c.health === 'stockout').length),
      overstock: String(camping.filter((c) => c.health === 'overstock').length),
    });
  });

  it('store health: last heard, events waiting, seq gaps, stale and offline stores', async () => {
    await open('/reports/stores');
    const locations = await readTable(page, 'locations');
    for (const row of locations.rows) {
      const status =
        row.location === seeded.scenario.staleLocation
          ? 'stale'
          : row.location === seeded.scenario.offlineLocation
            ? 'offline'
            : 'online';
      expect(row.link, row.location).toBe(status);
    }
    // Events waiting: what the nodes' heartbeats said (none from the offline store).
    for (const row of locations.rows) {
      const beats = seeded.net.nodes.flatMap((n) =>
        n.location === row.location ? [seeded.scenario.heartbeats.get(n.node)].filter((b) => b !== undefined) : [],
      );
      expect(row.waiting, row.location).toBe(
        beats.length === 0 ? '' : String(beats.reduce((s, b) => s + b.pending, 0)),
      );
    }
    expect(locations.rows.find((r) => r.location === 'store-n02')?.waiting).toBe('17');
    const nodes = await readTable(page, 'nodes');
    const gapNode = nodes.rows.find((r) => r.node === 'store-s03-till1');
    const withheld = seeded.net.withheld.map((e) => e.seq);
    expect(gapNode).toMatchObject({
      missing: '3',
      gaps: `${Math.min(...withheld)}-${Math.max(...withheld)}`,
      watermark: String(Math.min(...withheld) - 1),
    });
    expect(nodes.rows.some((r) => r.node === 'hub')).toBe(false);
    expect((await kpi(page, 'offline')).value).toBe('1');
    expect((await kpi(page, 'stale')).value).toBe('1');
    expect((await kpi(page, 'missing-seqs')).value).toBe('3');
    expect((await kpi(page, 'dead-letters')).value).toBe('3');
    await screenshot(page, 'store-health');
  });

  it('SKU drill-down: on hand per location over time, velocity, cover and the explain list', async () => {
    const sold = new Map<string, number>();
    for (const c of expected.cells) sold.set(c.sku, (sold.get(c.sku) ?? 0) + c.sold);
    const [sku] = [...sold].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0] ?? [''];
    await open('/reports/sku');
    expect((await readTable(page, 'top-sellers')).rows[0]?.sku).toBe(sku);
    await page.getByLabel('SKU or name').fill(sku);
    await page.keyboard.press('Enter');
    await page.waitForSelector('table[data-table="explain"]');
    const cells = expected.cells.filter((c) => c.sku === sku);
    const table = await readTable(page, 'locations');
    expect(table.rows).toHaveLength(cells.length);
    for (const c of cells) {
      expect(
        table.rows.find((r) => r.location === c.location),
        c.location,
      ).toMatchObject({
        onHand: String(c.onHand),
        reserved: String(c.reserved),
        sold: String(c.sold),
        velocity: String(Math.round(c.velocity * 100) / 100),
        cover: c.cover === null ? '' : String(Math.round(c.cover * 100) / 100),
        health: c.health,
      });
    }
    const total = cells.reduce((s, c) => s + c.onHand, 0);
    expect((await kpi(page, 'on-hand')).value).toBe(String(total));

    // Time travel: the chart's level at any moment is the fold of the events up to that moment.
    const chart = JSON.parse(
      (await page.textContent('figure[data-chart="on-hand-history"] script.chart-data')) ?? '{}',
    ) as {
      x: number[];
      series: { label: string; values: (number | null)[] }[];
    };
    const store = 'store-n01';
    const series = chart.series.find((s) => s.label === store);
    for (const fraction of [0.25, 0.5, 0.9]) {
      const at = chart.x[Math.floor(chart.x.length * fraction)] ?? 0;
      const i = chart.x.findLastIndex((x) => x <= at);
      expect(series?.values[i], `${store} at ${new Date(at * 1000).toISOString()}`).toBe(
        expected.onHandAsOf(store, sku, Math.round(at * 1000)),
      );
    }
    expect(series?.values.at(-1)).toBe(cells.find((c) => c.location === store)?.onHand);
    expect(await page.locator('figure[data-chart="on-hand-history"] canvas').count()).toBeGreaterThan(0);

    // Explain a location: its latest count plus the movements after it add up to its on hand.
    await page.selectOption('#filter-location', store);
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/location=store-n01/);
    const explain = await readTable(page, 'explain');
    const cell = expected.state.cells.get(`${store}/${sku}`);
    const after = (cell?.movements ?? []).filter((m) => !cell?.count || m.hlc > cell.count.hlc);
    expect(explain.rows).toHaveLength(after.length + (cell?.count ? 1 : 0));
    expect(explain.rows.at(-1)?.onHand).toBe(String(cells.find((c) => c.location === store)?.onHand));
    if (cell?.count) expect(explain.rows[0]).toMatchObject({ event: 'CycleCounted', counted: String(cell.count.qty) });
    expect(await page.textContent('[data-note="explain-sum"]')).toContain('they agree');
    await screenshot(page, 'sku');
  });

  it('low stock: store SKUs under the threshold with a transfer from the nearest surplus', async () => {
    await open('/reports/replenishment');
    const check = async (days: number) => {
      const want = expectedReplenishment(expected, days);
      const table = await readTable(page, 'low-stock');
      expect(table.rows).toHaveLength(want.length);
      expect(want.length).toBeGreaterThan(0);
      const byCell = new Map(table.rows.map((r) => [`${r.location}/${r.sku}`, r]));
      for (const w of want)
        expect(byCell.get(`${w.location}/${w.sku}`), `${w.location}/${w.sku}`).toMatchObject({
          need: String(w.need),
          from: w.from ?? '',
          transfer: w.transfer === null ? '' : String(w.transfer),
        });
      expect((await kpi(page, 'low')).value).toBe(String(want.length));
    };
    await check(7);
    await screenshot(page, 'low-stock');
    await page.getByLabel('Days of cover under').fill('3');
    await page.getByLabel('Days of cover under').press('Enter');
    await page.waitForURL(/days=3/);
    await check(3);
  });

  it('incidents: oversell, rejected pickup and dead letters, with who is affected', async () => {
    await open('/reports/incidents');
    const { location, sku } = seeded.scenario.oversell;
    const f = expected.cells.find((c) => c.location === location && c.sku === sku);
    const available = (f?.onHand ?? 0) - (f?.reserved ?? 0) - (f?.safetyStock ?? 0);
    const oversells = await readTable(page, 'oversells');
    expect(oversells.rows).toHaveLength(1);
    expect(oversells.rows[0]).toMatchObject({
      location,
      sku,
      shortfall: String(Math.min(-available, 2)),
      affected: 'reservation RES-1006 ×2',
      cause: 'SaleRecorded from store-n04-till1',
    });
    const rejected = await readTable(page, 'rejected-pickups');
    expect(rejected.rows[0]).toMatchObject({
      pickup: seeded.scenario.rejectedPickup.id,
      customer: seeded.scenario.rejectedPickup.customer,
      lines: `${seeded.scenario.rejectedPickup.sku} ×1`,
      reason: 'not found on the shelf: not on the shelf',
    });
    expect(rejected.rows[0]?.summary).toMatch(
      /^Pickup order WEB-\d+ for Chloé R\. at Lille Euralille cannot be filled: 1 unit of SKU-/,
    );
    const counts = await readTable(page, 'dead-letter-counts');
    expect(new Map(counts.rows.map((r) => [r.reason, Number(r.count)]))).toEqual(seeded.scenario.deadLetters);
    const latest = await readTable(page, 'dead-letters');
    expect(latest.rows.map((r) => r.reason).sort()).toEqual([...seeded.scenario.deadLetters.keys()].sort());
    expect(latest.rows.find((r) => r.reason === 'unknown-location')).toMatchObject({
      location: 'store-n99',
      node: 'store-n99-till1',
      eventType: 'SaleRecorded',
    });
    await screenshot(page, 'incidents');
  });

  it('every CSV export matches its table', async () => {
    for (const [path, ids] of [
      ['/reports/overview', ['regions', 'locations', 'daily-sales']],
      ['/reports/stores', ['locations', 'nodes']],
      ['/reports/replenishment', ['low-stock']],
      ['/reports/incidents', ['oversells', 'rejected-pickups', 'dead-letter-counts']],
    ] as const) {
      await open(path);
      for (const id of ids) {
        const table = await readTable(page, id);
        const href = await page.getAttribute(`section:has(table[data-table="${id}"]) a.csv-link`, 'href');
        const response = await page.request.get(`${reports.url}${href}`);
        expect(response.status(), `${path} ${id}`).toBe(200);
        const csv = parseCsv(await response.text());
        expect(
          csv[0]?.map((h) => h.replace(/ \((EUR|s|km)\)$/, '')),
          `${path} ${id}`,
        ).toEqual(table.headers);
        // Ages ("silent for") move on between the page and the download: seconds apart at most.
        const durations = table.kinds.flatMap((k, i) => (k === 'duration' ? [i] : []));
        const settle = (rows: string[][], reference: string[][]) =>
          rows.map((row, r) =>
            row.map((v, c) =>
              durations.includes(c) && v !== '' && Math.abs(Number(v) - Number(reference[r]?.[c])) <= 5
                ? (reference[r]?.[c] ?? v)
                : v,
            ),
          );
        expect(settle(csv.slice(1), table.cells), `${path} ${id}`).toEqual(table.cells);
      }
    }
  });

  it('works with the keyboard: skip link, then filters, then sortable headers', async () => {
    await open('/reports/overview');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to main content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('filter-region');
    const stockouts = page.locator('table[data-table="regions"] th[data-key="stockouts"]');
    // Tab on until the Stockouts header button has focus.
    for (let i = 0; i < 30; i++) {
      await page.keyboard.press('Tab');
      if (await stockouts.locator('button').evaluate((b) => b === document.activeElement)) break;
    }
    await page.keyboard.press('Enter');
    expect(await stockouts.getAttribute('aria-sort')).toBe('descending');
    const values = (await readTable(page, 'regions')).rows.map((r) => Number(r.stockouts));
    expect(values).toEqual([...values].sort((a, b) => b - a));
    await page.keyboard.press('Enter');
    expect(await stockouts.getAttribute('aria-sort')).toBe('ascending');
  });

  it('prints the figures only: no navigation, filters or controls', async () => {
    await open('/reports/overview');
    await page.emulateMedia({ media: 'print' });
    for (const selector of ['.main-nav', '.filters', '.csv-link', '.session', '.skip-link'])
      expect(await page.locator(selector).first().isVisible(), selector).toBe(false);
    expect(await page.locator('table[data-table="regions"]').isVisible()).toBe(true);
    await page.emulateMedia({ media: 'screen' });
  });

  it('updates without a reload when a new sale is projected', async () => {
    await open('/reports/overview');
    await page.evaluate(() => {
      (window as unknown as { notReloaded: boolean }).notReloaded = true;
    });
    const before = Number((await kpi(page, 'units-today')).value);
    const westBefore = Number((await readTable(page, 'regions')).rows.find((r) => r.region === 'west')?.unitsToday);
    const started = performance.now();
    await seeded.storeCommand('store-w02-till1', {
      type: 'RecordSale',
      data: { receiptId: 'R-live-e2e-1', currency: 'EUR', lines: [{ sku: 'SKU-10002', qty: 2, unitPriceCents: 2599 }] },
    });
    await page.waitForFunction(
      (want) => document.querySelector('[data-kpi="units-today"]')?.getAttribute('data-value') === want,
      String(before + 2),
      { timeout: 15_000 },
    );
    timings.liveUpdate = Math.round(performance.now() - started);
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    expect(Number((await readTable(page, 'regions')).rows.find((r) => r.region === 'west')?.unitsToday)).toBe(
      westBefore + 2,
    );
    expect(await page.textContent('[data-kpi="units-today"] .kpi-value')).toBe(fmt(before + 2));
  });

  it('ran without script errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
