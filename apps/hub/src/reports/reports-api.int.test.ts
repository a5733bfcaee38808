import { join } from 'node:path';
import { makeTempDir, removeTempDir, waitFor } from '@stocknerve/test-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, ECOMMERCE_TOKEN, MANAGER_TOKEN } from '../testing/hub-fixture.js';
import { createToken, revokeToken } from '../tokens/token-store.js';
import { SESSION_COOKIE } from './reports-auth.js';
import { type Expected, expectedFigures, expectedReplenishment } from './testing/expected-figures.js';
import { parseCsv } from './testing/parse-csv.js';
import { type SeededHub, startSeededHub } from './testing/seeded-hub.js';
import { serveReports } from './testing/serve-reports.js';

// The reports' HTTP contract on a small seeded network: auth (bearer, sessions, the sign-in form and
// its CSRF check), JSON figures against the pure fold, CSV, bad input, and the live-update stream.

let seeded: SeededHub;
let reports: { url: string; close(): Promise<void> };
let expected: Expected;

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const get = (path: string, headers: Record<string, string> = bearer(MANAGER_TOKEN)) =>
  fetch(`${reports.url}${path}`, { headers, redirect: 'manual' });
/** Posts the sign-in form as a browser on `base`'s own page does (with its Origin). */
const signInWith = (
  token: string,
  next = '/reports/overview',
  base = reports.url,
  headers: Record<string, string> = {},
) =>
  fetch(`${base}/reports/login`, {
    method: 'POST',
    headers: { origin: base, ...headers },
    body: new URLSearchParams({ token, next }),
    redirect: 'manual',
  });
