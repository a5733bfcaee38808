import { NAMES } from '@stocknerve/protocol';
import { type NatsServerProcess, startNatsServer, waitFor } from '@stocknerve/test-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HubHandle } from '../hub.js';
import { terminalNatsOptions } from '../identity/terminal-connection.js';
import { serveReports } from '../reports/testing/serve-reports.js';
import { ADMIN_TOKEN, MANAGER_TOKEN, startTestHub } from '../testing/hub-fixture.js';
import { DEMO_LOCATIONS, DEMO_LOW_STOCK } from './demo-data.js';
import { seedDemo } from './seed-demo.js';

// A fresh demo, seeded through a real hub with the back offices' own terminal credentials, looks like
// a healthy network on the reports: every store heard from, stock near target, a few problems.

interface ReportJson {
  kpis: Record<string, number | null>;
  tables: Record<string, { rows: Record<string, string | number | null>[] }>;
}

let server: NatsServerProcess;
let hub: HubHandle;
let reports: { url: string; close(): Promise<void> };
const report = async (path: string): Promise<ReportJson> => {
  const r = await fetch(`${reports.url}/reports/api/${path}`, {
    headers: { authorization: `Bearer ${MANAGER_TOKEN}` },
  });
  expect(r.status, path).toBe(200);
  return (await r.json()) as ReportJson;
};
const seed = () =>
  seedDemo({ hubUrl: hub.url, adminToken: ADMIN_TOKEN, nats: (id) => terminalNatsOptions(hub.ctx.config, id) });

beforeAll(async () => {
  server = await startNatsServer();
  hub = await startTestHub(server);
  reports = await serveReports(hub.ctx);
}, 60_000);

afterAll(async () => {
  await reports?.close();
  await hub?.close();
  await server?.stop();
});

describe('seed-demo', () => {
  it('seeds a healthy network with two low-stock SKUs and one incident; seeding again adds nothing', async () => {
    await seed();
    const projected = async () => {
      const last = (await hub.ctx.jsm.streams.info(NAMES.eventStream)).state.last_seq;
      return hub.ctx.projector.checkpoint >= last ? last : 0;
    };
    const seq = await waitFor(projected, { timeoutMs: 30_000, message: 'the demo projected' });
    expect((await report('incidents')).kpis['rejected-pickups']).toBe(1);
    const overview = await report('overview');
    expect(overview.kpis).toMatchObject({ stale: 0, offline: 0, stockouts: 0, overstock: 0, incidents: 1 });
    // The demo tills ring up from 10:00 UTC each day: today may have no receipt yet, the window has.
    const net = overview.tables.channels?.rows.find((r) => r.channel === 'net');
    expect(Number(net?.units)).toBeGreaterThan(0);
    const cells = overview.tables.regions?.rows.reduce((s, r) => s + Number(r.skuLocations), 0) ?? 0;
    expect(cells).toBe(DEMO_LOCATIONS.length * 40);
    expect(overview.kpis['below-safety']).toBe(0);
    const low = await report('replenishment?days=7');
    expect(low.tables['low-stock']?.rows.map((r) => `${r.location}/${r.sku}`).sort()).toEqual(
      DEMO_LOW_STOCK.map((c) => `${c.location}/${c.sku}`).sort(),
    );
    expect((await report('stores')).kpis.online).toBe(DEMO_LOCATIONS.length);

    await seed();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await projected()).toBe(seq);
  }, 90_000);
});
