import { DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import {
  type DecidedEvent,
  foldEvents,
  type InventoryEvent,
  initialInventoryState,
  parseEvent,
  type StockFigures,
  stockFiguresOf,
} from '@stocknerve/domain';
import type { HubHandle } from '@stocknerve/hub';
import { NAMES } from '@stocknerve/protocol';
import type { Observable } from 'rxjs';
import type { SyncStatus } from '../status.js';

// Shared pieces of the sync integration tests: master data, event generators, and read-outs of
// the stream and of the hub's views that the assertions compare.

export const defineStore = (location: string, region = 'north'): DecidedEvent => ({
  type: 'LocationDefined',
  data: { location, region, kind: 'store', name: location },
});

export const catalogItem = (sku: string, name: string, priceCents = 100): DecidedEvent => ({
  type: 'CatalogItemUpserted',
  data: { sku, name, priceCents, currency: 'EUR' },
});

export const goodsReceived = (purchaseOrderId: string, sku: string, qty: number): DecidedEvent => ({
  type: 'GoodsReceived',
  data: { purchaseOrderId, lines: [{ sku, qty }] },
});

export const saleOf = (receiptId: string, sku: string, qty: number, unitPriceCents = 100): DecidedEvent => ({
  type: 'SaleRecorded',
  data: { receiptId, currency: 'EUR', totalCents: qty * unitPriceCents, lines: [{ sku, qty, unitPriceCents }] },
});

export const adjusted = (adjustmentId: string, sku: string, delta: number): DecidedEvent => ({
  type: 'StockAdjusted',
  data: { adjustmentId, reason: delta > 0 ? 'found' : 'theft', lines: [{ sku, delta }] },
});

/** Small seeded PRNG (mulberry32): the chaos mix is the same on every run. */
export const seededRandom = (seed: number): (() => number) => {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

/** One random store event: mostly sales, some receipts and adjustments, on one of `skus`. */
export const randomStoreEvent = (random: () => number, skus: readonly string[], ref: string): DecidedEvent => {
  const sku = skus[Math.floor(random() * skus.length)] ?? 'SKU-0';
  const qty = 1 + Math.floor(random() * 5);
  const roll = random();
  if (roll < 0.6) return saleOf(`r-${ref}`, sku, qty);
  if (roll < 0.85) return goodsReceived(`po-${ref}`, sku, qty * 4);
  return adjusted(`adj-${ref}`, sku, random() < 0.5 ? -qty : qty);
};

/** A message of INV_EVENTS as read back. */
export interface StoredMessage {
  readonly streamSeq: number;
  readonly subject: string;
  readonly event: InventoryEvent | null;
}

/**
 * Reads INV_EVENTS (or the part on `subject`) front to back with an ordered consumer: what the
 * broker really holds, in stream order (deleted messages are not delivered).
 */
export const readEventStream = async (nc: NatsConnection, subject?: string): Promise<StoredMessage[]> => {
  const info = await (await jetstreamManager(nc)).streams.info(NAMES.eventStream, {
    ...(subject ? { subjects_filter: subject } : {}),
  });
  const total = subject ? (info.state.subjects?.[subject] ?? 0) : info.state.messages;
  if (total === 0) return [];
  const consumer = await jetstream(nc).consumers.get(NAMES.eventStream, {
    deliver_policy: DeliverPolicy.All,
    // A string is sent as `filter_subject`: nats-server 2.9 has no `filter_subjects`.
    ...(subject ? { filter_subjects: subject } : {}),
  });
  const messages = await consumer.consume({ max_messages: 2000 });
  const out: StoredMessage[] = [];
  for await (const m of messages) {
    const parsed = parseEvent(m.json());
    out.push({ streamSeq: m.seq, subject: m.subject, event: parsed.ok ? parsed.event : null });
    if (m.info.pending === 0 || out.length >= total) break;
  }
  await messages.close();
  return out;
};

/** Stock figures per `location/sku` of the pure fold of the given events (the domain's rules). */
export const pureStockFigures = (events: Iterable<InventoryEvent>): Map<string, StockFigures> => {
  const state = foldEvents(events, initialInventoryState());
  const out = new Map<string, StockFigures>();
  for (const cell of state.cells.values())
    out.set(`${cell.location}/${cell.sku}`, stockFiguresOf(state, cell.sku, cell.location));
  return out;
};

/** Rows of the hub's `applied_events` that came from store nodes (not the hub's own facts). */
export const hubAppliedStoreEvents = (hub: HubHandle): number =>
  hub.ctx.store.get<{ n: number }>("SELECT COUNT(*) AS n FROM applied_events WHERE node <> 'hub'")?.n ?? 0;

/** The hub's view of one node: contiguous watermark, highest seq, and seqs applied above the watermark. */
export const hubNodeProgress = (hub: HubHandle, node: string) => {
  const row = hub.ctx.store.get<{ watermark: number; max_seq: number; events_applied: number }>(
    'SELECT watermark, max_seq, events_applied FROM node_status WHERE node = ?',
    node,
  );
  const above = hub.ctx.store.get<{ n: number }>('SELECT COUNT(*) AS n FROM node_seq_above WHERE node = ?', node);
  return {
    watermark: row?.watermark ?? 0,
    maxSeq: row?.max_seq ?? 0,
    eventsApplied: row?.events_applied ?? 0,
    seqsAboveWatermark: above?.n ?? 0,
  };
};

/** Dead letters the hub counted, by reason. */
export const hubDeadLetters = (hub: HubHandle): Record<string, number> =>
  Object.fromEntries(
    hub.ctx.store
      .all<{ reason: string; count: number }>('SELECT reason, count FROM dead_letters')
      .map((r) => [r.reason, r.count]),
  );

/** The hub's on hand of one cell (undefined: no row). */
export const hubOnHand = (hub: HubHandle, location: string, sku: string): number | undefined =>
  hub.ctx.store.get<{ on_hand: number }>('SELECT on_hand FROM stock WHERE location = ? AND sku = ?', location, sku)
    ?.on_hand;

/** Collects every value an observable emits until `stop()` is called. */
export const recordValues = <T>(source: Observable<T>): { values: T[]; stop: () => void } => {
  const values: T[] = [];
  const sub = source.subscribe((v) => values.push(v));
  return { values, stop: () => sub.unsubscribe() };
};

/** `connected/pending` of a status, the part of it the status tests follow. */
export const linkState = (s: SyncStatus): string => `${s.connected ? 'online' : 'offline'}/${s.pending}`;

/** Drops consecutive repeats. */
export const distinctRuns = <T>(values: readonly T[]): T[] => values.filter((v, i) => i === 0 || values[i - 1] !== v);

/** True when `needle` appears in `haystack` in order (not necessarily adjacent). */
export const isSubsequence = <T>(needle: readonly T[], haystack: readonly T[]): boolean => {
  let i = 0;
  for (const v of haystack) if (i < needle.length && v === needle[i]) i++;
  return i === needle.length;
};

/**
 * The HTTP API of a hub running in its own process (`spawnHubProcess`), with the admin token:
 * what a test reads and writes when the hub is not in this process.
 */
export const hubApi = (baseUrl: string, token: string) => {
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };
  return {
    defineStore: (location: string, region = 'north') =>
      call('POST', '/v1/admin/locations', { location, region, kind: 'store', name: location }),
    upsertCatalogItem: (sku: string, name: string, priceCents = 100) =>
      call('PUT', `/v1/admin/catalog/${sku}`, { name, priceCents, currency: 'EUR' }),
    /** The hub's watermark of a node (0 before it applied anything of it). */
    watermarkOf: async (node: string): Promise<number> => {
      const { nodes } = await call<{ nodes: { node: string; watermark: number }[] }>('GET', '/v1/nodes');
      return nodes.find((n) => n.node === node)?.watermark ?? 0;
    },
    onHandOf: async (location: string, sku: string): Promise<number | undefined> => {
      const { stock } = await call<{ stock: { sku: string; onHand: number }[] }>(
        'GET',
        `/v1/locations/${location}/stock?sku=${sku}`,
      );
      return stock.find((s) => s.sku === sku)?.onHand;
    },
  };
};
