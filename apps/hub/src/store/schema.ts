import type { SqlStore } from './sql-store.js';

/** Bump when a view's shape changes: the hub then rebuilds the views from the stream. */
export const VIEW_SCHEMA_VERSION = 7;

/** Tables of the read side. Every one can be dropped and rebuilt from the event stream. */
const VIEW_TABLES = `
CREATE TABLE IF NOT EXISTS checkpoint (name TEXT PRIMARY KEY, stream_seq INTEGER NOT NULL, schema_version INTEGER NOT NULL);
-- The event stream the views were built from: its creation time, first sequence and messages
-- deleted inside it, as the projector first saw them or a rebuild replayed them. A stream deleted
-- and created again, or purged, no longer matches (docs/decisions/0025-clock-skew-and-stream-integrity.md).
CREATE TABLE IF NOT EXISTS stream_identity (
  name TEXT PRIMARY KEY, created TEXT NOT NULL, first_seq INTEGER NOT NULL, deleted INTEGER NOT NULL);
-- One row per applied event, keyed by its stream sequence and its place in the message (a hub
-- message carries a group of commands' events; a store message one event), so rows append in
-- stream order; the unique event id is the dedupe. A node seq used twice is found through node_status's watermark and
-- node_seq_above instead of a third B-tree. The movements of an event point here for its id, type
-- and time.
CREATE TABLE IF NOT EXISTS applied_events (
  stream_seq INTEGER NOT NULL, idx INTEGER NOT NULL, event_id TEXT NOT NULL UNIQUE, node TEXT NOT NULL,
  seq INTEGER NOT NULL, type TEXT NOT NULL, location TEXT NOT NULL, hlc TEXT NOT NULL,
  correlation_id TEXT NOT NULL, occurred_at TEXT NOT NULL, PRIMARY KEY (stream_seq, idx)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS node_status (
  node TEXT PRIMARY KEY, location TEXT NOT NULL, region TEXT, watermark INTEGER NOT NULL, max_seq INTEGER NOT NULL,
  events_applied INTEGER NOT NULL, last_event_at TEXT, last_event_hlc TEXT, last_event_stream_seq INTEGER,
  last_heard_ms INTEGER, pending INTEGER, oldest_pending_age_ms INTEGER,
  -- Events of the node whose clock was further ahead of their store time than the bound, the lead
  -- and store time of the latest one, and whether the node's latest event (stream order) was one.
  clock_skew_events INTEGER NOT NULL DEFAULT 0, clock_ahead_ms INTEGER, clock_skew_stored_ms INTEGER,
  clock_skewed INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS node_seq_above (node TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (node, seq));
CREATE TABLE IF NOT EXISTS locations (
  location TEXT PRIMARY KEY, region TEXT NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL, lat REAL, lon REAL);
CREATE TABLE IF NOT EXISTS catalog (
  sku TEXT PRIMARY KEY, name TEXT NOT NULL, barcode TEXT, price_cents INTEGER NOT NULL, currency TEXT NOT NULL,
  category TEXT);
CREATE TABLE IF NOT EXISTS stock (
  location TEXT NOT NULL, sku TEXT NOT NULL, on_hand INTEGER NOT NULL DEFAULT 0, reserved INTEGER NOT NULL DEFAULT 0,
  damaged INTEGER NOT NULL DEFAULT 0, in_transit INTEGER NOT NULL DEFAULT 0, safety_stock INTEGER NOT NULL DEFAULT 0,
  count_hlc TEXT, count_qty INTEGER, delta_after_count INTEGER NOT NULL DEFAULT 0,
  last_hlc TEXT, last_stream_seq INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (location, sku)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS stock_by_sku ON stock (sku);
-- Cells where stock is held (reservations, pickups): the few that reconciliation has to look at.
CREATE INDEX IF NOT EXISTS stock_held ON stock (location, sku) WHERE reserved > 0;
-- The ledger of every cell: one narrow B-tree per line, in cell and HLC order within an epoch of
-- the stream (LEDGER_EPOCH_EVENTS stream seqs). Events land on cells at random, so a batch dirties
-- pages all over the part of the ledger it writes to: keyed by cell alone, that part was the whole
-- history and each commit grew with it; keyed by epoch first, it is the current epoch's few MB. A
-- cell's lines are read epoch by epoch (ledger_epochs says which epochs can hold the HLCs asked for).
-- The event's id, type and time live once in applied_events instead of on every line.
CREATE TABLE IF NOT EXISTS movements (
  epoch INTEGER NOT NULL, location TEXT NOT NULL, sku TEXT NOT NULL, hlc TEXT NOT NULL, stream_seq INTEGER NOT NULL,
  bucket TEXT NOT NULL, delta INTEGER NOT NULL, counted_qty INTEGER,
  PRIMARY KEY (epoch, location, sku, hlc, stream_seq, bucket)) WITHOUT ROWID;
-- The HLCs each ledger epoch holds (offline events arrive late, so epochs overlap in HLC).
CREATE TABLE IF NOT EXISTS ledger_epochs (epoch INTEGER PRIMARY KEY, min_hlc TEXT NOT NULL, max_hlc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS allocations (channel TEXT NOT NULL, sku TEXT NOT NULL, rule TEXT NOT NULL, PRIMARY KEY (channel, sku));
CREATE TABLE IF NOT EXISTS channel_held (channel TEXT NOT NULL, sku TEXT NOT NULL, qty INTEGER NOT NULL, PRIMARY KEY (channel, sku));
CREATE TABLE IF NOT EXISTS network_reserved (sku TEXT PRIMARY KEY, qty INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS reservations (
  reservation_id TEXT PRIMARY KEY, channel TEXT NOT NULL, location TEXT, status TEXT NOT NULL, expires_at TEXT NOT NULL,
  idempotency_key TEXT NOT NULL, lines TEXT NOT NULL, placed_at TEXT NOT NULL, updated_at TEXT NOT NULL,
  placed_event_id TEXT NOT NULL, correlation_id TEXT NOT NULL,
  UNIQUE (channel, idempotency_key));
CREATE INDEX IF NOT EXISTS reservations_due ON reservations (status, expires_at);
CREATE TABLE IF NOT EXISTS reservation_lines (reservation_id TEXT NOT NULL, location TEXT, sku TEXT NOT NULL, qty INTEGER NOT NULL,
  PRIMARY KEY (reservation_id, sku));
CREATE INDEX IF NOT EXISTS reservation_lines_by_cell ON reservation_lines (location, sku);
CREATE TABLE IF NOT EXISTS pickups (
  pickup_id TEXT PRIMARY KEY, channel TEXT, location TEXT, order_ref TEXT, customer_name TEXT, lines TEXT,
  status TEXT NOT NULL, picked INTEGER NOT NULL DEFAULT 0, reject_reason TEXT, reject_note TEXT,
  placed_at TEXT, updated_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS pickups_by_location ON pickups (location, status);
CREATE TABLE IF NOT EXISTS transfers (
  transfer_id TEXT PRIMARY KEY, from_location TEXT, to_location TEXT, shipped_lines TEXT, received_lines TEXT,
  shipped_at TEXT, received_at TEXT);
CREATE TABLE IF NOT EXISTS daily_sales (
  day TEXT NOT NULL, location TEXT NOT NULL, sku TEXT NOT NULL, units INTEGER NOT NULL, revenue_cents INTEGER NOT NULL,
  PRIMARY KEY (day, location, sku)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS incidents (
  incident_id TEXT PRIMARY KEY, kind TEXT NOT NULL, location TEXT NOT NULL, sku TEXT NOT NULL, shortfall INTEGER NOT NULL,
  affected TEXT NOT NULL, proposal TEXT, triggered_by TEXT NOT NULL, note TEXT, recorded_at TEXT NOT NULL,
  stream_seq INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS incidents_by_cell ON incidents (location, sku);
CREATE TABLE IF NOT EXISTS dead_letters (reason TEXT PRIMARY KEY, count INTEGER NOT NULL);
`;

