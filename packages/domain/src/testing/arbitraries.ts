import fc from 'fast-check';
import type { DecidedEvent } from '../deciders/decision.js';
import type { HubCommand } from '../deciders/hub-commands.js';
import { HUB_LOCATION, HUB_NODE } from '../events/envelope.js';
import type { SkuLine } from '../events/lines.js';
import type { InventoryEvent } from '../events/registry.js';
import type { AdjustmentReason } from '../events/store-events.js';
import { formatHlc, type Hlc } from '../hlc.js';
import { uuidv7 } from '../ids.js';
import type { LocationTrust } from '../projection/quantities.js';
import { eventFactory } from './event-factory.js';

// fast-check arbitraries for property tests of the domain: ids, clocks, and whole "worlds" of
// per-node event streams built with `eventFactory`, the way real nodes stamp their events.

/** 2026-01-01T00:00:00Z: the simulated epoch of generated worlds (ms). */
export const WORLD_START_MS = Date.UTC(2026, 0, 1);

/** A location, region or node id (a NATS subject token). */
export const slugArb = (): fc.Arbitrary<string> => fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,15}$/);

/** A SKU. */
export const skuArb = (): fc.Arbitrary<string> => fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,15}$/);

/** A business reference (receipt, transfer, adjustment id...). */
export const referenceArb = (): fc.Arbitrary<string> => fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,23}$/);

/** The 10 random bytes `uuidv7` needs. */
export const uuidRandomArb = (): fc.Arbitrary<Uint8Array> => fc.uint8Array({ minLength: 10, maxLength: 10 });

/** A unix time in ms that fits UUIDv7's 48-bit timestamp. */
export const uuidMsArb = (): fc.Arbitrary<number> => fc.integer({ min: 0, max: 2 ** 48 - 1 });

/** Any HLC the text form can carry: ms below 10^15, counter up to 999,999. */
export const hlcArb = (node: fc.Arbitrary<string> = slugArb()): fc.Arbitrary<Hlc> =>
  fc.record({
    wallMs: fc.integer({ min: 0, max: 10 ** 15 - 1 }),
    counter: fc.integer({ min: 0, max: 999_999 }),
    node,
  });

/** Envelope fields of a valid stored event (id, location, node, seq, hlc, occurredAt, correlation). */
export const envelopeArb = () =>
  fc
    .record({
      ms: fc.integer({ min: WORLD_START_MS, max: WORLD_START_MS + 365 * 86_400_000 }),
      counter: fc.integer({ min: 0, max: 999_999 }),
      random: uuidRandomArb(),
      location: slugArb(),
      node: slugArb(),
      seq: fc.integer({ min: 1, max: 1_000_000 }),
      correlationId: referenceArb(),
    })
    .map(({ ms, counter, random, location, node, seq, correlationId }) => ({
      id: uuidv7(ms, random),
      location,
      node,
      seq,
      hlc: formatHlc({ wallMs: ms, counter, node }),
      occurredAt: new Date(ms).toISOString(),
      correlationId,
    }));

const REASONS: readonly AdjustmentReason[] = ['damage', 'theft', 'found', 'correction', 'expiry'];

/** A delta whose sign fits the reason: damage, theft, expiry remove; found adds; correction either. */
export const adjustmentLineArb = (reason: AdjustmentReason, sku: fc.Arbitrary<string> = skuArb()) =>
  fc.record({ sku, magnitude: fc.integer({ min: 1, max: 1_000 }), negative: fc.boolean() }).map((l) => ({
    sku: l.sku,
    delta: reason === 'found' ? l.magnitude : reason === 'correction' && !l.negative ? l.magnitude : -l.magnitude,
  }));

/** A raw StockAdjusted v1 event (single SKU), as stored before v2 existed; valid by its schema. */
export const stockAdjustedV1Arb = () =>
  fc
    .record({ envelope: envelopeArb(), adjustmentId: referenceArb(), reason: fc.constantFrom(...REASONS) })
    .chain(({ envelope, adjustmentId, reason }) =>
      adjustmentLineArb(reason).map(({ sku, delta }) => ({
        ...envelope,
        type: 'StockAdjusted' as const,
        version: 1 as const,
        data: { adjustmentId, sku, delta, reason },
      })),
    );

