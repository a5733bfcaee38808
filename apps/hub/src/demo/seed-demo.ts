import { jetstream } from '@nats-io/jetstream';
import type { ConnectionOptions } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { type DecidedEvent, deterministicEventId, formatHlc, hlcNow, hlcZero, stampEvent } from '@stocknerve/domain';
import { type NodeIdentity, storeEventSubject } from '@stocknerve/protocol';
import { DEMO_CATALOG, DEMO_LOCATIONS, demoStartingQty } from './demo-data.js';

export interface SeedOptions {
  readonly hubUrl: string;
  readonly adminToken: string;
  /** How the back-office node of a location connects (its own terminal credentials). */
  readonly nats: (identity: NodeIdentity) => Promise<ConnectionOptions>;
}

const call = async (options: SeedOptions, method: string, path: string, body: unknown) => {
  const response = await fetch(`${options.hubUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${options.adminToken}` },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.json() as Promise<unknown>;
};

/**
 * Seeds demo master data through the hub's admin API and starting stock as goods-received events
 * from each location's back-office node. Event ids and seqs are deterministic, so running it twice
 * changes nothing (the hub absorbs the duplicates).
 */
export const seedDemo = async (options: SeedOptions): Promise<void> => {
  const existing = await fetch(`${options.hubUrl}/v1/locations`, {
    headers: { authorization: `Bearer ${options.adminToken}` },
  });
  const known = existing.ok ? (((await existing.json()) as { locations?: unknown[] }).locations?.length ?? 0) : 0;
  if (known === 0) {
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

  const seededAt = Date.UTC(2026, 10, 1, 8, 0, 0);
  for (const [li, l] of DEMO_LOCATIONS.entries()) {
    const node = `${l.location}-backoffice`;
    const nc = await connect(await options.nats({ node, location: l.location, region: l.region }));
    const js = jetstream(nc);
    const decided: DecidedEvent = {
      type: 'GoodsReceived',
      data: {
        purchaseOrderId: `PO-DEMO-${l.location}`,
        lines: DEMO_CATALOG.map((item, si) => ({ sku: item.sku, qty: demoStartingQty(li, si) })),
      },
    };
    const event = stampEvent(decided, {
      id: deterministicEventId(seededAt, node, 1),
      location: l.location,
      node,
      seq: 1,
      hlc: formatHlc(hlcNow(hlcZero(node), seededAt)),
      occurredAt: new Date(seededAt).toISOString(),
      correlationId: `seed-${l.location}`,
    });
    await js.publish(storeEventSubject(l.region, l.location, node), JSON.stringify(event), { msgID: event.id });
    await nc.drain();
  }
  console.log(
    `seeded ${DEMO_LOCATIONS.length} locations, ${DEMO_CATALOG.length} products, starting stock at every location`,
  );
};
