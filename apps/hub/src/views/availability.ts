import {
  type AllocationRule,
  type AtpView,
  type ChannelAtp,
  channelAtp,
  type InventoryView,
  type LocationTrust,
  type StockFigures,
} from '@stocknerve/domain';
import type { SqlStore } from '../store/sql-store.js';
import {
  ANSWER_MAX_AGE_MS,
  type FreshnessPolicy,
  type LocationFreshness,
  locationFreshness,
  trustFrom,
} from './freshness.js';
import { isYoung, type ReadLookups, readMemoOf } from './read-memo.js';
import { sqlInventoryView } from './sql-inventory-view.js';

/** One location's part in a SKU's availability. */
export interface LocationAvailability {
  readonly location: string;
  readonly region: string;
  readonly onHand: number;
  readonly reserved: number;
  readonly safetyStock: number;
  /** on hand − reserved − safety stock (negative: the location is short). */
  readonly available: number;
  /** What the location adds to the network pool after the hub's trust in its figures. */
  readonly contributes: number;
  readonly trust: LocationTrust;
  readonly lastHeardAt: string | null;
  readonly ageMs: number | null;
  readonly stale: boolean;
}

/** What one channel may promise of a SKU. */
export interface ChannelAvailability {
  readonly channel: string;
  /** Units the channel may still promise network-wide. */
  readonly atp: number;
  /** Σ contributions − network-wide reservations. */
  readonly pool: number;
  /** What the channel's allocation rule still allows (null: no rule). */
  readonly allocationRemaining: number | null;
  readonly rule: AllocationRule | null;
}

export interface StaleLocation {
  readonly location: string;
  readonly ageMs: number | null;
}

export interface SkuAvailability {
  readonly sku: string;
  readonly asOf: string;
  /** Units held by network-wide reservations (not tied to a location). */
  readonly networkReserved: number;
  readonly channels: readonly ChannelAvailability[];
  readonly locations: readonly LocationAvailability[];
  readonly staleLocations: readonly StaleLocation[];
}

const NO_STOCK: StockFigures = { onHand: 0, reserved: 0, damaged: 0, inTransit: 0, safetyStock: 0 };

/** Smallest power of two ≥ n: IN lists are padded to it so only a handful of statements get prepared. */
const paddedSize = (n: number): number => 2 ** Math.ceil(Math.log2(Math.max(1, n)));

const SEP = '\u0000';

/** Answers remembered per kind and channels at most (the read memo's own bound counts this as one entry). */
const MAX_REMEMBERED_SKUS = 50_000;

/** A SKU's stock figures by location (locations without a stock row are absent). */
type SkuStock = ReadonlyMap<string, StockFigures>;

/** Stock figures of every location for the given SKUs, read in one query per 256 SKUs. */
const readStockOfSkus = (store: SqlStore, skus: readonly string[]): Map<string, Map<string, StockFigures>> => {
  const bySku = new Map<string, Map<string, StockFigures>>(skus.map((sku) => [sku, new Map()]));
  for (let start = 0; start < skus.length; start += 256) {
    const chunk = skus.slice(start, start + 256);
    const size = paddedSize(chunk.length);
    const params = Array.from({ length: size }, (_, i) => chunk[Math.min(i, chunk.length - 1)] ?? '');
    const rows = store.all<{
      location: string;
      sku: string;
      on_hand: number;
      reserved: number;
      damaged: number;
      in_transit: number;
      safety_stock: number;
    }>(
      `SELECT location, sku, on_hand, reserved, damaged, in_transit, safety_stock FROM stock
       WHERE sku IN (${params.map(() => '?').join(', ')})`,
      ...params,
    );
    for (const r of rows)
      bySku.get(r.sku)?.set(r.location, {
        onHand: r.on_hand,
        reserved: r.reserved,
        damaged: r.damaged,
        inTransit: r.in_transit,
        safetyStock: r.safety_stock,
      });
  }
  return bySku;
};

/**
 * Stock figures of the SKUs, remembered per SKU until the views change: unlike the answers built on
 * them they do not age, so an answer past its age bound is recomputed without SQLite.
 */