// ---------------------------------------------------------------------------------------------
// Worlds: several nodes, each with its own ordered stream of events.

/** A simulated node: where it records, and its wall clock (start and step per event, ms). */
export interface NodeSpec {
  readonly node: string;
  readonly location: string;
  readonly startMs: number;
  readonly stepMs: number;
}

/** Every node's own events in the order it recorded them. */
export interface World {
  readonly skus: readonly string[];
  readonly locations: readonly string[];
  readonly nodes: readonly NodeSpec[];
  /** One stream per node, index-aligned with `nodes`. */
  readonly streams: readonly (readonly InventoryEvent[])[];
}

export interface WorldOptions {
  /** Include cycle counts in store streams (default true). */
  readonly counts?: boolean;
  /** Add the hub as a node placing reservations, pickup orders and safety stock (default false). */
  readonly hub?: boolean;
  /** Most events per node (default 10). */
  readonly maxEventsPerNode?: number;
}

const SKUS = ['SKU-A', 'SKU-B', 'SKU-C'] as const;
const CHANNELS = ['web', 'marketplace-a'] as const;

type Line = { sku: string; qty: number };

const linesArb = (skus: readonly string[], maxQty = 10): fc.Arbitrary<Line[]> =>
  fc.uniqueArray(fc.record({ sku: fc.constantFrom(...skus), qty: fc.integer({ min: 1, max: maxQty }) }), {
    selector: (l) => l.sku,
    minLength: 1,
    maxLength: skus.length,
  });

/** What a store node does next, before ids and cross-node references are resolved. */
type StoreStep =
  | { readonly k: 'sale'; readonly lines: (Line & { price: number })[] }
  | { readonly k: 'return'; readonly onReceipt: boolean; readonly lines: (Line & { damaged: boolean })[] }
  | { readonly k: 'receive'; readonly lines: Line[] }
  | { readonly k: 'adjust'; readonly reason: AdjustmentReason; readonly lines: { sku: string; delta: number }[] }
  | { readonly k: 'count'; readonly lines: { sku: string; countedQty: number }[] }
  | { readonly k: 'ship'; readonly lines: Line[] }
  | { readonly k: 'receiveTransfer'; readonly pick: number; readonly shortBy: number; readonly lines: Line[] }
  | { readonly k: 'handOver' | 'rejectPickup'; readonly pick: number };

type HubStep =
  | { readonly k: 'reserve'; readonly channel: string; readonly at: number | null; readonly lines: Line[] }
  | { readonly k: 'confirm' | 'release' | 'expire'; readonly pick: number }
  | { readonly k: 'pickup'; readonly channel: string; readonly at: number; readonly lines: Line[] }
  | { readonly k: 'safety'; readonly sku: string; readonly at: number; readonly qty: number };

const storeStepArb = (skus: readonly string[], twoLocations: boolean, options: WorldOptions) => {
  const steps: fc.Arbitrary<StoreStep>[] = [
    fc.record({
      k: fc.constant('sale' as const),
      lines: fc.uniqueArray(
        fc.record({
          sku: fc.constantFrom(...skus),
          qty: fc.integer({ min: 1, max: 5 }),
          price: fc.integer({ min: 0, max: 5_000 }),
        }),
        { selector: (l) => l.sku, minLength: 1, maxLength: skus.length },
      ),
    }),
    fc.record({
      k: fc.constant('return' as const),
      onReceipt: fc.boolean(),
      lines: fc.uniqueArray(
        fc.record({ sku: fc.constantFrom(...skus), qty: fc.integer({ min: 1, max: 3 }), damaged: fc.boolean() }),
        { selector: (l) => l.sku, minLength: 1, maxLength: skus.length },
      ),
    }),
    fc.record({ k: fc.constant('receive' as const), lines: linesArb(skus, 20) }),
    fc.constantFrom(...REASONS).chain((reason) =>
      fc.record({
        k: fc.constant('adjust' as const),
        reason: fc.constant(reason),
        lines: fc.uniqueArray(adjustmentLineArb(reason, fc.constantFrom(...skus)), {
          selector: (l) => l.sku,
          minLength: 1,
          maxLength: skus.length,
        }),
      }),
    ),
  ];
  if (options.counts ?? true)
    steps.push(
      fc.record({
        k: fc.constant('count' as const),
        lines: fc.uniqueArray(
          fc.record({ sku: fc.constantFrom(...skus), countedQty: fc.integer({ min: 0, max: 30 }) }),
          { selector: (l) => l.sku, minLength: 1, maxLength: skus.length },
        ),
      }),
    );
  if (twoLocations)
    steps.push(
      fc.record({ k: fc.constant('ship' as const), lines: linesArb(skus, 5) }),
      fc.record({
        k: fc.constant('receiveTransfer' as const),
        pick: fc.nat(),
        shortBy: fc.integer({ min: 0, max: 2 }),
        lines: linesArb(skus, 5),
      }),
    );
  if (options.hub)
    steps.push(fc.record({ k: fc.constantFrom('handOver' as const, 'rejectPickup' as const), pick: fc.nat() }));
  return fc.oneof(...steps);
};

