import {
  type DecidedEvent,
  type EventOf,
  formatHlc,
  type Hlc,
  HUB_LOCATION,
  HUB_NODE,
  hlcNow,
  hlcZero,
  type InventoryEvent,
  parseEvent,
  uuidv7,
} from '@stocknerve/domain';
import { Prng } from './prng.js';

/** A store node (terminal) of the simulated network. */
export interface NodeSpec {
  readonly node: string;
  readonly location: string;
  readonly region: string;
}

export interface LocationSpec {
  readonly location: string;
  readonly region: string;
  readonly name: string;
}

export interface WorldLayout {
  readonly locations: readonly LocationSpec[];
  readonly nodes: readonly NodeSpec[];
  readonly skus: readonly string[];
}

const REGION_NAMES = ['north', 'south', 'east', 'west', 'central', 'coast', 'alps', 'lakes'];

/** Regions × stores per region × terminals per store, and a catalog of `skus` SKUs. */
export const worldLayout = (options: {
  regions: number;
  locationsPerRegion: number;
  nodesPerLocation: number;
  skus: number;
  /** Prefix of location ids (keeps the worlds of two scenarios apart on one hub). Default `store`. */
  prefix?: string;
}): WorldLayout => {
  const prefix = options.prefix ?? 'store';
  const locations: LocationSpec[] = [];
  const nodes: NodeSpec[] = [];
  for (let r = 0; r < options.regions; r++) {
    const region = REGION_NAMES[r] ?? `region-${r + 1}`;
    for (let l = 0; l < options.locationsPerRegion; l++) {
      const location = `${prefix}-${region}-${String(l + 1).padStart(2, '0')}`;
      locations.push({ location, region, name: `${region} ${l + 1}` });
      for (let n = 0; n < options.nodesPerLocation; n++)
        nodes.push({ node: `${location}-t${n + 1}`, location, region });
    }
  }
  const skus = Array.from({ length: options.skus }, (_, i) => `SKU-${String(i + 1).padStart(5, '0')}`);
  return { locations, nodes, skus };
};

/** Relative frequency of each kind of store fact: a sales-heavy day. */
export interface MixWeights {
  readonly sale: number;
  readonly return: number;
  readonly receipt: number;
  readonly transfer: number;
  readonly adjustment: number;
  readonly count: number;
}

export const DEFAULT_MIX: MixWeights = {
  sale: 0.74,
  return: 0.05,
  receipt: 0.07,
  transfer: 0.04,
  adjustment: 0.05,
  count: 0.05,
};

/** The probe SKU of a node: one sale of it is the freshness probe (on hand goes to -k for probe k). */
export const probeSkuOf = (node: string): string => `PROBE-${node}`;

const priceOf = (sku: string): number => {
  let h = 0;
  for (let i = 0; i < sku.length; i++) h = (h * 31 + sku.charCodeAt(i)) >>> 0;
  return 199 + (h % 9800);
};

type Kind = keyof MixWeights;

/**
 * Decides realistic store facts for a set of locations: sales of best sellers (skewed), returns of
 * earlier receipts, supplier receipts that replenish, transfers between the locations (shipped by
 * one, received later by a terminal of the other), adjustments and cycle counts near the expected
 * quantity. A rough per-cell estimate keeps sales from running far below zero.
 */
export class EventMix {
  private readonly weights: [Kind, number][];
  private readonly estimate = new Map<string, number>();
  private readonly inbound = new Map<string, EventOf<'TransferShipped'>['data'][]>();
  private readonly receipts = new Map<string, { receiptId: string; sku: string; qty: number }[]>();
  private counter = 0;

  constructor(
    private readonly prng: Prng,
    private readonly skus: readonly string[],
    private readonly locations: readonly string[],
    weights: Partial<MixWeights> = {},
  ) {
    const merged = { ...DEFAULT_MIX, ...weights };
    const total = Object.values(merged).reduce((a, b) => a + b, 0);
    this.weights = (Object.entries(merged) as [Kind, number][]).map(([k, w]) => [k, w / total]);
  }

  private ref(prefix: string, node: string): string {
    this.counter++;
    return `${prefix}-${node}-${this.counter}`;
  }

  private kind(): Kind {
    let x = this.prng.next();
    for (const [k, w] of this.weights) {
      x -= w;
      if (x < 0) return k;
    }
    return 'sale';
  }

  private est(location: string, sku: string): number {
    return this.estimate.get(`${location}/${sku}`) ?? 30;
  }

  private move(location: string, sku: string, delta: number): void {
    this.estimate.set(`${location}/${sku}`, this.est(location, sku) + delta);
  }

  /** Distinct SKUs, best sellers first more often. */
  private pickSkus(count: number): string[] {
    const picked = new Set<string>();
    for (let tries = 0; picked.size < count && tries < count * 4; tries++)
      picked.add(this.skus[this.prng.skewed(this.skus.length)] as string);
    return [...picked];
  }