const stockOfSkus = (store: SqlStore, memo: ReadLookups, skus: readonly string[]): Map<string, SkuStock> => {
  const bySku = new Map<string, SkuStock>();
  const missing: string[] = [];
  for (const sku of skus) {
    const known = memo.peek<SkuStock>(`stock${SEP}${sku}`);
    if (known) bySku.set(sku, known);
    else missing.push(sku);
  }
  if (missing.length > 0)
    for (const [sku, stock] of readStockOfSkus(store, missing)) {
      memo.remember(`stock${SEP}${sku}`, stock);
      bySku.set(sku, stock);
    }
  return bySku;
};

/**
 * The per-SKU lookups of channelAtp besides stock (network reservations, channel holds, allocation
 * rules), remembered until the views change.
 */
const rememberedView = (base: InventoryView, memo: ReadLookups): Omit<AtpView, 'stock'> => ({
  networkReserved: (sku) => memo.get(`network-reserved${SEP}${sku}`, () => base.networkReserved(sku)),
  channelHeld: (channel, sku) =>
    memo.get(`channel-held${SEP}${channel}${SEP}${sku}`, () => base.channelHeld(channel, sku)),
  allocation: (channel, sku) => memo.get(`allocation${SEP}${channel}${SEP}${sku}`, () => base.allocation(channel, sku)),
});

interface RememberedAnswer<T> {
  readonly at: number;
  readonly lifetimeMs: number;
  readonly value: T;
}

/** How long a per-SKU answer computed now is kept: 75-100 % of ANSWER_MAX_AGE_MS, at random. */
export const answerLifetimeMs = (): number => ANSWER_MAX_AGE_MS * (0.75 + Math.random() * 0.25);

/**
 * Per-SKU values remembered under `kind` while the views do not change, for at most
 * ANSWER_MAX_AGE_MS each; the SKUs not remembered are computed together in one call.
 *
 * Each is kept for a random 75-100 % of that bound. With one lifetime for all, a catalogue read
 * steadily was computed in the same few milliseconds and expired in them again every second: a
 * storefront's whole catalogue recomputed in one burst per second, which every request caught in it
 * waited for (the read path's p99). Random lifetimes spread the recomputes over the second within a
 * few rounds.
 */
const rememberedPerSku = <T>(
  store: SqlStore,
  kind: string,
  nowMs: number,
  skus: readonly string[],
  channels: readonly string[],
  compute: (skus: readonly string[]) => Map<string, T>,
): T[] => {
  // One map per kind and channels, keyed by the SKU itself: a key built per SKU was a new string to
  // flatten and hash on every read of every SKU.
  const answers = readMemoOf(store)
    .current()
    .get(`${kind}${SEP}${channels.join(',')}`, () => new Map<string, RememberedAnswer<T>>());
  const isFresh = (hit: RememberedAnswer<T> | undefined): hit is RememberedAnswer<T> =>
    hit !== undefined && isYoung(hit.at, nowMs, hit.lifetimeMs);
  const hits = skus.map((sku) => answers.get(sku));
  const missing = skus.filter((_, i) => !isFresh(hits[i]));
  const computed = missing.length > 0 ? compute(missing) : undefined;
  return skus.map((sku, i) => {
    const hit = hits[i];
    if (isFresh(hit)) return hit.value;
    const value = computed?.get(sku);
    if (value === undefined) throw new Error(`no ${kind} computed for ${sku}`);
    // A crude bound (a catalogue larger than the memo): start over rather than track recency.
    if (answers.size >= MAX_REMEMBERED_SKUS) answers.clear();
    answers.set(sku, { at: nowMs, lifetimeMs: answerLifetimeMs(), value });
    return value;
  });
};

/**
 * Availability of SKUs for channels over every defined location, with the same ATP rules and trust
 * the hub decides reservations with.
 *
 * Answers are remembered while the views do not change (any committed write forgets them, so a
 * reservation shows at once), for at most a second: `asOf` and the ages are those of the
 * computation, so a remembered answer is still a true statement about its time.
 */
export const availabilityOf = (
  store: SqlStore,
  policy: FreshnessPolicy,
  nowMs: number,
  skus: readonly string[],
  channels: readonly string[],
): SkuAvailability[] =>
  rememberedPerSku(
    store,
    'availability',
    nowMs,
    skus,
    channels,
    (missing) => new Map(computeAvailability(store, policy, nowMs, missing, channels).map((a) => [a.sku, a])),
  );

