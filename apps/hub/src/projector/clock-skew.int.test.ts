import { type JetStreamClient, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import type { DecidedEvent } from '@stocknerve/domain';
import { eventFactory } from '@stocknerve/domain/testing';
import { deadLetterSubject, NAMES, TIME_SUBJECT } from '@stocknerve/protocol';
import { type NatsServerProcess, startNatsServer, waitFor } from '@stocknerve/test-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HubHandle } from '../hub.js';
import { MANAGER_TOKEN, natsClient, publishStoreEvents, recordHubFacts, startTestHub } from '../testing/hub-fixture.js';
import { dumpViews, stockFiguresByCell } from '../views/dump-views.js';
import type { NodeSyncStatus } from '../views/node-status.js';

// A till whose clock says 2099 must not pin its cells: its count is held for review (dead letter
// `clock-skew`), its sale counts at the time the stream stored it, later real movements count, the
// node is flagged everywhere an operator looks, and a rebuild says the same.

let server: NatsServerProcess;
let hub: HubHandle;
let nc: NatsConnection;
let js: JetStreamClient;

beforeAll(async () => {
  server = await startNatsServer();
  hub = await startTestHub(server);
  ({ nc, js } = await natsClient(server));
  await recordHubFacts(hub, [
    { type: 'LocationDefined', data: { location: 'store-1', region: 'north', kind: 'store', name: 'Store 1' } },
  ]);
});

afterAll(async () => {
  await nc?.close();
  await hub?.close();
  await server?.dispose();
});

const received = (qty: number, po: string): DecidedEvent => ({
  type: 'GoodsReceived',
  data: { purchaseOrderId: po, lines: [{ sku: 'SKU-1', qty }] },
});
const sold = (qty: number, receiptId: string): DecidedEvent => ({
  type: 'SaleRecorded',
  data: { receiptId, currency: 'EUR', lines: [{ sku: 'SKU-1', qty, unitPriceCents: 100 }], totalCents: qty * 100 },
});
const counted = (qty: number, countId: string): DecidedEvent => ({
  type: 'CycleCounted',
  data: { countId, lines: [{ sku: 'SKU-1', countedQty: qty }] },
});

const appliedThrough = (seqs: number[]) =>
  waitFor(() => hub.ctx.projector.checkpoint >= Math.max(...seqs), { timeoutMs: 15_000 });
const onHand = () => stockFiguresByCell(hub.ctx.store).get('store-1/SKU-1')?.onHand;
const nodes = async () => {
  const res = await fetch(`${hub.url}/v1/nodes`, { headers: { Authorization: `Bearer ${MANAGER_TOKEN}` } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { nodes: NodeSyncStatus[] }).nodes;
};

describe('a till whose clock is decades ahead', () => {
  const right = eventFactory({ location: 'store-1', node: 'store-1-t1', startMs: Date.now() - 60_000, stepMs: 1 });
  const fast = eventFactory({ location: 'store-1', node: 'store-1-t9', startMs: Date.UTC(2099, 0, 1), stepMs: 1000 });

  it('has its count held for review and its sale counted; later real movements count', async () => {
    await appliedThrough(await publishStoreEvents(js, 'north', [right.next(received(10, 'po-1'))]));
    const [countSeq = 0, saleSeq = 0] = await publishStoreEvents(js, 'north', [
      fast.next(counted(500, 'cnt-2099')),
      fast.next(sold(2, 'r-2099')),
    ]);
    await appliedThrough([saleSeq]);
    expect(onHand()).toBe(8);
    await appliedThrough(await publishStoreEvents(js, 'north', [right.next(sold(3, 'r-1'))]));
    expect(onHand()).toBe(5);

    const jsm = await jetstreamManager(nc);
    const dl = await waitFor(
      () =>
        jsm.streams
          .getMessage(NAMES.deadLetterStream, { last_by_subj: deadLetterSubject('clock-skew') })
          .catch(() => null),
      { message: 'clock-skew dead letter' },
    );
    expect(dl.header.get('Stocknerve-Reason')).toBe('clock-skew');
    expect(dl.header.get('Stocknerve-Original-Seq')).toBe(String(countSeq));
    expect(dl.header.get('Stocknerve-Detail')).toMatch(
      /CycleCounted of node store-1-t9 .* ahead of its store time .*held for review/,
    );
    expect(JSON.parse(new TextDecoder().decode(dl.data)).data.countId).toBe('cnt-2099');
  });

  it('is flagged in /v1/nodes and /metrics, with no gap where its count was held', async () => {
    const node = (await nodes()).find((n) => n.node === 'store-1-t9');
    expect(node).toMatchObject({
      watermark: 2,
      gaps: [],
      flags: ['clock-skew'],
      clockSkew: { events: 2, current: true },
    });
    expect(node?.clockSkew?.aheadMs).toBeGreaterThan(60 * 365 * 86_400_000);
    expect(Date.parse(node?.clockSkew?.lastSeenAt ?? '')).toBeGreaterThan(Date.now() - 60_000);
    expect((await nodes()).find((n) => n.node === 'store-1-t1')).toMatchObject({ clockSkew: null, flags: [] });
    const metrics = await (await fetch(`${hub.url}/metrics`)).text();
    expect(metrics).toContain('stocknerve_clock_skew_events_total{node="store-1-t9"} 2');
    expect(metrics).toContain('stocknerve_clock_skew_nodes 1');
    expect(metrics).toContain('stocknerve_dead_letters_total{reason="clock-skew"} 1');
  });

  it('shows in the store health report', async () => {
    const res = await fetch(`${hub.url}/reports/api/stores`, { headers: { Authorization: `Bearer ${MANAGER_TOKEN}` } });
    expect(res.status).toBe(200);
    const report = (await res.json()) as {
      kpis: Record<string, number | null>;
      tables: Record<string, { rows: Record<string, string | number | null>[] }>;
    };
    expect(report.kpis['clocks-wrong']).toBe(1);
    expect(report.tables.nodes?.rows.find((r) => r.node === 'store-1-t9')).toMatchObject({
      clock: expect.stringMatching(/^\d+ d( \d+ h)? ahead$/),
      clockSkewEvents: 2,
    });
  });

  it('is no longer flagged once its events come in time again; the history stays', async () => {
    const fixed = eventFactory({ location: 'store-1', node: 'store-1-t9', startMs: Date.now(), stepMs: 1 });
    fixed.next(received(1, 'skip-1'));
    fixed.next(received(1, 'skip-2'));
    await appliedThrough(await publishStoreEvents(js, 'north', [fixed.next(received(4, 'po-9'))]));
    expect(onHand()).toBe(9);
    expect((await nodes()).find((n) => n.node === 'store-1-t9')).toMatchObject({
      flags: [],
      clockSkew: { events: 2, current: false },
    });
  });

  it('gives the same views after a rebuild: the rule judges by the store time, not the hub’s clock', async () => {
    const before = dumpViews(hub.ctx.store);
    await hub.ctx.rebuild();
    expect(dumpViews(hub.ctx.store)).toEqual(before);
  });
});

describe('the hub’s time', () => {
  it('answers on TIME_SUBJECT with its clock and the bound', async () => {
    const before = Date.now();
    const reply = (await nc.request(TIME_SUBJECT, '', { timeout: 2000 })).json<{ now: number; maxSkewMs: number }>();
    expect(reply.maxSkewMs).toBe(hub.ctx.config.maxClockSkewMs);
    expect(reply.now).toBeGreaterThanOrEqual(before - 5);
    expect(reply.now).toBeLessThanOrEqual(Date.now() + 5);
  });
});