const hubStepArb = (skus: readonly string[], locationCount: number) =>
  fc.oneof(
    fc.record({
      k: fc.constant('reserve' as const),
      channel: fc.constantFrom(...CHANNELS),
      at: fc.option(fc.integer({ min: 0, max: locationCount - 1 }), { nil: null }),
      lines: linesArb(skus, 4),
    }),
    fc.record({ k: fc.constantFrom('confirm' as const, 'release' as const, 'expire' as const), pick: fc.nat() }),
    fc.record({
      k: fc.constant('pickup' as const),
      channel: fc.constantFrom(...CHANNELS),
      at: fc.integer({ min: 0, max: locationCount - 1 }),
      lines: linesArb(skus, 4),
    }),
    fc.record({
      k: fc.constant('safety' as const),
      sku: fc.constantFrom(...skus),
      at: fc.integer({ min: 0, max: locationCount - 1 }),
      qty: fc.integer({ min: 0, max: 5 }),
    }),
  );

const clockArb = fc.record({
  startOffsetMs: fc.integer({ min: 0, max: 5_000 }),
  stepMs: fc.integer({ min: 0, max: 3_000 }),
});

/** Claims the `pick`-th unclaimed candidate (cyclically), or undefined when none is left. */
const claim = <T>(candidates: T[], pick: number): T | undefined =>
  candidates.length === 0 ? undefined : candidates.splice(pick % candidates.length, 1)[0];

interface Shipment {
  readonly transferId: string;
  readonly from: string;
  readonly to: string;
  readonly lines: readonly SkuLine[];
}

interface PickupOrder {
  readonly pickupId: string;
  readonly location: string;
  readonly lines: readonly SkuLine[];
}

/**
 * 2-4 store nodes at 1-2 locations (plus the hub, optionally), each with its own ordered stream of
 * valid events stamped by `eventFactory`. Every node has a random start offset and wall-clock step,
 * so HLCs of different nodes interleave (step 0 makes the logical counter tick). Transfers shipped
 * by one location are received (possibly short) at the other; pickups placed by the hub are handed
 * over or rejected by a node at their store.
 */
export const worldArb = (options: WorldOptions = {}): fc.Arbitrary<World> =>
  fc
    .record({
      locationCount: fc.integer({ min: 1, max: 2 }),
      nodeCount: fc.integer({ min: 2, max: 4 }),
      skuCount: fc.integer({ min: 1, max: SKUS.length }),
    })
    .chain(({ locationCount, nodeCount, skuCount }) => {
      const skus = SKUS.slice(0, skuCount);
      const locations = Array.from({ length: locationCount }, (_, i) => `store-${i + 1}`);
      const max = options.maxEventsPerNode ?? 10;
      const store = fc.record({
        clock: clockArb,
        steps: fc.array(storeStepArb(skus, locationCount === 2, options), { maxLength: max }),
      });
      const hub = options.hub
        ? fc.record({ clock: clockArb, steps: fc.array(hubStepArb(skus, locationCount), { maxLength: max }) })
        : fc.constant(null);
      return fc
        .record({ stores: fc.array(store, { minLength: nodeCount, maxLength: nodeCount }), hub })
        .map(({ stores, hub }) => buildWorld(skus, locations, stores, hub));
    });

