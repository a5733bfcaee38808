import {
  applyEvent,
  cellKey,
  type DecidedEvent,
  decideStoreCommand,
  HUB_LOCATION,
  HUB_NODE,
  type InventoryEvent,
  type InventoryState,
  initialInventoryState,
  inventoryView,
  onHandOf,
  type StoreCommand,
} from '@stocknerve/domain';
import { type EventFactory, eventFactory } from '@stocknerve/domain/testing';

// A realistic retail network for report tests and screenshots: regions of stores around a
// distribution centre, a long-tail catalog, and weeks of till and back-office activity decided by
// the domain's own store decider and stamped by `eventFactory`, the way real nodes do it.

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** Small fast PRNG (mulberry32): the same seed gives the same network. */
export const prng = (seed: number) => {
  let a = seed >>> 0;
  return (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
};

/** A store or distribution centre of the generated network. */
export interface NetworkLocation {
  readonly location: string;
  readonly region: string;
  readonly kind: 'store' | 'warehouse';
  readonly name: string;
  readonly geo: { readonly lat: number; readonly lon: number };
}

/** Three regions, four stores and a distribution centre each, with real coordinates. */
export const NETWORK_LOCATIONS: readonly NetworkLocation[] = [
  { location: 'store-n01', region: 'north', kind: 'store', name: 'Lille Centre', geo: { lat: 50.6367, lon: 3.0635 } },
  {
    location: 'store-n02',
    region: 'north',
    kind: 'store',
    name: 'Lille Euralille',
    geo: { lat: 50.6369, lon: 3.0753 },
  },
  { location: 'store-n03', region: 'north', kind: 'store', name: 'Roubaix', geo: { lat: 50.6942, lon: 3.1746 } },
  { location: 'store-n04', region: 'north', kind: 'store', name: 'Arras', geo: { lat: 50.291, lon: 2.7775 } },
  { location: 'dc-north', region: 'north', kind: 'warehouse', name: 'Lesquin DC', geo: { lat: 50.5898, lon: 3.1113 } },
  { location: 'store-s01', region: 'south', kind: 'store', name: 'Lyon Part-Dieu', geo: { lat: 45.7606, lon: 4.8593 } },
  { location: 'store-s02', region: 'south', kind: 'store', name: 'Lyon Bellecour', geo: { lat: 45.7578, lon: 4.832 } },
  { location: 'store-s03', region: 'south', kind: 'store', name: 'Villeurbanne', geo: { lat: 45.7719, lon: 4.8902 } },
  { location: 'store-s04', region: 'south', kind: 'store', name: 'Grenoble', geo: { lat: 45.1885, lon: 5.7245 } },
  {
    location: 'dc-south',
    region: 'south',
    kind: 'warehouse',
    name: 'Saint-Priest DC',
    geo: { lat: 45.696, lon: 4.944 },
  },
  { location: 'store-w01', region: 'west', kind: 'store', name: 'Nantes Centre', geo: { lat: 47.2184, lon: -1.5536 } },
  {
    location: 'store-w02',
    region: 'west',
    kind: 'store',
    name: 'Nantes Atlantis',
    geo: { lat: 47.2257, lon: -1.6316 },
  },
  { location: 'store-w03', region: 'west', kind: 'store', name: 'Rennes', geo: { lat: 48.1173, lon: -1.6778 } },
  { location: 'store-w04', region: 'west', kind: 'store', name: 'Angers', geo: { lat: 47.4784, lon: -0.5632 } },
  { location: 'dc-west', region: 'west', kind: 'warehouse', name: 'Carquefou DC', geo: { lat: 47.2976, lon: -1.4918 } },
];

/** Categories with their products and a typical price (cents); each SKU is a size and colour of one. */
const CATEGORIES: readonly { name: string; products: readonly (readonly [string, number])[] }[] = [
  {
    name: 'footwear',
    products: [
      ['Trail shoe', 11999],
      ['Road shoe', 9999],
      ['Hiking boot', 13999],
      ['Sandal', 3999],
      ['Wool socks', 1499],
    ],
  },
  {
    name: 'apparel',
    products: [
      ['Rain jacket', 8999],
      ['Fleece', 4999],
      ['Base layer', 3999],
      ['Tights', 3499],
      ['T-shirt', 1999],
      ['Cap', 1299],
    ],
  },
  {
    name: 'bags',
    products: [
      ['Daypack', 4999],
      ['Backpack 40 L', 10999],
      ['Hydration vest', 6999],
      ['Duffel', 5999],
    ],
  },
  {
    name: 'accessories',
    products: [
      ['Bottle', 1299],
      ['Headlamp', 2999],
      ['Poles', 5999],
      ['Sunglasses', 3999],
      ['Gloves', 1999],
    ],
  },
  {
    name: 'electronics',
    products: [
      ['GPS watch', 24999],
      ['HR strap', 4999],
      ['Power bank', 2999],
      ['Bike computer', 14999],
    ],
  },
  {
    name: 'camping',
    products: [
      ['Tent', 19999],
      ['Sleeping bag', 12999],
      ['Mat', 5999],
      ['Stove', 3999],
      ['Cookset', 2999],
      ['Chair', 2499],
    ],
  },
  {
    name: 'nutrition',
    products: [
      ['Energy gel', 249],
      ['Energy bar', 199],
      ['Electrolytes', 799],
      ['Recovery drink', 1999],
    ],
  },
  {
    name: 'cycling',
    products: [
      ['Helmet', 5999],
      ['Bike gloves', 1999],
      ['Lights', 2999],
      ['Inner tube', 699],
      ['Lock', 3499],
      ['Pump', 2499],
    ],
  },
  {
    name: 'fitness',
    products: [
      ['Yoga mat', 2999],
      ['Dumbbells', 3999],
      ['Bands', 1499],
      ['Jump rope', 999],
      ['Foam roller', 2499],
    ],
  },
  {
    name: 'swim',
    products: [
      ['Goggles', 1999],
      ['Swimsuit', 3499],
      ['Wetsuit', 17999],
      ['Swim cap', 799],
      ['Fins', 2999],
    ],
  },
];
const COLOURS = ['black', 'blue', 'red', 'green', 'grey', 'orange', 'white', 'navy'];
const MODELS = ['Trek', 'Alpine', 'Urban', 'Pro', 'Lite', 'Evo', 'Classic', 'Race'];
const SIZES: Readonly<Record<string, readonly string[]>> = {
  footwear: ['38', '39', '40', '41', '42', '43', '44', '45', '46'],
  apparel: ['XS', 'S', 'M', 'L', 'XL'],
};

/** A terminal of a location: tills sell, the back office receives, counts and ships. */
export interface NetworkNode {
  readonly node: string;
  readonly location: string;
  readonly region: string;
  readonly role: 'till' | 'backoffice';
}

/** The generated network: master data, events and the generator's own fold. */
export interface RetailNetwork {
  /** Hub master data, in the order to record it (locations, catalog, safety stock). */
  readonly masterData: readonly DecidedEvent[];
  /** The same facts stamped as hub events, for folding the expected state. */
  readonly masterEvents: readonly InventoryEvent[];
  /** Store events to publish, per node in seq order. */
  readonly storeEvents: readonly InventoryEvent[];
  /** Events a node recorded but has not delivered yet (a seq gap on the hub). */
  readonly withheld: readonly InventoryEvent[];
  readonly nodes: readonly NetworkNode[];
  readonly locations: readonly NetworkLocation[];
  /** The node factories, to stamp a node's next events after the seed (live updates, late sales). */
  readonly factories: ReadonlyMap<string, EventFactory>;
  /** UTC day (YYYY-MM-DD) the history ends on. */
  readonly today: string;
  /** The generator's fold of master data and every generated event (withheld included). */
  readonly state: InventoryState;
}

/** Size and seed of the generated network. */
export interface RetailNetworkOptions {
  /** PRNG seed. Default 20261128. */
  readonly seed?: number;
  /** Catalog size. Default 2000. */
  readonly skus?: number;
  /** Sale receipts per store over the whole history (scaled per store). Default 3200. */
  readonly salesPerStore?: number;
  /** Days of sales history ending on the day of `endMs`. Default 28. */
  readonly days?: number;
  /** The last event happens at this time (ms). */
  readonly endMs: number;
}

interface Policy {
  /** Expected units per day. */
  readonly demand: number;
  readonly reorderPoint: number;
  readonly target: number;
  readonly discontinued: boolean;
}

/**
 * Generates the network. Every store event is decided by `decideStoreCommand` against the
 * generator's own fold of what came before (as a node decides against its local view), and stamped
 * by that node's `eventFactory`: tills evenly over the history, back offices every 4 hours.
 */
export const generateRetailNetwork = (options: RetailNetworkOptions): RetailNetwork => {
  const random = prng(options.seed ?? 20_261_128);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const skuCount = options.skus ?? 2000;
  const days = options.days ?? 28;
  const todayStart = Math.floor(options.endMs / DAY_MS) * DAY_MS;
  const windowStart = todayStart - (days - 1) * DAY_MS;
  const today = new Date(todayStart).toISOString().slice(0, 10);

  // Catalog: popularity follows a long tail (Zipf, s = 0.8) over a shuffled rank.
  const catalog = Array.from({ length: skuCount }, (_, i) => {
    const category = CATEGORIES[i % CATEGORIES.length] ?? CATEGORIES[0];
    if (!category) throw new Error('no categories');
    const [product, typical] = pick(category.products);
    // Within ±20% of the product's typical price, ending in .99.
    const euros = Math.max(1, Math.round((typical * (0.8 + random() * 0.4)) / 100));
    return {
      sku: `SKU-${10001 + i}`,
      name: [product, pick(MODELS), SIZES[category.name] ? pick(SIZES[category.name] ?? []) : null, pick(COLOURS)]
        .filter(Boolean)
        .join(' '),
      category: category.name,
      priceCents: euros * 100 - 1,
      currency: 'EUR',
    };
  });
  const ranks = catalog.map((_, i) => i);
  for (let i = ranks.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [ranks[i], ranks[j]] = [ranks[j] as number, ranks[i] as number];
  }
  const rawWeights = ranks.map((rank) => 1 / (rank + 1) ** 0.8);
  const totalWeight = rawWeights.reduce((s, w) => s + w, 0);
  const weights = rawWeights.map((w) => w / totalWeight);
  const topSkus = new Set(catalog.filter((_, i) => (ranks[i] ?? 0) < 200).map((c) => c.sku));
  const priceOf = new Map(catalog.map((c) => [c.sku, c.priceCents]));

  const stores = NETWORK_LOCATIONS.filter((l) => l.kind === 'store');
  const kindOf = new Map(NETWORK_LOCATIONS.map((l) => [l.location, l.kind]));
  const tillCount = new Map(
    stores.map((s) => [s.location, Math.round((options.salesPerStore ?? 3200) * (0.7 + random() * 0.6))]),
  );
  // Per store: cumulative weights with a regional taste (each category ×0.6..1.4).
  const cumulative = new Map<string, Float64Array>();
  const policies = new Map<string, Policy>();
  for (const s of stores) {
    const taste = CATEGORIES.map(() => 0.6 + random() * 0.8);
    const local = catalog.map((_, i) => (weights[i] ?? 0) * (taste[i % CATEGORIES.length] ?? 1));
    const sum = local.reduce((a, b) => a + b, 0);
    const cum = new Float64Array(local.length);
    let acc = 0;
    for (const [i, w] of local.entries()) {
      acc += w / sum;
      cum[i] = acc;
    }
    cumulative.set(s.location, cum);
    // About 1.4 units per receipt.
    const unitsPerDay = ((tillCount.get(s.location) ?? 0) * 1.4) / days;
    for (const [i, c] of catalog.entries()) {
      const demand = unitsPerDay * ((local[i] ?? 0) / sum);
      const roll = random();
      const targetDays = roll < 0.03 ? 120 : pick([10, 14, 21, 30]);
      const reorderDays = Math.max(2, targetDays * 0.3);
      policies.set(`${s.location}/${c.sku}`, {
        demand,
        reorderPoint: Math.ceil(demand * reorderDays),
        target: Math.max(2, Math.ceil(demand * targetDays) + 1),
        discontinued: roll > 0.96,
      });
    }
  }

  const masterData: DecidedEvent[] = [
    ...NETWORK_LOCATIONS.map(
      (l): DecidedEvent => ({
        type: 'LocationDefined',
        data: { location: l.location, region: l.region, kind: l.kind, name: l.name, geo: { ...l.geo } },
      }),
    ),
    ...catalog.map((c): DecidedEvent => ({ type: 'CatalogItemUpserted', data: c })),
  ];
  // Safety stock on the 120 best sellers of each store: three days of demand.
  const safetySkus = catalog.filter((_, i) => (ranks[i] ?? 0) < 120).map((c) => c.sku);
  for (const s of stores)
    for (const sku of safetySkus) {
      const p = policies.get(`${s.location}/${sku}`);
      if (p)
        masterData.push({
          type: 'SafetyStockSet',
          data: { sku, location: s.location, qty: Math.max(1, Math.ceil(p.demand * 3)) },
        });
    }
  const state = initialInventoryState();
  const hubFactory = eventFactory({ location: HUB_LOCATION, node: HUB_NODE, startMs: windowStart - 40 * DAY_MS });
  const masterEvents = masterData.map((fact) => hubFactory.next(fact));
  for (const event of masterEvents) applyEvent(state, event);
  const view = inventoryView(state);

  interface Producer {
    readonly node: NetworkNode;
    readonly factory: EventFactory;
    readonly startMs: number;
    readonly stepMs: number;
  }
  const producers: Producer[] = [];
  const nodes: NetworkNode[] = [];
  const factories = new Map<string, EventFactory>();
  const firstBackofficeMs = windowStart - DAY_MS + 2 * HOUR_MS;
  for (const l of NETWORK_LOCATIONS) {
    const roles: NetworkNode['role'][] = l.kind === 'store' ? ['till', 'backoffice'] : ['backoffice'];
    for (const role of roles) {
      const node: NetworkNode = {
        node: `${l.location}-${role === 'till' ? 'till1' : 'bo'}`,
        location: l.location,
        region: l.region,
        role,
      };
      const stepMs =
        role === 'till' ? Math.floor((options.endMs - windowStart) / (tillCount.get(l.location) ?? 1)) : 4 * HOUR_MS;
      const startMs = role === 'till' ? windowStart : firstBackofficeMs - stepMs;
      const factory = eventFactory({ location: l.location, node: node.node, startMs, stepMs });
      producers.push({ node, factory, startMs, stepMs });
      nodes.push(node);
      factories.set(node.node, factory);
    }
  }

  const cellAt = (location: string, sku: string) => state.cells.get(cellKey(location, sku));
  const onHand = (location: string, sku: string) => {
    const cell = cellAt(location, sku);
    return cell ? onHandOf(cell) : 0;
  };
  const inTransit = (location: string, sku: string) => cellAt(location, sku)?.inTransit ?? 0;
  const sampleSku = (location: string): string => {
    const cum = cumulative.get(location);
    const r = random();
    let lo = 0;
    let hi = (cum?.length ?? 1) - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cum?.[mid] ?? 1) < r) lo = mid + 1;
      else hi = mid;
    }
    return catalog[lo]?.sku ?? 'SKU-10001';
  };
  const inStockSku = (location: string): string | undefined => {
    for (let attempt = 0; attempt < 20; attempt++) {
      const sku = sampleSku(location);
      if (onHand(location, sku) > 0) return sku;
    }
    return undefined;
  };

  const pendingTransfers = new Map<
    string,
    { transferId: string; from: string; lines: { sku: string; qty: number }[] }[]
  >();
  const storeEvents: InventoryEvent[] = [];

  const commandFor = (p: Producer, slot: number, at: number): StoreCommand => {
    const { location, role } = p.node;
    const isStore = kindOf.get(location) === 'store';
    if (role === 'till') {
      const lines = new Map<string, number>();
      const lineCount = random() < 0.7 ? 1 : random() < 0.75 ? 2 : 3;
      for (let i = 0; i < lineCount; i++) {
        const sku = inStockSku(location);
        if (!sku || lines.has(sku)) continue;
        const qty = Math.min(onHand(location, sku), random() < 0.85 ? 1 : random() < 0.8 ? 2 : 3);
        lines.set(sku, qty);
      }
      if (lines.size === 0) {
        const fallback = catalog.find((c) => onHand(location, c.sku) > 0)?.sku ?? 'SKU-10001';
        lines.set(fallback, 1);
      }
      return {
        type: 'RecordSale',
        data: {
          receiptId: `R-${p.node.node}-${p.factory.lastSeq + 1}`,
          currency: 'EUR',
          lines: [...lines].map(([sku, qty]) => ({ sku, qty, unitPriceCents: priceOf.get(sku) ?? 100 })),
        },
      };
    }
    // Back office: the first two slots bring the opening stock, then a fixed rhythm by hour of day.
    if (slot <= 2) {
      const half = catalog.slice(
        slot === 1 ? 0 : Math.ceil(catalog.length / 2),
        slot === 1 ? Math.ceil(catalog.length / 2) : undefined,
      );
      const lines = half
        .map((c) => {
          if (!isStore)
            return {
              sku: c.sku,
              qty: topSkus.has(c.sku) ? 400 + Math.floor(random() * 400) : 2 + Math.floor(random() * 6),
            };
          const policy = policies.get(`${location}/${c.sku}`);
          return { sku: c.sku, qty: (policy?.target ?? 2) + Math.floor(random() * 2) };
        })
        .filter((l) => l.qty > 0);
      return { type: 'ReceiveGoods', data: { purchaseOrderId: `PO-${location}-opening-${slot}`, lines } };
    }
    const hour = new Date(at).getUTCHours();
    const dayIndex = Math.floor((at - windowStart) / DAY_MS);
    if (!isStore) {
      if (hour === 6 && dayIndex % 3 === 0) {
        const lines = [...topSkus]
          .filter((sku) => onHand(location, sku) < 300)
          .map((sku) => ({ sku, qty: 600 - Math.max(0, onHand(location, sku)) }));
        if (lines.length > 0)
          return { type: 'ReceiveGoods', data: { purchaseOrderId: `PO-${location}-${slot}`, lines } };
      }
      if (hour === 10 || hour === 14 || hour === 18) {
        const regionStores = stores.filter((s) => s.region === p.node.region);
        const to = regionStores[(slot + hour) % regionStores.length];
        if (to) {
          const lines = [...topSkus]
            .map((sku) => {
              const policy = policies.get(`${to.location}/${sku}`);
              if (!policy || policy.discontinued) return null;
              const level = onHand(to.location, sku) + inTransit(to.location, sku);
              if (level > policy.reorderPoint) return null;
              const qty = Math.min(policy.target - level, onHand(location, sku));
              return qty > 0 ? { sku, qty } : null;
            })
            .filter((l) => l !== null)
            .slice(0, 150);
          if (lines.length > 0) {
            const transferId = `TR-${location}-${slot}`;
            const queue = pendingTransfers.get(to.location) ?? [];
            queue.push({ transferId, from: location, lines });
            pendingTransfers.set(to.location, queue);
            return { type: 'ShipTransfer', data: { transferId, to: to.location, lines } };
          }
        }
      }
    } else {
      const incoming = pendingTransfers.get(location);
      if (hour === 10 && incoming && incoming.length > 0) {
        const t = incoming.shift();
        if (t)
          return {
            type: 'ReceiveTransfer',
            data: { transferId: t.transferId, from: t.from, lines: t.lines.map((l) => ({ sku: l.sku, qty: l.qty })) },
          };
      }
      if (hour === 6 && dayIndex % 2 === 0) {
        const lines = catalog
          .map((c) => {
            if (topSkus.has(c.sku)) return null;
            const policy = policies.get(`${location}/${c.sku}`);
            if (!policy || policy.discontinued) return null;
            const level = onHand(location, c.sku);
            return level <= policy.reorderPoint ? { sku: c.sku, qty: policy.target - level } : null;
          })
          .filter((l): l is { sku: string; qty: number } => l !== null && l.qty > 0)
          .slice(0, 1000);
        if (lines.length > 0)
          return { type: 'ReceiveGoods', data: { purchaseOrderId: `PO-${location}-${slot}`, lines } };
      }
      if (hour === 18) {
        const sku = inStockSku(location);
        const roll = random();
        if (sku && roll < 0.5)
          return {
            type: 'AdjustStock',
            data: {
              adjustmentId: `ADJ-${location}-${slot}`,
              reason: 'damage',
              note: 'damaged on the shelf',
              lines: [{ sku, delta: -1 }],
            },
          };
        if (sku && roll < 0.8)
          return {
            type: 'RecordReturn',
            data: {
              returnId: `RET-${location}-${slot}`,
              lines: [{ sku, qty: 1, restockTo: roll < 0.7 ? 'sellable' : 'damaged' }],
            },
          };
      }
    }
    // Cycle count of a dozen SKUs: mostly what the system says, now and then a unit missing or found.
    const lines = new Map<string, number>();
    for (let i = 0; i < 12; i++) {
      const sku = sampleSku(location);
      const roll = random();
      const drift = roll < 0.1 ? -1 : roll < 0.13 ? 1 : 0;
      lines.set(sku, Math.max(0, onHand(location, sku) + drift));
    }
    return {
      type: 'RecordCount',
      data: {
        countId: `CC-${location}-${slot}`,
        area: `aisle ${1 + (slot % 12)}`,
        lines: [...lines].map(([sku, countedQty]) => ({ sku, countedQty })),
      },
    };
  };

  // Nodes act in time order across the network, so each decision sees everything before it.
  for (;;) {
    let next: Producer | undefined;
    let nextAt = Number.POSITIVE_INFINITY;
    for (const p of producers) {
      const at = p.startMs + (p.factory.lastSeq + 1) * p.stepMs;
      if (at <= options.endMs && at < nextAt) {
        next = p;
        nextAt = at;
      }
    }
    if (!next) break;
    const command = commandFor(next, next.factory.lastSeq + 1, nextAt);
    const decision = decideStoreCommand(command, view, {
      now: nextAt,
      location: next.node.location,
      node: next.node.node,
    });
    if (!decision.ok) throw new Error(`seed: ${command.type} refused: ${decision.message}`);
    for (const decided of decision.events) {
      const event = next.factory.next(decided);
      applyEvent(state, event);
      storeEvents.push(event);
    }
  }

  // One till has three recent events it has not delivered yet: a gap in its seqs on the hub.
  const gapNode = 'store-s03-till1';
  const gapEvents = storeEvents.filter((e) => e.node === gapNode);
  const withheldSeqs = new Set(gapEvents.slice(-25, -22).map((e) => e.seq));
  const withheld = storeEvents.filter((e) => e.node === gapNode && withheldSeqs.has(e.seq));
  return {
    masterData,
    masterEvents,
    storeEvents: storeEvents.filter((e) => !(e.node === gapNode && withheldSeqs.has(e.seq))),
    withheld,
    nodes,
    locations: NETWORK_LOCATIONS,
    factories,
    today,
    state,
  };
};
