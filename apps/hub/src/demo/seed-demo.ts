import { jetstream } from '@nats-io/jetstream';
import type { ConnectionOptions } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import {
  deterministicEventId,
  formatHlc,
  hlcNow,
  hlcZero,
  type InventoryEvent,
  parseHlc,
  stampEvent,
} from '@stocknerve/domain';
import { type Heartbeat, heartbeatSubject, type NodeIdentity, storeEventSubject } from '@stocknerve/protocol';
import { DEMO_CATALOG, DEMO_LOCATIONS } from './demo-data.js';
import { backOfficeNode, demoHistory } from './demo-history.js';

export interface SeedOptions {
  readonly hubUrl: string;
  readonly adminToken: string;
  /** How the back-office node of a location connects (its own terminal credentials). */
  readonly nats: (identity: NodeIdentity) => Promise<ConnectionOptions>;
  /** The clock, ms since epoch. Default `Date.now`. */
  readonly now?: () => number;
}

/** The click-and-collect order the demo's store cannot fill: its one open incident. */
const DEMO_REJECTED_PICKUP = {
  pickupId: 'PU-DEMO-1042',
  channel: 'web',
  location: 'store-002',
  orderRef: '1042',
  customerName: 'Jane Doe',
  lines: [{ sku: 'SKU-1003', qty: 2 }],
} as const;
/** How long the seed waits for the hub to project the stock a pickup needs. */
const PROJECTION_WAIT_MS = 30_000;

const call = async (options: SeedOptions, method: string, path: string, body: unknown) => {
  const response = await fetch(`${options.hubUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${options.adminToken}` },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.json() as Promise<unknown>;
};

/** Places the demo pickup once the hub has projected the store's stock (409 until then). */
const placeDemoPickup = async (options: SeedOptions): Promise<void> => {
  const until = Date.now() + PROJECTION_WAIT_MS;
  for (;;) {
    const response = await fetch(`${options.hubUrl}/v1/pickups`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${options.adminToken}` },
      body: JSON.stringify(DEMO_REJECTED_PICKUP),
    });
    if (response.ok) return;
    if (response.status !== 409 || Date.now() > until)
      throw new Error(`POST /v1/pickups: ${response.status} ${await response.text()}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
};

/** The store's rejection of the demo pickup, recorded after its history. */
const rejection = (last: InventoryEvent, nowMs: number): InventoryEvent => {
  const seq = last.seq + 1;
  return stampEvent(
    {
      type: 'PickupRejected',
      data: {
        pickupId: DEMO_REJECTED_PICKUP.pickupId,
        reason: 'item-not-found',
        note: 'not on the shelf',
        missing: [...DEMO_REJECTED_PICKUP.lines],
      },
    },
    {
      id: deterministicEventId(nowMs, last.node, seq),
      location: last.location,
      node: last.node,
      seq,
      hlc: formatHlc(hlcNow(parseHlc(last.hlc) ?? hlcZero(last.node), nowMs)),
      occurredAt: new Date(nowMs).toISOString(),
      correlationId: `seed-${last.location}-${seq}`,
    },
  );
};

/**
 * Seeds the demo through a running hub: master data through its admin API; on a hub without
 * locations, 28 days of history from each location's back-office node (starting stock, then till
 * receipts that leave most stores near their target cover, two SKUs low) and a click-and-collect
 * order a store rejects. Every run ends with a heartbeat from each back office, so the stores are
 * fresh when the demo starts; only a running terminal keeps them so (the demo till, store-001), and
 * the others turn stale 5 minutes later. Running it again adds no events.
 */
export const seedDemo = async (options: SeedOptions): Promise<void> => {
  const now = options.now ?? Date.now;
  const existing = await fetch(`${options.hubUrl}/v1/locations`, {
    headers: { authorization: `Bearer ${options.adminToken}` },
  });
  const known = existing.ok ? (((await existing.json()) as { locations?: unknown[] }).locations?.length ?? 0) : 0;
  // History is stamped relative to today: on another day the same node seqs would carry other events.
  const fresh = known === 0;
  if (fresh) {
    for (const l of DEMO_LOCATIONS) await call(options, 'POST', '/v1/admin/locations', l);
    for (const { sku, ...item } of DEMO_CATALOG) await call(options, 'PUT', `/v1/admin/catalog/${sku}`, item);
    await call(options, 'PUT', '/v1/admin/allocations', {
      channel: 'web',
      sku: null,
      rule: { kind: 'share', share: 0.8 },
    });
    await call(options, 'PUT', '/v1/admin/allocations', {
      channel: 'marketplace',
      sku: null,
      rule: { kind: 'cap', cap: 20 },
    });
    for (const l of DEMO_LOCATIONS)
      if (l.kind === 'store')
        await call(options, 'PUT', '/v1/admin/safety-stock', { sku: 'SKU-1018', location: l.location, qty: 1 });
  }

  const seededAt = now();
  let events = 0;
  for (const [li, l] of DEMO_LOCATIONS.entries()) {
    const node = backOfficeNode(l.location);
    const nc = await connect(await options.nats({ node, location: l.location, region: l.region }));
    const js = jetstream(nc);
    const history = demoHistory(li, seededAt);
    let lastSeq = history.at(-1)?.seq ?? 0;
    if (fresh) {
      for (const event of history)
        await js.publish(storeEventSubject(l.region, l.location, node), JSON.stringify(event), { msgID: event.id });
      events += history.length;
      const last = history.at(-1);
      if (l.location === DEMO_REJECTED_PICKUP.location && last) {
        await placeDemoPickup(options);
        const rejected = rejection(last, now());
        await js.publish(storeEventSubject(l.region, l.location, node), JSON.stringify(rejected), {
          msgID: rejected.id,
        });
        events++;
        lastSeq = rejected.seq;
      }
    }
    const heartbeat: Heartbeat = {
      node,
      location: l.location,
      region: l.region,
      pending: 0,
      oldestPendingAgeMs: null,
      lastAckedSeq: lastSeq,
      appVersion: 'seed-demo',
    };
    nc.publish(heartbeatSubject(l.region, l.location, node), JSON.stringify(heartbeat));
    await nc.drain();
  }
  console.log(
    fresh
      ? `seeded ${DEMO_LOCATIONS.length} locations, ${DEMO_CATALOG.length} products, ${events} events of history`
      : 'demo already seeded: heartbeats sent',
  );
};