type Plan<S> = { clock: { startOffsetMs: number; stepMs: number }; steps: S[] };

const buildWorld = (
  skus: readonly string[],
  locations: readonly string[],
  stores: Plan<StoreStep>[],
  hub: Plan<HubStep> | null,
): World => {
  const nodes: NodeSpec[] = stores.map((plan, i) => {
    const location = locations[i % locations.length] ?? 'store-1';
    return {
      node: `${location}-t${Math.floor(i / locations.length) + 1}`,
      location,
      startMs: WORLD_START_MS + plan.clock.startOffsetMs,
      stepMs: plan.clock.stepMs,
    };
  });
  const hubDecided = hub ? hubEvents(hub.steps, locations) : { decided: [], pickups: [] };
  const pickups = [...hubDecided.pickups];
  const shipments: Shipment[] = [];
  stores.forEach((plan, i) => {
    const spec = nodes[i];
    const to = locations.find((l) => l !== spec?.location);
    plan.steps.forEach((step, n) => {
      if (step.k === 'ship' && spec && to)
        shipments.push({ transferId: `tr-${spec.node}-${n}`, from: spec.location, to, lines: step.lines });
    });
  });
  const streams = stores.map((plan, i) => {
    const spec = nodes[i] as NodeSpec;
    const factory = eventFactory(spec);
    const events: InventoryEvent[] = [];
    const receipts: string[] = [];
    plan.steps.forEach((step, n) => {
      const decided = storeEvent(step, n, spec, locations, receipts, shipments, pickups);
      if (decided) events.push(factory.next(decided));
    });
    return events;
  });
  if (hub) {
    const factory = eventFactory({
      location: HUB_LOCATION,
      node: HUB_NODE,
      startMs: WORLD_START_MS + hub.clock.startOffsetMs,
      stepMs: hub.clock.stepMs,
    });
    nodes.push({
      node: HUB_NODE,
      location: HUB_LOCATION,
      startMs: WORLD_START_MS + hub.clock.startOffsetMs,
      stepMs: hub.clock.stepMs,
    });
    streams.push(hubDecided.decided.map((d) => factory.next(d)));
  }
  return { skus, locations, nodes, streams };
};

const storeEvent = (
  step: StoreStep,
  n: number,
  spec: NodeSpec,
  locations: readonly string[],
  receipts: string[],
  shipments: Shipment[],
  pickups: PickupOrder[],
): DecidedEvent | undefined => {
  const other = locations.find((l) => l !== spec.location) ?? spec.location;
  switch (step.k) {
    case 'sale': {
      const receiptId = `rc-${spec.node}-${n}`;
      receipts.push(receiptId);
      const lines = step.lines.map((l) => ({ sku: l.sku, qty: l.qty, unitPriceCents: l.price }));
      const totalCents = lines.reduce((sum, l) => sum + l.qty * l.unitPriceCents, 0);
      return { type: 'SaleRecorded', data: { receiptId, currency: 'EUR', lines, totalCents } };
    }
    case 'return': {
      const receiptId = step.onReceipt ? receipts[n % Math.max(1, receipts.length)] : undefined;
      const lines = step.lines.map((l) => ({
        sku: l.sku,
        qty: l.qty,
        restockTo: l.damaged ? ('damaged' as const) : ('sellable' as const),
      }));
      return {
        type: 'ReturnRecorded',
        data: { returnId: `rt-${spec.node}-${n}`, ...(receiptId ? { receiptId } : {}), lines },
      };
    }
    case 'receive':
      return { type: 'GoodsReceived', data: { purchaseOrderId: `po-${spec.node}-${n}`, lines: step.lines } };
    case 'adjust':
      return {
        type: 'StockAdjusted',
        data: { adjustmentId: `adj-${spec.node}-${n}`, reason: step.reason, lines: step.lines },
      };
    case 'count':
      return { type: 'CycleCounted', data: { countId: `cnt-${spec.node}-${n}`, lines: step.lines } };
    case 'ship':
      return {
        type: 'TransferShipped',
        data: { transferId: `tr-${spec.node}-${n}`, to: other, lines: step.lines },
      };
    case 'receiveTransfer': {
      const towardsHere = shipments.filter((s) => s.to === spec.location);
      const shipment = claim(towardsHere, step.pick);
      if (shipment) shipments.splice(shipments.indexOf(shipment), 1);
      const lines = shipment
        ? shipment.lines.map((l) => ({ sku: l.sku, qty: Math.max(0, l.qty - step.shortBy) }))
        : step.lines;
      return {
        type: 'TransferReceived',
        data: { transferId: shipment?.transferId ?? `tr-unknown-${spec.node}-${n}`, from: other, lines },
      };
    }
    case 'handOver':
    case 'rejectPickup': {
      const here = pickups.filter((p) => p.location === spec.location);
      const pickup = claim(here, step.pick);
      if (!pickup) return undefined;
      pickups.splice(pickups.indexOf(pickup), 1);
      return step.k === 'handOver'
        ? { type: 'PickupHandedOver', data: { pickupId: pickup.pickupId, lines: [...pickup.lines] } }
        : { type: 'PickupRejected', data: { pickupId: pickup.pickupId, reason: 'item-not-found' } };
    }
    default: {
      const unknown: never = step;
      throw new Error(`unknown step ${JSON.stringify(unknown)}`);
    }
  }
};