/**
 * The same answers as UTF-8 JSON, remembered like the answers: a storefront page asks for the same
 * SKUs over and over, and serializing them was the largest cost of the availability API. Only the
 * JSON is remembered: keeping the objects too (a second answer per SKU, renewed every second) made
 * most of what survived into the old generation, and so the major GCs under read load. Byte for byte
 * `JSON.stringify` of `availabilityOf`'s answer (see `answerJson`).
 */
export const availabilityJsonOf = (
  store: SqlStore,
  policy: FreshnessPolicy,
  nowMs: number,
  skus: readonly string[],
  channels: readonly string[],
): Buffer[] =>
  rememberedPerSku(store, 'availability-json', nowMs, skus, channels, (missing) => {
    const { context, figures } = computeFigures(store, policy, nowMs, missing, channels);
    const json = answerJson(context);
    return new Map(figures.map((f) => [f.sku, Buffer.from(json(f))]));
  });

/** What every SKU's answer of one computation shares: the time, and each location's region, trust and freshness. */
interface AnswerContext {
  readonly asOf: string;
  readonly regionOf: ReadonlyMap<string, string>;
  /** Each location's `locationHead`. */
  readonly heads: ReadonlyMap<string, string>;
  readonly trust: (location: string) => LocationTrust;
  readonly freshness: ReadonlyMap<string, LocationFreshness>;
  readonly staleLocations: readonly StaleLocation[];
}

/** A SKU's figures as computed, before they are written as an answer (objects or JSON). */
interface SkuFigures {
  readonly sku: string;
  readonly networkReserved: number;
  /** One per channel asked for; the first one's per-location breakdown is every channel's. */
  readonly atps: readonly ChannelAtp[];
}

/** ISO texts of the instants last heard from locations: they change with heartbeats, not per SKU. */
const isoTexts = new Map<number, string>();
const isoText = (ms: number): string => {
  let text = isoTexts.get(ms);
  if (text === undefined) {
    if (isoTexts.size >= 4096) isoTexts.clear();
    text = new Date(ms).toISOString();
    isoTexts.set(ms, text);
  }
  return text;
};

/** JSON.stringify of a trust, as trustFrom makes them. */
const trustJson = (trust: LocationTrust): string =>
  trust.kind === 'buffer' ? `{"kind":"buffer","units":${num(trust.units)}}` : `{"kind":"${trust.kind}"}`;

/** The JSON of a location's answer up to its figures. */
const locationHead = (location: string, region: string): string =>
  `{"location":${JSON.stringify(location)},"region":${JSON.stringify(region)},"onHand":`;

/** Writes computed figures as the answer objects. */
const answerOf =
  (context: AnswerContext): ((figures: SkuFigures) => SkuAvailability) =>
  ({ sku, networkReserved, atps }) => ({
    sku,
    asOf: context.asOf,
    networkReserved,
    channels: atps.map((a) => ({
      channel: a.channel,
      atp: a.atp,
      pool: a.pool,
      allocationRemaining: a.allocationRemaining,
      rule: a.rule,
    })),
    // Figures and trust do not depend on the channel: the first channel's breakdown is everyone's.
    locations: (atps[0]?.perLocation ?? []).map((l) => {
      const f = context.freshness.get(l.location);
      return {
        location: l.location,
        region: context.regionOf.get(l.location) ?? '',
        onHand: l.figures.onHand,
        reserved: l.figures.reserved,
        safetyStock: l.figures.safetyStock,
        available: l.available,
        contributes: l.contributes,
        trust: l.trust,
        lastHeardAt: f?.lastHeardMs == null ? null : isoText(f.lastHeardMs),
        ageMs: f?.ageMs ?? null,
        stale: f?.stale ?? true,
      };
    }),
    staleLocations: context.staleLocations,
  });

/** JSON of a number as JSON.stringify writes it (a non-finite one is null). */
const num = (n: number): string => (Number.isFinite(n) ? String(n) : 'null');

/**
 * Writes computed figures as the answer's JSON, the text `JSON.stringify(answerOf(context)(figures))`
 * gives (same keys, order and text), building once what every SKU's answer repeats: each location's
 * name, region, trust and freshness, the time and the stale locations. An aged answer (past its 1 s
 * bound) is recomputed from remembered figures; building its objects (an ISO date per location) and
 * stringifying them was most of that recompute.
 */