/** The Cookie header a browser sends after a sign-in answer. */
const sessionOf = (signIn: Response) => ({ cookie: (signIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '' });
const json = async <T>(path: string): Promise<T> => {
  const r = await get(path);
  expect(r.status, path).toBe(200);
  return (await r.json()) as T;
};

interface ReportJson {
  kpis: Record<string, number | null>;
  tables: Record<string, { columns: { key: string; label: string }[]; rows: Record<string, string | number | null>[] }>;
}

beforeAll(async () => {
  seeded = await startSeededHub({ skus: 240, salesPerStore: 360, seed: 7 });
  reports = await serveReports(seeded.hub.ctx);
  expected = expectedFigures(seeded);
}, 120_000);

afterAll(async () => {
  await reports?.close();
  await seeded?.close();
});

describe('reports: who may see them', () => {
  it('API: 401 without a token or with an unknown one, 403 for ecommerce, 200 for manager and admin', async () => {
    const none = await get('/reports/api/overview', {});
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toContain('Bearer');
    expect(await none.json()).toMatchObject({ error: 'unauthorized' });
    expect((await get('/reports/api/overview', bearer('not-a-real-token-000000'))).status).toBe(401);
    const shop = await get('/reports/api/overview', bearer(ECOMMERCE_TOKEN));
    expect(shop.status).toBe(403);
    expect(await shop.json()).toMatchObject({ error: 'forbidden' });
    expect((await get('/reports/api/overview', bearer(MANAGER_TOKEN))).status).toBe(200);
    expect((await get('/reports/api/stores', bearer(ADMIN_TOKEN))).status).toBe(200);
  });

  it('pages: the sign-in form without a session; signing in sets an opaque HttpOnly SameSite=Strict session cookie', async () => {
    const anonymous = await get('/reports/overview?region=north', {});
    expect(anonymous.status).toBe(401);
    const form = await anonymous.text();
    expect(form).toContain('name="token"');
    expect(form).toContain('value="/reports/overview?region=north"');

    const signIn = await signInWith(MANAGER_TOKEN, '/reports/overview?region=north');
    expect(signIn.status).toBe(303);
    expect(signIn.headers.get('location')).toBe('/reports/overview?region=north');
    const cookie = signIn.headers.get('set-cookie') ?? '';
    expect(cookie).toContain(`${SESSION_COOKIE}=`);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(cookie).toMatch(/Path=\/reports/);
    expect(cookie).not.toMatch(/Secure/i);
    // The cookie is a random session id the hub keeps, not the token.
    const value = decodeURIComponent(/^[^=]+=([^;]*)/.exec(cookie)?.[1] ?? '');
    expect(value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(value).not.toContain(MANAGER_TOKEN);
    const session = sessionOf(signIn);
    const page = await get('/reports/overview?region=north', session);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).toContain('<h1>Network overview</h1>');
    // The session works for the API too (the page's live refresh and CSV links use it).
    expect((await get('/reports/api/overview', session)).status).toBe(200);
  });

  it('pages: a token in the URL signs nobody in; the browser is sent to the form without it', async () => {
    const viaQuery = await get(`/reports/overview?region=north&token=${MANAGER_TOKEN}`, {});
    expect(viaQuery.status).toBe(303);
    expect(viaQuery.headers.get('set-cookie')).toBeNull();
    expect(viaQuery.headers.get('referrer-policy')).toBe('no-referrer');
    const location = viaQuery.headers.get('location') ?? '';
    expect(location).not.toContain(MANAGER_TOKEN);
    expect(location).toBe(
      `/reports/login?${new URLSearchParams({ next: '/reports/overview?region=north', reason: 'token-in-url' })}`,
    );
    const login = await get(location, {});
    expect(login.status).toBe(200);
    expect(await login.text()).toContain('no longer sign in');
  });

  it('pages: an ecommerce token gets 403 and no cookie from the form', async () => {
    const viaForm = await signInWith(ECOMMERCE_TOKEN, '/reports/stores');
    expect(viaForm.status).toBe(403);
    expect(viaForm.headers.get('set-cookie')).toBeNull();
  });

  it('sign-in form: redirects to a reports page only; sign-out ends the session on the hub', async () => {
    const ok = await signInWith(MANAGER_TOKEN, '/reports/stores?region=west');
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe('/reports/stores?region=west');
    const offsite = await signInWith(MANAGER_TOKEN, '//evil.example/reports/');
    expect(offsite.headers.get('location')).toBe('/reports/overview');
    const wrong = await signInWith('wrong-token-wrong-token');
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('not recognised');

    const session = sessionOf(ok);
    expect((await get('/reports/api/overview', session)).status).toBe(200);
    const out = await fetch(`${reports.url}/reports/logout`, {
      method: 'POST',
      headers: { ...session, origin: reports.url },
      redirect: 'manual',
    });
    expect(out.status).toBe(303);
    expect(out.headers.get('set-cookie')).toMatch(new RegExp(`${SESSION_COOKIE}=;.*Expires=Thu, 01 Jan 1970`));
    // Replaying the old cookie: the hub has forgotten the session.
    const replayed = await get('/reports/api/overview', session);
    expect(replayed.status).toBe(401);
    expect(await replayed.json()).toEqual({ error: 'unauthorized', message: 'your session has ended: sign in again' });
    expect((await get('/reports/overview', session)).status).toBe(401);
  });

  it('CSRF: sign-in and sign-out posted from another site (or with no Origin or Referer) are refused with 403', async () => {
    const post = (path: string, headers: Record<string, string>, token = MANAGER_TOKEN) =>
      fetch(`${reports.url}${path}`, {
        method: 'POST',
        headers,
        body: new URLSearchParams({ token, next: '/reports/overview' }),
        redirect: 'manual',
      });
    const foreign: Record<string, string>[] = [
      { origin: 'https://evil.example' },
      { referer: 'https://evil.example/page' },
      {},
      { origin: 'null' },
    ];
    for (const headers of foreign) {
      const refused = await post('/reports/login', headers);
      expect(refused.status, JSON.stringify(headers)).toBe(403);
      expect(refused.headers.get('set-cookie')).toBeNull();
      expect(await refused.text()).toContain('not sent from a page of this site');
    }
    const byReferer = await post('/reports/login', { referer: `${reports.url}/reports/login` });
    expect(byReferer.status).toBe(303);
    const session = sessionOf(byReferer);
    const foreignLogout = await fetch(`${reports.url}/reports/logout`, {
      method: 'POST',
      headers: { ...session, origin: 'https://evil.example' },
      redirect: 'manual',
    });
    expect(foreignLogout.status).toBe(403);
    expect((await get('/reports/api/overview', session)).status).toBe(200);
  });

  it('behind a trusted TLS proxy (HUB_TRUST_PROXY) the session cookie is Secure', async () => {
    const ctx = seeded.hub.ctx;
    const proxied = await serveReports({ ...ctx, config: { ...ctx.config, trustProxy: 'loopback' } });
    try {
      const viaProxy = await signInWith(MANAGER_TOKEN, '/reports/overview', proxied.url, {
        'x-forwarded-proto': 'https',
        'x-forwarded-host': 'reports.example',
        origin: 'https://reports.example',
      });
      expect(viaProxy.status).toBe(303);
      expect(viaProxy.headers.get('set-cookie')).toMatch(/;\s*Secure/i);
      // Not trusted: the same headers from a client say nothing.
      const direct = await signInWith(MANAGER_TOKEN, '/reports/overview', reports.url, {
        'x-forwarded-proto': 'https',
      });
      expect(direct.status).toBe(303);
      expect(direct.headers.get('set-cookie')).not.toMatch(/Secure/i);
    } finally {
      await proxied.close();
    }
  });

  it('revoking a token ends the sessions signed in with it', async () => {
    const dir = await makeTempDir('reports-tokens');
    try {
      const tokenFile = join(dir, 'tokens.json');
      const created = createToken(tokenFile, { role: 'manager', name: 'regional manager' });
      if (!created.ok) throw new Error(created.message);
      const ctx = seeded.hub.ctx;
      const withFile = await serveReports({ ...ctx, config: { ...ctx.config, tokenFile } });
      try {
        const signIn = await signInWith(created.token, '/reports/overview', withFile.url);
        expect(signIn.status).toBe(303);
        const session = sessionOf(signIn);
        const api = () => fetch(`${withFile.url}/reports/api/overview`, { headers: session });
        expect((await api()).status).toBe(200);
        revokeToken(tokenFile, created.info.id);
        await waitFor(async () => (await api()).status === 401, { message: 'session ended', timeoutMs: 5000 });
      } finally {
        await withFile.close();
      }
    } finally {
      await removeTempDir(dir);
    }
  });

  it('serves uPlot and the page assets without a session', async () => {
    const js = await get('/reports/assets/uPlot.iife.min.js', {});
    expect(js.status).toBe(200);
    expect(await js.text()).toContain('uPlot');
    expect((await get('/reports/assets/uPlot.min.css', {})).status).toBe(200);
    expect((await get('/reports/assets/reports.js', {})).status).toBe(200);
    expect((await get('/reports/assets/nope.js', {})).status).toBe(404);
  });
});

describe('reports: figures and exports', () => {
  it('overview figures equal the pure fold of the events sent', async () => {
    const report = await json<ReportJson>('/reports/api/overview');
    const stores = expected.cells;
    const todaySales = [...expected.netSales].filter(([k]) => k.startsWith(`${expected.today}/`));
    expect(report.kpis).toMatchObject({
      stockouts: stores.filter((c) => c.health === 'stockout').length,
      'below-safety': stores.filter((c) => c.health === 'below-safety').length,
      overstock: stores.filter((c) => c.health === 'overstock').length,
      'units-today': todaySales.reduce((s, [, v]) => s + v.units, 0),
      'revenue-today': todaySales.reduce((s, [, v]) => s + v.revenue, 0),
      'open-reservations': seeded.scenario.openReservations.length,
      'open-pickups': seeded.scenario.openPickups.length,
      incidents: 2,
      stale: 1,
      offline: 1,
    });
    const north = report.tables.regions?.rows.find((r) => r.region === 'north');
    expect(north?.skuLocations).toBe(stores.filter((c) => c.region === 'north').length);
  });

  it('every page counts stale, offline and out-of-stock alike: overview = store health = low stock = /v1/locations', async () => {
    for (const region of [undefined, 'north', 'south']) {
      const q = region === undefined ? '' : `?region=${region}`;
      const overview = await json<ReportJson>(`/reports/api/overview${q}`);
      const stores = await json<ReportJson>(`/reports/api/stores${q}`);
      const low = await json<ReportJson>(`/reports/api/replenishment${q}${q ? '&' : '?'}days=7`);
      expect(overview.kpis.stale, region).toBe(stores.kpis.stale);
      expect(overview.kpis.offline, region).toBe(stores.kpis.offline);
      expect(overview.kpis.stockouts, region).toBe(low.kpis.out);
      const notLive = overview.tables.regions?.rows.reduce((s, r) => s + Number(r.notLive), 0);
      expect(notLive, region).toBe(Number(stores.kpis.stale) + Number(stores.kpis.offline));
    }
    const api = await fetch(`${seeded.hub.url}/v1/locations`, { headers: bearer(ADMIN_TOKEN) });
    expect(api.status).toBe(200);
    const { locations } = (await api.json()) as { locations: { stale: boolean }[] };
    const overview = await json<ReportJson>('/reports/api/overview');
    expect(locations.filter((l) => l.stale)).toHaveLength(Number(overview.kpis.stale) + Number(overview.kpis.offline));
  });

  it('net sales = till sales + click-and-collect handovers − returns, from the events sent', async () => {
    const report = await json<ReportJson>('/reports/api/overview');
    const today = [...expected.netSales].filter(([k]) => k.startsWith(`${expected.today}/`));
    const returnedToday = today.reduce((s, [, v]) => s + v.returned, 0);
    const handedOver = seeded.published.filter((e) => e.type === 'PickupHandedOver');
    expect(handedOver.length).toBeGreaterThan(0);
    expect(report.kpis['revenue-today']).toBe(today.reduce((s, [, v]) => s + v.revenue, 0));
    const window = [...expected.netSales].filter(([k]) => (k.split('/')[0] ?? '') >= expected.from);
    expect(window.some(([, v]) => v.returned > 0)).toBe(true);
    const channels = report.tables.channels?.rows ?? [];
    expect(channels.find((r) => r.channel === 'net')).toMatchObject({
      units: window.reduce((s, [, v]) => s + v.units, 0),
      sales: window.reduce((s, [, v]) => s + v.revenue, 0),
      unitsToday: report.kpis['units-today'],
    });
    expect(channels.find((r) => r.channel === 'returns')?.units).toBe(-window.reduce((s, [, v]) => s + v.returned, 0));
    expect(channels.find((r) => r.channel === 'click-and-collect (web)')?.units).toBe(
      handedOver.reduce(
        (s, e) => s + (e.type === 'PickupHandedOver' ? e.data.lines.reduce((t, l) => t + l.qty, 0) : 0),
        0,
      ),
    );
    const handoverStore = handedOver[0]?.location;
    const row = report.tables.locations?.rows.find((r) => r.location === handoverStore);
    const own = expected.netSales.get(`${expected.today}/${handoverStore}`);
    expect(row).toMatchObject({ unitsToday: own?.units, revenueToday: own?.revenue, returnedToday: own?.returned });
    expect(returnedToday).toBe(report.tables.locations?.rows.reduce((s, r) => s + Number(r.returnedToday), 0));
  });

  it('the SKU drill-down shows damaged and in-transit units per location, as the fold has them', async () => {
    const damaged = expected.cells.find((c) => c.damaged > 0);
    if (!damaged) throw new Error('the seeded network has no damaged units');
    const report = await json<ReportJson>(`/reports/api/sku?sku=${damaged.sku}`);
    const cells = expected.cells.filter((c) => c.sku === damaged.sku);
    for (const c of cells)
      expect(
        report.tables.locations?.rows.find((r) => r.location === c.location),
        c.location,
      ).toMatchObject({
        damaged: c.damaged,
        inTransit: c.inTransit,
        onHand: c.onHand,
      });
    expect(report.kpis.damaged).toBe(cells.reduce((s, c) => s + c.damaged, 0));
    expect(report.kpis['in-transit']).toBe(cells.reduce((s, c) => s + c.inTransit, 0));
  });

  it('incidents read as sentences with links, while /v1/incidents keeps the ids and codes', async () => {
    const report = await json<ReportJson>('/reports/api/incidents');
    const { id, sku, customer } = seeded.scenario.rejectedPickup;
    const rejected = report.tables['rejected-pickups']?.rows.find((r) => r.pickup === id);
    expect(rejected?.summary).toBe(
      `Pickup order WEB-${id.slice(-4)} for ${customer.split(' ')[0]} ${customer.split(' ')[1]?.charAt(0)}. at Lille Euralille cannot be filled: 1 unit of ${sku} (${expected.state.catalog.get(sku)?.name}) missing (not found on the shelf: not on the shelf).`,
    );
    const oversell = report.tables.oversells?.rows[0];
    expect(oversell?.summary).toMatch(
      /^Arras is \d+ units? of SKU-\S+ \(.+\) short of what it promised: a web reservation \(2 units\)\./,
    );
    expect(String(oversell?.summary)).not.toMatch(/RES-|PU-|item-not-found/);
    const page = await (await get('/reports/incidents')).text();
    expect(page).toContain(`href="/reports/sku?sku=${sku}&amp;location=store-n02"`);
    expect(page).toContain('href="/reports/stores?region=north"');
    const api = await fetch(`${seeded.hub.url}/v1/incidents`, { headers: bearer(ADMIN_TOKEN) });
    const body = (await api.json()) as { incidents: { kind: string; affected: { id: string }[] }[] };
    expect(body.incidents.find((i) => i.kind === 'pickup-rejected')?.affected[0]?.id).toBe(id);
  });

  it('a category filter narrows every figure to that category', async () => {
    const report = await json<ReportJson>('/reports/api/overview?region=south&category=camping');
    const cells = expected.cells.filter((c) => c.region === 'south' && c.category === 'camping');
    expect(report.kpis.stockouts).toBe(cells.filter((c) => c.health === 'stockout').length);
    expect(report.kpis.overstock).toBe(cells.filter((c) => c.health === 'overstock').length);
    expect(report.tables.regions?.rows.map((r) => r.region)).toEqual(['south']);
  });

  it('replenishment lists the store SKUs under the threshold with the nearest surplus', async () => {
    const report = await json<ReportJson>('/reports/api/replenishment?days=10');
    const rows = report.tables['low-stock']?.rows ?? [];
    const want = expectedReplenishment(expected, 10);
    expect(rows).toHaveLength(want.length);
    const byCell = new Map(rows.map((r) => [`${r.location}/${r.sku}`, r]));
    for (const w of want) {
      const row = byCell.get(`${w.location}/${w.sku}`);
      expect(row, `${w.location}/${w.sku}`).toMatchObject({ need: w.need, from: w.from, transfer: w.transfer });
    }
  });

  it('CSV equals the JSON rows, by the .csv route and by ?format=csv', async () => {
    const report = await json<ReportJson>('/reports/api/stores');
    const table = report.tables.nodes;
    const byRoute = await get('/reports/api/stores.csv?table=nodes');
    expect(byRoute.headers.get('content-type')).toContain('text/csv');
    expect(byRoute.headers.get('content-disposition')).toMatch(
      /attachment; filename="stores-nodes-\d{4}-\d\d-\d\d\.csv"/,
    );
    const csv = parseCsv(await byRoute.text());
    const byFormat = parseCsv(await (await get('/reports/api/stores?format=csv&table=nodes')).text());
    // "Silent for" is computed per request: two requests may straddle a second, and the CSV may be a
    // second or two older than the JSON.
    const silentFor = table?.columns.findIndex((c) => c.key === 'silentFor') ?? -1;
    const withoutClock = (rows: string[][]) => rows.map((r) => r.filter((_, i) => i !== silentFor));
    expect(withoutClock(byFormat)).toEqual(withoutClock(csv));
    byFormat.slice(1).forEach((r, i) => {
      expect(Math.abs(Number(r[silentFor]) - Number(csv[i + 1]?.[silentFor]))).toBeLessThanOrEqual(3);
    });
    expect(csv[0]).toEqual(
      table?.columns.map((c) => (['silentFor', 'oldestWaiting'].includes(c.key) ? `${c.label} (s)` : c.label)),
    );
    expect(withoutClock(csv.slice(1))).toEqual(
      withoutClock(table?.rows.map((r) => table.columns.map((c) => (r[c.key] === null ? '' : String(r[c.key])))) ?? []),
    );
    table?.rows.forEach((r, i) => {
      const fromCsv = csv[i + 1]?.[silentFor];
      if (r.silentFor !== null && fromCsv)
        expect(Math.abs(Number(fromCsv) - Number(r.silentFor))).toBeLessThanOrEqual(3);
    });
  });

  it('refuses bad parameters and unknown tables', async () => {
    expect((await get('/reports/api/replenishment?days=0')).status).toBe(400);
    expect((await get('/reports/api/overview?region=North%20East')).status).toBe(400);
    expect((await get('/reports/api/overview.csv')).status).toBe(400);
    expect((await get('/reports/api/overview.csv?table=nope')).status).toBe(404);
    expect((await get('/reports/replenishment?days=abc')).status).toBe(400);
  });
});

describe('reports: live updates', () => {
  it('the stream says "changed" once a new sale is projected', async () => {
    const abort = new AbortController();
    const response = await fetch(`${reports.url}/reports/api/stream`, {
      headers: bearer(MANAGER_TOKEN),
      signal: abort.signal,
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = response.body?.getReader();
    if (!reader) throw new Error('no body');
    const decoder = new TextDecoder();
    let text = '';
    const until = async (needle: string) => {
      while (!text.includes(needle)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${needle}`);
        text += decoder.decode(value);
      }
    };
    await until('event: hello');
    const { seq } = await seeded.storeCommand('store-w03-till1', {
      type: 'RecordSale',
      data: { receiptId: 'R-live-int-1', currency: 'EUR', lines: [{ sku: 'SKU-10001', qty: 1, unitPriceCents: 999 }] },
    });
    await until('event: changed');
    const data = JSON.parse(text.split('event: changed\ndata: ')[1]?.split('\n')[0] ?? '{}');
    expect(data.events).toBe(true);
    expect(data.checkpoint).toBeGreaterThanOrEqual(seq);
    abort.abort();
  });
});