/**
 * State that a rebuild keeps: heartbeats (not stored events) and dead letters committed with their
 * batch but not yet copied to the DLQ stream (a transactional outbox).
 */
const LIVE_TABLES = `
CREATE TABLE IF NOT EXISTS node_heartbeats (
  node TEXT PRIMARY KEY, location TEXT NOT NULL, region TEXT NOT NULL, last_heartbeat_ms INTEGER NOT NULL,
  pending INTEGER NOT NULL, oldest_pending_age_ms INTEGER, last_acked_seq INTEGER, app_version TEXT);
CREATE TABLE IF NOT EXISTS dead_letter_outbox (
  stream_seq INTEGER PRIMARY KEY, subject TEXT NOT NULL, reason TEXT NOT NULL, detail TEXT NOT NULL, body BLOB NOT NULL);
`;

/** Table names in the order they are dropped by a rebuild. */
export const VIEW_TABLE_NAMES = [...VIEW_TABLES.matchAll(/CREATE TABLE IF NOT EXISTS (\w+)/g)].map(
  (m) => m[1] as string,
);

/** Creates missing tables; drops and recreates all of them when the schema version changed. */
export const ensureViewSchema = (store: SqlStore): { rebuilt: boolean } => {
  store.exec(VIEW_TABLES);
  store.exec(LIVE_TABLES);
  const row = store.get<{ schema_version: number }>("SELECT schema_version FROM checkpoint WHERE name = 'projector'");
  if (row && row.schema_version !== VIEW_SCHEMA_VERSION) {
    dropViews(store);
    return { rebuilt: true };
  }
  return { rebuilt: false };
};

/** Drops every view table and creates them empty (the checkpoint goes with them). */
export const dropViews = (store: SqlStore): void => {
  store.exec(VIEW_TABLE_NAMES.map((t) => `DROP TABLE IF EXISTS ${t};`).join('\n'));
  store.exec(VIEW_TABLES);
};