const answerJson = (context: AnswerContext): ((figures: SkuFigures) => string) => {
  /** Per location: the JSON before its figures and after them, made when first needed. */
  const parts = (location: string) => {
    const f = context.freshness.get(location);
    const lastHeardAt = f?.lastHeardMs == null ? 'null' : `"${isoText(f.lastHeardMs)}"`;
    return {
      head: context.heads.get(location) ?? locationHead(location, context.regionOf.get(location) ?? ''),
      tail: `,"trust":${trustJson(context.trust(location))},"lastHeardAt":${lastHeardAt},"ageMs":${
        f?.ageMs == null ? 'null' : num(f.ageMs)
      },"stale":${f?.stale ?? true}}`,
    };
  };
  const partsOf = new Map<string, { head: string; tail: string }>();
  const asOf = JSON.stringify(context.asOf);
  const staleLocations = JSON.stringify(context.staleLocations);
  return ({ sku, networkReserved, atps }) => {
    let out = `{"sku":${JSON.stringify(sku)},"asOf":${asOf},"networkReserved":${num(networkReserved)},"channels":[`;
    atps.forEach((a, i) => {
      const remaining = a.allocationRemaining === null ? 'null' : num(a.allocationRemaining);
      out += `${i > 0 ? ',' : ''}{"channel":${JSON.stringify(a.channel)},"atp":${num(a.atp)},"pool":${num(a.pool)},"allocationRemaining":${remaining},"rule":${JSON.stringify(a.rule)}}`;
    });
    out += '],"locations":[';
    (atps[0]?.perLocation ?? []).forEach((l, i) => {
      let part = partsOf.get(l.location);
      if (part === undefined) {
        part = parts(l.location);
        partsOf.set(l.location, part);
      }
      const f = l.figures;
      out += `${i > 0 ? ',' : ''}${part.head}${num(f.onHand)},"reserved":${num(f.reserved)},"safetyStock":${num(f.safetyStock)},"available":${num(l.available)},"contributes":${num(l.contributes)}${part.tail}`;
    });
    return `${out}],"staleLocations":${staleLocations}}`;
  };
};

const computeAvailability = (
  store: SqlStore,
  policy: FreshnessPolicy,
  nowMs: number,
  skus: readonly string[],
  channels: readonly string[],
): SkuAvailability[] => {
  const { context, figures } = computeFigures(store, policy, nowMs, skus, channels);
  return figures.map(answerOf(context));
};

const computeFigures = (
  store: SqlStore,
  policy: FreshnessPolicy,
  nowMs: number,
  skus: readonly string[],
  channels: readonly string[],
): { context: AnswerContext; figures: SkuFigures[] } => {
  const memo = readMemoOf(store).current();
  const freshness = locationFreshness(store, policy, nowMs);
  const trust = trustFrom(freshness, policy);
  // Built once per version of the views, not per call: an aged answer is often recomputed alone.
  const { lookups, regionOf, heads, ids } = memo.get('availability-setup', () => {
    const base = sqlInventoryView(store);
    const locations = base.locations();
    return {
      lookups: rememberedView(base, memo),
      regionOf: new Map(locations.map((l) => [l.location, l.region])),
      heads: new Map(locations.map((l) => [l.location, locationHead(l.location, l.region)])),
      ids: locations.map((l) => l.location),
    };
  });
  const stock = stockOfSkus(store, memo, skus);
  const view: AtpView = {
    networkReserved: lookups.networkReserved,
    channelHeld: lookups.channelHeld,
    allocation: lookups.allocation,
    stock: (sku, location) => stock.get(sku)?.get(location) ?? NO_STOCK,
  };
  const staleLocations = [...freshness.values()]
    .filter((f) => f.stale)
    .map((f) => ({ location: f.location, ageMs: f.ageMs }));
  const figures = skus.map((sku) => ({
    sku,
    networkReserved: view.networkReserved(sku),
    atps: channels.map((channel) => channelAtp(view, { channel, sku, locations: ids, trust })),
  }));
  return {
    context: { asOf: new Date(nowMs).toISOString(), regionOf, heads, trust, freshness, staleLocations },
    figures,
  };
};
