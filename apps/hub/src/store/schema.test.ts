import { type EventOf, HUB_LOCATION, HUB_NODE, type InventoryEvent } from '@stocknerve/domain';
import { eventFactory } from '@stocknerve/domain/testing';
import { describe, expect, it } from 'vitest';
import { emptyEffects, ViewWriter } from '../projector/view-writer.js';
import { explainOnHand } from '../views/history.js';
import { ensureViewSchema, VIEW_SCHEMA_VERSION } from './schema.js';
import { openSqliteStore, type SqlStore } from './sql-store.js';

/** The ledger and dedupe tables as view schema 2 wrote them (one event id and time per line). */
const VIEW_SCHEMA_2 = `
CREATE TABLE checkpoint (name TEXT PRIMARY KEY, stream_seq INTEGER NOT NULL, schema_version INTEGER NOT NULL);
CREATE TABLE applied_events (
  event_id TEXT PRIMARY KEY, node TEXT NOT NULL, seq INTEGER NOT NULL, stream_seq INTEGER NOT NULL,
  type TEXT NOT NULL, location TEXT NOT NULL, hlc TEXT NOT NULL, correlation_id TEXT NOT NULL, UNIQUE (node, seq));
CREATE TABLE movements (
  stream_seq INTEGER NOT NULL, event_id TEXT NOT NULL, type TEXT NOT NULL, location TEXT NOT NULL, sku TEXT NOT NULL,
  hlc TEXT NOT NULL, bucket TEXT NOT NULL, delta INTEGER NOT NULL, counted_qty INTEGER, occurred_at TEXT NOT NULL);
CREATE INDEX movements_by_cell ON movements (location, sku, hlc);
INSERT INTO checkpoint VALUES ('projector', 500, 2);
INSERT INTO applied_events VALUES ('e-1', 'store-1-t1', 1, 500, 'GoodsReceived', 'store-1', 'h', 'c');
INSERT INTO movements VALUES (500, 'e-1', 'GoodsReceived', 'store-1', 'sku-1', 'h', 'on_hand', 7, NULL, 't');
`;

const columnsOf = (db: SqlStore, table: string) =>
  db.all<{ name: string }>(`SELECT name FROM pragma_table_info('${table}')`).map((c) => c.name);

const T0 = Date.UTC(2026, 5, 1, 12);

/** Applies events (each with its stream seq) in one batch. */
const commit = (db: SqlStore, writer: ViewWriter, ...events: [InventoryEvent, number][]) =>
  db.transaction(() => {
    for (const [event, streamSeq] of events) writer.apply(event, streamSeq, T0, emptyEffects());
    writer.flushPending();
  });

describe('view schema', () => {
  it('drops views written by an older schema, keeps live state, and replays into the current shape', () => {
    const db = openSqliteStore(':memory:');
    db.exec(VIEW_SCHEMA_2);
    db.exec(
      `CREATE TABLE node_heartbeats (node TEXT PRIMARY KEY, location TEXT NOT NULL, region TEXT NOT NULL,
         last_heartbeat_ms INTEGER NOT NULL, pending INTEGER NOT NULL, oldest_pending_age_ms INTEGER,
         last_acked_seq INTEGER, app_version TEXT);
       INSERT INTO node_heartbeats VALUES ('store-1-t1', 'store-1', 'north', 1, 0, NULL, NULL, NULL);`,
    );

    expect(VIEW_SCHEMA_VERSION).toBeGreaterThan(2);
    expect(ensureViewSchema(db)).toEqual({ rebuilt: true });
    // The checkpoint went with the views: the projector replays the stream from its start.
    expect(db.get('SELECT * FROM checkpoint')).toBeUndefined();
    expect(db.get('SELECT * FROM movements')).toBeUndefined();
    expect(columnsOf(db, 'movements')).not.toContain('event_id');
    expect(columnsOf(db, 'applied_events')).toContain('occurred_at');
    expect(db.get<{ n: number }>('SELECT COUNT(*) AS n FROM node_heartbeats')?.n).toBe(1);

    const hub = eventFactory({ location: HUB_LOCATION, node: HUB_NODE, startMs: T0 - 60_000 });
    const till = eventFactory({ location: 'store-1', node: 'store-1-t1', startMs: T0 - 30_000 });
    const received = till.next({
      type: 'GoodsReceived',
      data: { purchaseOrderId: 'po-1', lines: [{ sku: 'sku-1', qty: 7 }] },
    });
    const writer = new ViewWriter(db);
    commit(
      db,
      writer,
      [
        hub.next({
          type: 'LocationDefined',
          data: { location: 'store-1', region: 'north', kind: 'store', name: 'S1' },
        }),
        1,
      ],
      [received, 2],
    );
    // The replayed ledger still names each movement's event, type and time (through applied_events).
    expect(explainOnHand(db, 'store-1', 'sku-1')).toMatchObject({
      onHand: 7,
      consistent: true,
      movements: [
        { type: 'GoodsReceived', delta: 7, eventId: received.id, occurredAt: received.occurredAt, streamSeq: 2 },
      ],
    });
    // A second start with the same schema keeps what is there.
    expect(ensureViewSchema(db)).toEqual({ rebuilt: false });
    expect(db.get<{ n: number }>('SELECT COUNT(*) AS n FROM movements')?.n).toBe(1);
    db.close();
  });

  it('keeps a SKU named twice in one event from failing the batch: deltas add up, the first count stands', () => {
    // Store schemas refuse a SKU named twice; the ledger's key must not turn a slip into a stuck hub.
    const db = openSqliteStore(':memory:');
    ensureViewSchema(db);
    const till = eventFactory({ location: 'store-1', node: 'store-1-t1', startMs: T0 });
    const once = till.next({
      type: 'GoodsReceived',
      data: { purchaseOrderId: 'po-1', lines: [{ sku: 'sku-1', qty: 3 }] },
    }) as EventOf<'GoodsReceived'>;
    const twice: EventOf<'GoodsReceived'> = {
      ...once,
      data: { ...once.data, lines: [...once.data.lines, { sku: 'sku-1', qty: 4 }] },
    };
    const writer = new ViewWriter(db);
    commit(db, writer, [twice, 1]);
    expect(explainOnHand(db, 'store-1', 'sku-1')).toMatchObject({
      onHand: 7,
      consistent: true,
      movements: [{ delta: 7, eventId: twice.id }],
    });

    // A count naming a SKU twice: its first line stands, in the stock row and in the ledger alike.
    const counted = till.next({
      type: 'CycleCounted',
      data: { countId: 'count-1', lines: [{ sku: 'sku-1', countedQty: 5 }] },
    }) as EventOf<'CycleCounted'>;
    const countedTwice: EventOf<'CycleCounted'> = {
      ...counted,
      data: { ...counted.data, lines: [...counted.data.lines, { sku: 'sku-1', countedQty: 9 }] },
    };
    commit(db, writer, [countedTwice, 2]);
    expect(explainOnHand(db, 'store-1', 'sku-1')).toMatchObject({
      onHand: 5,
      count: { qty: 5, eventId: countedTwice.id },
      movements: [],
      consistent: true,
    });
    db.close();
  });
});