const hubEvents = (steps: readonly HubStep[], locations: readonly string[]) => {
  const decided: DecidedEvent[] = [];
  const pickups: PickupOrder[] = [];
  const reservations: string[] = [];
  steps.forEach((step, n) => {
    switch (step.k) {
      case 'reserve': {
        const reservationId = `res-${n}`;
        reservations.push(reservationId);
        decided.push({
          type: 'ReservationPlaced',
          data: {
            reservationId,
            channel: step.channel,
            location: step.at === null ? null : (locations[step.at] ?? null),
            lines: step.lines,
            expiresAt: new Date(WORLD_START_MS + 86_400_000).toISOString(),
            idempotencyKey: `key-${n}`,
          },
        });
        return;
      }
      case 'confirm':
      case 'release':
      case 'expire': {
        const reservationId = reservations[step.pick % Math.max(1, reservations.length)];
        if (!reservationId) return;
        decided.push(
          step.k === 'confirm'
            ? { type: 'ReservationConfirmed', data: { reservationId } }
            : step.k === 'release'
              ? { type: 'ReservationReleased', data: { reservationId, reason: 'cancelled' } }
              : { type: 'ReservationExpired', data: { reservationId } },
        );
        return;
      }
      case 'pickup': {
        const pickup = { pickupId: `pk-${n}`, location: locations[step.at] ?? 'store-1', lines: step.lines };
        pickups.push(pickup);
        decided.push({
          type: 'PickupOrderPlaced',
          data: { ...pickup, channel: step.channel, orderRef: `order-${n}` },
        });
        return;
      }
      case 'safety':
        decided.push({
          type: 'SafetyStockSet',
          data: { sku: step.sku, location: locations[step.at] ?? 'store-1', qty: step.qty },
        });
        return;
      default: {
        const unknown: never = step;
        throw new Error(`unknown step ${JSON.stringify(unknown)}`);
      }
    }
  });
  return { decided, pickups };
};

// ---------------------------------------------------------------------------------------------
// Delivery orders.

/** Any interleaving of the streams that keeps each stream's own order. */
export const interleavingArb = <T>(streams: readonly (readonly T[])[]): fc.Arbitrary<T[]> => {
  const owners = streams.flatMap((s, i) => s.map(() => i));
  return fc.shuffledSubarray(owners, { minLength: owners.length, maxLength: owners.length }).map((order) => {
    const next = streams.map(() => 0);
    return order.map((i) => {
      const position = next[i] ?? 0;
      next[i] = position + 1;
      return streams[i]?.[position] as T;
    });
  });
};

