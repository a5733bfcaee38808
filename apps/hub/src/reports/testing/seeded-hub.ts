import type { JetStreamClient } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import {
  applyEvent,
  availableOf,
  type DecidedEvent,
  decideStoreCommand,
  type HubCommand,
  type InventoryEvent,
  inventoryView,
  type StoreCommand,
  stockFiguresOf,
} from '@stocknerve/domain';
import { eventFactory } from '@stocknerve/domain/testing';
import { heartbeatSubject, storeEventSubject } from '@stocknerve/protocol';
import { type NatsServerProcess, startNatsServer, waitFor } from '@stocknerve/test-harness';
import { loadConfig } from '../../config.js';
import { type HubHandle, startHub } from '../../hub.js';
import {
  ADMIN_TOKEN,
  ECOMMERCE_TOKEN,
  hubNatsConfig,
  MANAGER_TOKEN,
  natsClient,
  publishStoreEvents,
  recordHubFacts,
} from '../../testing/hub-fixture.js';
import { generateRetailNetwork, type RetailNetwork, type RetailNetworkOptions } from './retail-network.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/**
 * How far the hub's clock runs ahead of the real one: JetStream stamps events with real time, so a
 * node that sends no heartbeat looks silent for this long (offline), while heartbeats (stamped with
 * the hub's clock) keep the others online. Kept between 02:00 and 23:00 UTC on the hub's clock, so
 * that "today" holds through a test run.
 */
const clockOffsetFor = (realMs: number): number => {
  const offset = 2 * HOUR_MS;
  const timeOfDay = (realMs + offset) % DAY_MS;
  if (timeOfDay < 2 * HOUR_MS) return offset + 2 * HOUR_MS;
  if (timeOfDay > 23 * HOUR_MS) return offset + 4 * HOUR_MS;
  return offset;
};

/** What the seed did beyond the generated history, for the tests' expectations. */
export interface SeedScenario {
  /** Open reservation ids by location (null: network-wide). */
  readonly openReservations: readonly { id: string; location: string | null; lines: { sku: string; qty: number }[] }[];
  readonly openPickups: readonly { id: string; location: string; lines: { sku: string; qty: number }[] }[];
  readonly rejectedPickup: { id: string; location: string; sku: string; qty: number; customer: string };
  readonly oversell: { location: string; sku: string };
  /** Node → heartbeat sent (absent: none). */
  readonly heartbeats: ReadonlyMap<string, { pending: number; oldestPendingAgeMs: number | null }>;
  readonly staleLocation: string;
  readonly offlineLocation: string;
  /** Dead letters published, by reason. */
  readonly deadLetters: ReadonlyMap<string, number>;
}

/** A running hub with the seeded network, and ways to add to it. */
export interface SeededHub {
  readonly server: NatsServerProcess;
  readonly hub: HubHandle;
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly net: RetailNetwork;
  /** Store events the hub received (generated history and the scenario's own), in publish order. */
  readonly published: InventoryEvent[];
  /** Events the hub decided for the scenario (reservations, pickups). */
  readonly hubEvents: InventoryEvent[];
  readonly scenario: SeedScenario;
  /** The hub's clock, ms. */
  now(): number;
  /**
   * Decides a store command at a node like the node would, stamps it with the node's factory (tills
   * step about 15 minutes past the history's end, so use a till without earlier scenario events) and
   * publishes it; resolves with its stream seq.
   */
  storeCommand(node: string, command: StoreCommand): Promise<{ event: InventoryEvent; seq: number }>;
  /** Waits until the views include stream sequence `seq`. */
  applied(seq: number): Promise<void>;
  readonly timings: Readonly<Record<string, number>>;
  close(): Promise<void>;
}

/**
 * Starts a nats-server and a hub and seeds a realistic network: master data through the hub's own
 * writer, weeks of store events published the way nodes publish them, then today's operational
 * story (reservations, click-and-collect, an oversell from a late sale, a rejected pickup, dead
 * letters, heartbeats with a stale and an offline store).
 */
export const startSeededHub = async (options: Partial<RetailNetworkOptions> = {}): Promise<SeededHub> => {
  const timings: Record<string, number> = {};
  let mark = performance.now();
  const lap = (name: string) => {
    const t = performance.now();
    timings[name] = Math.round(t - mark);
    mark = t;
  };
  let offsetMs = clockOffsetFor(Date.now());
  const now = () => Date.now() + offsetMs;
  const net = generateRetailNetwork({ ...options, endMs: options.endMs ?? now() - 20 * MINUTE_MS });
  lap('generate');

  const server = await startNatsServer();
  const hub = await startHub(
    loadConfig(
      {},
      {
        ...hubNatsConfig(server),
        httpPort: 0,
        dbPath: ':memory:',
        tokens: { [ADMIN_TOKEN]: 'admin', [ECOMMERCE_TOKEN]: 'ecommerce', [MANAGER_TOKEN]: 'manager' },
        logLevel: 'silent',
        kvFlushMs: 200,
        // The network's events are stamped by the hub's clock, hours ahead of the store times
        // JetStream gives them: within this bound the clock rule takes them as they are.
        maxClockSkewMs: 8 * HOUR_MS,
      },
    ),
    { now },
  );
  const { nc, js } = await natsClient(server);
  const regionOf = new Map(net.locations.map((l) => [l.location, l.region]));
  const applied = async (seq: number) => {
    await waitFor(() => hub.ctx.projector.checkpoint >= seq, { timeoutMs: 60_000, message: `stream seq ${seq}` });
  };

  // Master data: locations one by one through the fixture, the rest in batches through the same writer.
  const locations = net.masterData.filter((f) => f.type === 'LocationDefined');
  await recordHubFacts(hub, locations);
  const rest = net.masterData.filter((f) => f.type !== 'LocationDefined');
  for (let i = 0; i < rest.length; i += 500) {
    const chunk = rest.slice(i, i + 500);
    const result = await hub.ctx.bus.run(() => ({ ok: true, events: chunk }), { correlationId: 'seed-master-data' });
    if (!result.decision.ok) throw new Error('master data refused');
  }
  lap('masterData');

  const published: InventoryEvent[] = [];
  let lastSeq = 0;
  const publish = async (events: readonly InventoryEvent[]) => {
    for (const region of new Set(events.map((e) => regionOf.get(e.location) ?? ''))) {
      const mine = events.filter((e) => regionOf.get(e.location) === region);
      for (let i = 0; i < mine.length; i += 1000) {
        const seqs = await publishStoreEvents(js, region, mine.slice(i, i + 1000));
        lastSeq = Math.max(lastSeq, ...seqs);
      }
    }
    published.push(...events);
  };
  await publish(net.storeEvents);
  await applied(lastSeq);
  lap('storeEvents');

  // Today's operations, decided by the hub (reservations, pickups) and by the stores' nodes.
  const hubEvents: InventoryEvent[] = [];
  const execute = async (command: HubCommand) => {
    const result = await hub.ctx.bus.execute(command, { correlationId: `seed-${command.type}` });
    if (!result.decision.ok) throw new Error(`${command.type} refused: ${result.decision.message}`);
    for (const e of result.events) applyEvent(net.state, e);
    hubEvents.push(...result.events);
  };
  const view = inventoryView(net.state);
  const storeCommand = async (node: string, command: StoreCommand) => {
    const factory = net.factories.get(node);
    const location = net.nodes.find((n) => n.node === node)?.location;
    if (!factory || !location) throw new Error(`unknown node ${node}`);
    const decision = decideStoreCommand(command, view, { now: now(), location, node });
    if (!decision.ok) throw new Error(`${command.type} refused at ${node}: ${decision.message}`);
    const [decided] = decision.events as DecidedEvent[];
    if (!decided) throw new Error(`${command.type} decided nothing`);
    const event = factory.next(decided);
    applyEvent(net.state, event);
    await publish([event]);
    return { event, seq: lastSeq };
  };
  /** A SKU with plenty to promise at a store (at least `margin` available), in catalog order. */
  const plentiful = (location: string, margin: number, skip: readonly string[] = []): string => {
    for (const e of net.masterData) {
      if (e.type !== 'CatalogItemUpserted' || skip.includes(e.data.sku)) continue;
      if (availableOf(stockFiguresOf(net.state, e.data.sku, location)) >= margin) return e.data.sku;
    }
    throw new Error(`no SKU with ${margin} available at ${location}`);
  };
  const expiresAt = new Date(now() + DAY_MS).toISOString();
  const reservation = (id: string, channel: string, location: string | null, lines: { sku: string; qty: number }[]) =>
    execute({
      type: 'PlaceReservation',
      data: { reservationId: id, channel, location, lines, expiresAt, idempotencyKey: `key-${id}` },
    });
  const openReservations: { id: string; location: string | null; lines: { sku: string; qty: number }[] }[] = [];
  const reserve = async (
    id: string,
    channel: string,
    location: string | null,
    lines: { sku: string; qty: number }[],
  ) => {
    await reservation(id, channel, location, lines);
    openReservations.push({ id, location, lines });
  };
  await reserve('RES-1001', 'web', 'store-n01', [{ sku: plentiful('store-n01', 8), qty: 2 }]);
  await reserve('RES-1002', 'marketplace', 'store-s01', [
    { sku: plentiful('store-s01', 8), qty: 1 },
    { sku: plentiful('store-s01', 8, [plentiful('store-s01', 8)]), qty: 3 },
  ]);
  await execute({ type: 'ConfirmReservation', data: { reservationId: 'RES-1002' } });
  await reserve('RES-1003', 'web', 'store-w02', [{ sku: plentiful('store-w02', 8), qty: 1 }]);
  await reservation('RES-1004', 'web', 'store-n02', [{ sku: plentiful('store-n02', 8), qty: 1 }]);
  await execute({ type: 'ReleaseReservation', data: { reservationId: 'RES-1004', reason: 'cancelled' } });
  await reserve('RES-1005', 'web', null, [{ sku: plentiful('dc-north', 50), qty: 4 }]);

  const pickup = (id: string, location: string, customerName: string, lines: { sku: string; qty: number }[]) =>
    execute({
      type: 'PlacePickupOrder',
      data: { pickupId: id, channel: 'web', location, orderRef: `WEB-${id.slice(-4)}`, customerName, lines },
    });
  const openPickups: { id: string; location: string; lines: { sku: string; qty: number }[] }[] = [];
  const pickupLines = (location: string) => [{ sku: plentiful(location, 6), qty: 1 }];
  for (const [id, location, customer] of [
    ['PU-2001', 'store-n01', 'Camille Martin'],
    ['PU-2002', 'store-s01', 'Hugo Bernard'],
    ['PU-2005', 'store-s02', 'Léa Dubois'],
  ] as const) {
    const lines = pickupLines(location);
    await pickup(id, location, customer, lines);
    openPickups.push({ id, location, lines });
  }
  await storeCommand('store-s01-till1', { type: 'PickPickup', data: { pickupId: 'PU-2002' } });
  await pickup('PU-2003', 'store-w01', 'Nathan Petit', pickupLines('store-w01'));
  await storeCommand('store-w01-till1', { type: 'HandOverPickup', data: { pickupId: 'PU-2003' } });
  const rejectedLines = pickupLines('store-n02');
  await pickup('PU-2004', 'store-n02', 'Chloé Robert', rejectedLines);
  const rejectedSku = rejectedLines[0]?.sku ?? '';
  await storeCommand('store-n02-till1', {
    type: 'RejectPickup',
    data: {
      pickupId: 'PU-2004',
      reason: 'item-not-found',
      note: 'not on the shelf',
      missing: [{ sku: rejectedSku, qty: 1 }],
    },
  });

  // An oversell: a reservation holds 2 units, then a sale that happened offline takes all but one.
  const oversellSku = plentiful('store-n04', 6);
  await reserve('RES-1006', 'web', 'store-n04', [{ sku: oversellSku, qty: 2 }]);
  const onHand = stockFiguresOf(net.state, oversellSku, 'store-n04').onHand;
  await storeCommand('store-n04-till1', {
    type: 'RecordSale',
    data: {
      receiptId: 'R-store-n04-offline-1',
      currency: 'EUR',
      lines: [{ sku: oversellSku, qty: onHand - 1, unitPriceCents: 1999 }],
    },
  });

  // Dead letters: broken JSON, an undefined location, a store event on another store's subject.
  const stray = eventFactory({ location: 'store-n99', node: 'store-n99-till1', startMs: now() - HOUR_MS });
  const sale: DecidedEvent = {
    type: 'SaleRecorded',
    data: {
      receiptId: 'R-stray-1',
      currency: 'EUR',
      lines: [{ sku: 'SKU-10001', qty: 1, unitPriceCents: 999 }],
      totalCents: 999,
    },
  };
  const strayEvent = stray.next(sale);
  const elsewhere = eventFactory({ location: 'store-s01', node: 'store-s01-till9', startMs: now() - HOUR_MS }).next(
    sale,
  );
  const acks = [
    await js.publish(storeEventSubject('north', 'store-n01', 'store-n01-till1'), '{"type":"SaleRecorded", "data": ', {
      msgID: 'broken-json-1',
    }),
    await js.publish(storeEventSubject('north', 'store-n99', 'store-n99-till1'), JSON.stringify(strayEvent), {
      msgID: strayEvent.id,
    }),
    await js.publish(storeEventSubject('north', 'store-n01', 'store-n01-till1'), JSON.stringify(elsewhere), {
      msgID: elsewhere.id,
    }),
  ];
  lastSeq = Math.max(lastSeq, ...acks.map((a) => a.seq));
  await applied(lastSeq);
  await waitFor(() => (hub.ctx.store.get<{ n: number }>('SELECT COUNT(*) AS n FROM incidents')?.n ?? 0) >= 2, {
    timeoutMs: 15_000,
    message: 'the oversell and pickup incidents',
  });
  lap('operations');

  // Heartbeats: store-n03 last heard 10 minutes ago (stale), store-w04 never (offline: its events are
  // "two hours old" on the hub's clock), everyone else now; two tills report a backlog.
  const heartbeats = new Map<string, { pending: number; oldestPendingAgeMs: number | null }>();
  const beat = (node: (typeof net.nodes)[number], pending: number, oldestPendingAgeMs: number | null) => {
    const factory = net.factories.get(node.node);
    nc.publish(
      heartbeatSubject(node.region, node.location, node.node),
      JSON.stringify({
        node: node.node,
        location: node.location,
        region: node.region,
        pending,
        oldestPendingAgeMs,
        lastAckedSeq: factory?.lastSeq ?? 0,
        appVersion: '1.4.2',
      }),
    );
    heartbeats.set(node.node, { pending, oldestPendingAgeMs });
  };
  const realOffset = offsetMs;
  offsetMs = realOffset - 10 * MINUTE_MS;
  for (const n of net.nodes.filter((n) => n.location === 'store-n03')) beat(n, 0, null);
  await nc.flush();
  await waitFor(() => (hub.ctx.store.get<{ n: number }>('SELECT COUNT(*) AS n FROM node_heartbeats')?.n ?? 0) >= 2, {
    message: 'stale heartbeats',
  });
  offsetMs = realOffset;
  for (const n of net.nodes) {
    if (n.location === 'store-n03' || n.location === 'store-w04') continue;
    if (n.node === 'store-s03-till1') beat(n, net.withheld.length, 14 * MINUTE_MS);
    else if (n.node === 'store-n02-till1') beat(n, 17, 4 * MINUTE_MS);
    else beat(n, 0, null);
  }
  await nc.flush();
  await waitFor(
    () => (hub.ctx.store.get<{ n: number }>('SELECT COUNT(*) AS n FROM node_heartbeats')?.n ?? 0) >= heartbeats.size,
    { message: 'heartbeats' },
  );
  lap('heartbeats');

  return {
    server,
    hub,
    nc,
    js,
    net,
    published,
    hubEvents,
    scenario: {
      openReservations,
      openPickups,
      rejectedPickup: { id: 'PU-2004', location: 'store-n02', sku: rejectedSku, qty: 1, customer: 'Chloé Robert' },
      oversell: { location: 'store-n04', sku: oversellSku },
      heartbeats,
      staleLocation: 'store-n03',
      offlineLocation: 'store-w04',
      deadLetters: new Map([
        ['invalid-json', 1],
        ['unknown-location', 1],
        ['subject-mismatch', 1],
      ]),
    },
    now,
    storeCommand,
    applied,
    timings,
    close: async () => {
      await nc.drain().catch(() => undefined);
      await hub.close();
      await server.dispose();
    },
  };
};