  /** The next fact recorded at `node`. */
  next(node: NodeSpec): DecidedEvent {
    const kind = this.kind();
    switch (kind) {
      case 'return':
        return this.return(node);
      case 'receipt':
        return this.receipt(node);
      case 'transfer':
        return this.transfer(node);
      case 'adjustment':
        return this.adjustment(node);
      case 'count':
        return this.count(node);
      default:
        return this.sale(node);
    }
  }

  sale(node: NodeSpec): DecidedEvent {
    const lineCount = this.prng.chance(0.7) ? 1 : this.prng.int(2, 4);
    const lines = this.pickSkus(lineCount).map((sku) => {
      const qty = this.prng.chance(0.85) ? 1 : this.prng.int(2, 3);
      return { sku, qty, unitPriceCents: priceOf(sku) };
    });
    // An empty shelf gets a delivery rather than a sale.
    const short = lines.find((l) => this.est(node.location, l.sku) < l.qty);
    if (short) return this.receipt(node, [short.sku]);
    const receiptId = this.ref('r', node.node);
    for (const l of lines) this.move(node.location, l.sku, -l.qty);
    const recent = this.receipts.get(node.node) ?? [];
    const first = lines[0];
    if (first) recent.push({ receiptId, sku: first.sku, qty: first.qty });
    if (recent.length > 50) recent.shift();
    this.receipts.set(node.node, recent);
    return {
      type: 'SaleRecorded',
      data: {
        receiptId,
        currency: 'EUR',
        lines,
        totalCents: lines.reduce((s, l) => s + l.qty * l.unitPriceCents, 0),
      },
    };
  }

  probe(node: NodeSpec): DecidedEvent {
    const sku = probeSkuOf(node.node);
    return {
      type: 'SaleRecorded',
      data: {
        receiptId: this.ref('probe', node.node),
        currency: 'EUR',
        lines: [{ sku, qty: 1, unitPriceCents: 100 }],
        totalCents: 100,
      },
    };
  }

  private return(node: NodeSpec): DecidedEvent {
    const recent = this.receipts.get(node.node) ?? [];
    const from = recent.length > 0 ? recent[this.prng.int(0, recent.length - 1)] : undefined;
    if (!from) return this.sale(node);
    const restockTo = this.prng.chance(0.8) ? ('sellable' as const) : ('damaged' as const);
    if (restockTo === 'sellable') this.move(node.location, from.sku, 1);
    return {
      type: 'ReturnRecorded',
      data: {
        returnId: this.ref('ret', node.node),
        receiptId: from.receiptId,
        lines: [{ sku: from.sku, qty: 1, restockTo }],
      },
    };
  }

  private receipt(node: NodeSpec, skus?: string[]): DecidedEvent {
    const chosen = skus ?? this.pickSkus(this.prng.int(1, 6));
    const lines = chosen.map((sku) => {
      const qty = this.prng.int(1, 8) * 6;
      this.move(node.location, sku, qty);
      return this.prng.chance(0.1) ? { sku, qty, expectedQty: qty + 6 } : { sku, qty };
    });
    return { type: 'GoodsReceived', data: { purchaseOrderId: this.ref('po', node.node), lines } };
  }

  private transfer(node: NodeSpec): DecidedEvent {
    const waiting = this.inbound.get(node.location);
    const arriving = waiting?.shift();
    if (arriving) {
      const from = this.locationOf(arriving.transferId);
      // Now and then one unit less arrives than was shipped.
      const lines = arriving.lines.map((l, i) => ({
        sku: l.sku,
        qty: i === 0 && this.prng.chance(0.05) ? l.qty - 1 : l.qty,
      }));
      for (const l of lines) this.move(node.location, l.sku, l.qty);
      return { type: 'TransferReceived', data: { transferId: arriving.transferId, from, lines } };
    }
    const others = this.locations.filter((l) => l !== node.location);
    if (others.length === 0) return this.receipt(node);
    const to = this.prng.pick(others);
    const lines = this.pickSkus(this.prng.int(1, 3))
      .filter((sku) => this.est(node.location, sku) >= 2)
      .map((sku) => ({ sku, qty: this.prng.int(1, Math.min(10, Math.max(1, this.est(node.location, sku) >> 1))) }));
    if (lines.length === 0) return this.receipt(node);
    for (const l of lines) this.move(node.location, l.sku, -l.qty);
    const transferId = `tr-${node.location}-${++this.counter}`;
    const data = { transferId, to, lines };
    const queue = this.inbound.get(to) ?? [];
    queue.push(data);
    this.inbound.set(to, queue);
    return { type: 'TransferShipped', data };
  }

  private locationOf(transferId: string): string {
    // tr-<location>-<n>
    return transferId.slice(3, transferId.lastIndexOf('-'));
  }