/** Any permutation of the items. */
export const permutationArb = <T>(items: readonly T[]): fc.Arbitrary<T[]> =>
  fc.shuffledSubarray([...items], { minLength: items.length, maxLength: items.length });

/**
 * The same delivery with redeliveries: copies (structurally cloned, as after a round trip) of
 * random items inserted at random positions after their original.
 */
export const withRedeliveriesArb = <T>(items: readonly T[]): fc.Arbitrary<T[]> =>
  fc
    .array(fc.record({ which: fc.nat(), offset: fc.nat() }), { minLength: 1, maxLength: Math.max(1, items.length) })
    .map((copies) => {
      const out = [...items];
      if (items.length === 0) return out;
      for (const { which, offset } of copies) {
        const original = items[which % items.length] as T;
        const after = out.indexOf(original);
        out.splice(after + 1 + (offset % (out.length - after)), 0, structuredClone(original));
      }
      return out;
    });

// ---------------------------------------------------------------------------------------------
// Hub scenarios: reservations decided one after another against the folded state.

export interface HubScenario {
  /** Stores and warehouses, all in region `north`. */
  readonly locations: readonly { readonly location: string; readonly kind: 'store' | 'warehouse' }[];
  readonly skus: readonly string[];
  /** Units received at each location before any command. */
  readonly stock: readonly { readonly location: string; readonly sku: string; readonly qty: number }[];
  readonly safety: readonly { readonly location: string; readonly sku: string; readonly qty: number }[];
  readonly allocations: readonly {
    readonly channel: string;
    readonly sku: string | null;
    readonly rule: { kind: 'share'; share: number } | { kind: 'cap'; cap: number };
  }[];
  /** The hub's trust in each location's figures, fixed for the whole scenario. */
  readonly trust: Readonly<Record<string, LocationTrust>>;
  /** Commands in order, each with the time the hub decides it at (ms). */
  readonly commands: readonly { readonly now: number; readonly command: HubCommand }[];
}

const trustArb: fc.Arbitrary<LocationTrust> = fc.oneof(
  { arbitrary: fc.constant({ kind: 'full' as const }), weight: 3 },
  fc.record({ kind: fc.constant('buffer' as const), units: fc.integer({ min: 1, max: 3 }) }),
  fc.constant({ kind: 'exclude' as const }),
);

type PlaceReservationData = Extract<HubCommand, { type: 'PlaceReservation' }>['data'];

type CommandStep =
  | { k: 'place'; channel: string; at: number | null; lines: Line[]; ttlMs: number; reuseKey: number | null }
  | { k: 'confirm' | 'release' | 'expire'; pick: number }
  | { k: 'pickup'; channel: string; at: number; lines: Line[] }
  | { k: 'wait'; ms: number };

/**
 * 1-3 locations with random stock, safety stock, allocation rules and trust, then up to 30
 * PlaceReservation / Confirm / Release / Expire / PlacePickupOrder commands with the clock moving
 * on (so holds come due). Ids refer to earlier reservations; some keys are replayed on purpose.
 */