  private adjustment(node: NodeSpec): DecidedEvent {
    const sku = this.skus[this.prng.skewed(this.skus.length)] as string;
    const reason = this.prng.pick(['damage', 'theft', 'found', 'correction', 'expiry'] as const);
    const delta =
      reason === 'found'
        ? this.prng.int(1, 2)
        : reason === 'correction'
          ? this.prng.pick([-2, -1, 1, 2])
          : -this.prng.int(1, reason === 'expiry' ? 4 : 2);
    this.move(node.location, sku, delta);
    return {
      type: 'StockAdjusted',
      data: { adjustmentId: this.ref('adj', node.node), reason, lines: [{ sku, delta }] },
    };
  }

  private count(node: NodeSpec): DecidedEvent {
    const lines = this.pickSkus(this.prng.int(1, 5)).map((sku) => {
      const countedQty = Math.max(0, this.est(node.location, sku) + this.prng.int(-1, 1));
      this.estimate.set(`${node.location}/${sku}`, countedQty);
      return { sku, countedQty };
    });
    return {
      type: 'CycleCounted',
      data: { countId: this.ref('cnt', node.node), area: `aisle-${this.prng.int(1, 20)}`, lines },
    };
  }
}

const VERSIONS: Record<string, number> = { StockAdjusted: 2 };

/** Stamps without validation (the domain's stampEvent validates every event: too slow for millions). */
export const stampFast = (
  decided: DecidedEvent,
  envelope: { id: string; location: string; node: string; seq: number; hlc: string; wallMs: number },
): InventoryEvent =>
  ({
    id: envelope.id,
    location: envelope.location,
    node: envelope.node,
    seq: envelope.seq,
    hlc: envelope.hlc,
    occurredAt: new Date(envelope.wallMs).toISOString(),
    correlationId: `c-${envelope.node}-${envelope.seq}`,
    type: decided.type,
    version: VERSIONS[decided.type] ?? 1,
    data: decided.data,
  }) as InventoryEvent;

/**
 * Produces the events of a whole network quickly and reproducibly, in the order the stream would
 * receive them (nodes interleaved, each gap-free from seq 1 with its own HLC). For pre-filling the
 * stream; every 500th event (and the first 2,000) is checked against the domain's schemas.
 */
export class BulkEventSource {
  private readonly prng: Prng;
  private readonly mix: EventMix;
  private readonly state: { spec: NodeSpec; seq: number; clock: Hlc }[];
  private wallMs: number;
  produced = 0;

  constructor(
    readonly layout: WorldLayout,
    seed: string,
    options: { startMs?: number; stepMs?: number; mix?: Partial<MixWeights> } = {},
  ) {
    this.prng = new Prng(seed);
    this.mix = new EventMix(
      this.prng.fork('mix'),
      layout.skus,
      layout.locations.map((l) => l.location),
      options.mix,
    );
    this.state = layout.nodes.map((spec) => ({ spec, seq: 0, clock: hlcZero(spec.node) }));
    this.wallMs = options.startMs ?? Date.now() - 86_400_000;
    this.step = options.stepMs ?? 1;
  }

  private readonly step: number;

  next(): InventoryEvent {
    const s = this.state[this.prng.int(0, this.state.length - 1)] as (typeof this.state)[number];
    this.wallMs += this.step;
    s.seq++;
    s.clock = hlcNow(s.clock, this.wallMs);
    const event = stampFast(this.mix.next(s.spec), {
      id: uuidv7(this.wallMs, this.prng.bytes()),
      location: s.spec.location,
      node: s.spec.node,
      seq: s.seq,
      hlc: formatHlc(s.clock),
      wallMs: this.wallMs,
    });
    this.produced++;
    if (this.produced <= 2000 || this.produced % 500 === 0) {
      const parsed = parseEvent(JSON.parse(JSON.stringify(event)));
      if (!parsed.ok) throw new Error(`BulkEventSource made an invalid ${event.type}: ${JSON.stringify(parsed)}`);
    }
    return event;
  }
}

/** LocationDefined facts for the layout, stamped as the hub's own events (seq 1..n). */
export const locationFacts = (layout: WorldLayout, startMs = Date.now() - 2 * 86_400_000): InventoryEvent[] => {
  let clock = hlcZero(HUB_NODE);
  return layout.locations.map((l, i) => {
    const wallMs = startMs + i;
    clock = hlcNow(clock, wallMs);
    const parsed = parseEvent({
      id: uuidv7(wallMs, new Prng(`loc:${l.location}`).bytes()),
      location: HUB_LOCATION,
      node: HUB_NODE,
      seq: i + 1,
      hlc: formatHlc(clock),
      occurredAt: new Date(wallMs).toISOString(),
      correlationId: `setup-${l.location}`,
      type: 'LocationDefined',
      version: 1,
      data: { location: l.location, region: l.region, kind: 'store', name: l.name },
    });
    if (!parsed.ok) throw new Error(`invalid LocationDefined for ${l.location}`);
    return parsed.event;
  });
};