export const hubScenarioArb = (): fc.Arbitrary<HubScenario> =>
  fc
    .record({ locationCount: fc.integer({ min: 1, max: 3 }), skuCount: fc.integer({ min: 1, max: 2 }) })
    .chain(({ locationCount, skuCount }) => {
      const skus = SKUS.slice(0, skuCount);
      const names = Array.from({ length: locationCount }, (_, i) => `loc-${i + 1}`);
      const cell = (max: number) =>
        fc.tuple(
          ...names.flatMap((location) =>
            skus.map((sku) => fc.integer({ min: 0, max }).map((qty) => ({ location, sku, qty }))),
          ),
        );
      const step: fc.Arbitrary<CommandStep> = fc.oneof(
        {
          arbitrary: fc.record({
            k: fc.constant('place' as const),
            channel: fc.constantFrom(...CHANNELS),
            at: fc.option(fc.integer({ min: 0, max: locationCount - 1 }), { nil: null }),
            lines: linesArb(skus, 8),
            ttlMs: fc.integer({ min: 1, max: 600_000 }),
            reuseKey: fc.oneof({ arbitrary: fc.constant(null), weight: 4 }, fc.nat()),
          }),
          weight: 4,
        },
        fc.record({ k: fc.constantFrom('confirm' as const, 'release' as const, 'expire' as const), pick: fc.nat() }),
        fc.record({
          k: fc.constant('pickup' as const),
          channel: fc.constantFrom(...CHANNELS),
          at: fc.integer({ min: 0, max: locationCount - 1 }),
          lines: linesArb(skus, 4),
        }),
        fc.record({ k: fc.constant('wait' as const), ms: fc.integer({ min: 1, max: 300_000 }) }),
      );
      const allocation = fc.record({
        channel: fc.constantFrom(...CHANNELS),
        sku: fc.option(fc.constantFrom(...skus), { nil: null }),
        rule: fc.oneof(
          fc.record({ kind: fc.constant('share' as const), share: fc.double({ min: 0, max: 1, noNaN: true }) }),
          fc.record({ kind: fc.constant('cap' as const), cap: fc.integer({ min: 0, max: 30 }) }),
        ),
      });
      return fc
        .record({
          kinds: fc.array(fc.constantFrom('store' as const, 'store' as const, 'warehouse' as const), {
            minLength: locationCount,
            maxLength: locationCount,
          }),
          stock: cell(20),
          safety: cell(3),
          allocations: fc.array(allocation, { maxLength: 2 }),
          trust: fc.array(trustArb, { minLength: locationCount, maxLength: locationCount }),
          steps: fc.array(step, { minLength: 1, maxLength: 30 }),
        })
        .map(({ kinds, stock, safety, allocations, trust, steps }) => ({
          locations: names.map((location, i) => ({ location, kind: kinds[i] ?? 'store' })),
          skus,
          stock,
          safety,
          allocations,
          trust: Object.fromEntries(names.map((l, i) => [l, trust[i] ?? { kind: 'full' }])),
          commands: commandsOf(steps, names),
        }));
    });

const commandsOf = (steps: readonly CommandStep[], names: readonly string[]) => {
  let now = WORLD_START_MS;
  const placed: PlaceReservationData[] = [];
  const commands: { now: number; command: HubCommand }[] = [];
  steps.forEach((step, n) => {
    switch (step.k) {
      case 'wait':
        now += step.ms;
        return;
      case 'place': {
        // An even reuseKey replays an earlier request verbatim; an odd one reuses its key for new content.
        const reused = step.reuseKey === null ? undefined : placed[step.reuseKey % Math.max(1, placed.length)];
        const data: PlaceReservationData =
          reused && step.reuseKey !== null && step.reuseKey % 2 === 0
            ? reused
            : {
                reservationId: `res-${n}`,
                channel: reused?.channel ?? step.channel,
                location: step.at === null ? null : (names[step.at] ?? null),
                lines: step.lines,
                expiresAt: new Date(now + step.ttlMs).toISOString(),
                idempotencyKey: reused?.idempotencyKey ?? `key-${n}`,
              };
        placed.push(data);
        commands.push({ now, command: { type: 'PlaceReservation', data } });
        return;
      }
      case 'confirm':
      case 'release':
      case 'expire': {
        const target = placed[step.pick % Math.max(1, placed.length)];
        const reservationId = target?.reservationId ?? `res-none-${n}`;
        commands.push({
          now,
          command:
            step.k === 'confirm'
              ? { type: 'ConfirmReservation', data: { reservationId } }
              : step.k === 'release'
                ? { type: 'ReleaseReservation', data: { reservationId, reason: 'cancelled' } }
                : { type: 'ExpireReservation', data: { reservationId } },
        });
        return;
      }
      case 'pickup':
        commands.push({
          now,
          command: {
            type: 'PlacePickupOrder',
            data: {
              pickupId: `pk-${n}`,
              channel: step.channel,
              location: names[step.at] ?? 'loc-1',
              orderRef: `order-${n}`,
              lines: step.lines,
            },
          },
        });
        return;
      default: {
        const unknown: never = step;
        throw new Error(`unknown step ${JSON.stringify(unknown)}`);
      }
    }
  });
  return commands;
};
