// The cost of applying the benchmark day's events with the hub's own applyBatch/ViewWriter, by
// transaction size and SQLite settings (no NATS: the messages are built in memory). Shows what the
// projector's old ~110-event transactions cost against 2,000- and 10,000-event ones.
//
//   npx tsx bench/repro/sqlite-batching.ts [events=30000]
import { mkdirSync, rmSync } from 'node:fs';
import { applyBatch } from '../../apps/hub/src/projector/apply-batch.js';
import { ViewWriter } from '../../apps/hub/src/projector/view-writer.js';
import { ensureViewSchema } from '../../apps/hub/src/store/schema.js';
import { openSqliteStore } from '../../apps/hub/src/store/sql-store.js';
import { benchDayMessages, timedStore } from './repro-kit.js';

const N = Number(process.argv[2] ?? 30000);
const msgs = benchDayMessages(N, 'exp');
// openSqliteStore sets a 64 MB page cache and a 10,000-page WAL autocheckpoint; the "2 MB" variants
// put SQLite's defaults back to show what those settings bought.
const OLD_DEFAULTS = ['PRAGMA cache_size = -2000', 'PRAGMA wal_autocheckpoint = 1000'];
const variants: [string, number, string, string[]][] = [
  ['file, batches of 110, 2 MB cache', 110, 'file', OLD_DEFAULTS],
  ['file, batches of 2000, 2 MB cache', 2000, 'file', OLD_DEFAULTS],
  ['file, batches of 2000', 2000, 'file', []],
  ['file, batches of 10000', 10000, 'file', []],
  ['file, 10000, synchronous=OFF', 10000, 'file', ['PRAGMA synchronous = OFF']],
  [':memory:, 10000', 10000, ':memory:', []],
];
const totals = new Map<string, number[]>();
for (let round = 0; round < 2; round++)
  for (const [name, size, kind, pragmas] of variants) {
    rmSync('/tmp/exp', { recursive: true, force: true });
    mkdirSync('/tmp/exp');
    const store = openSqliteStore(kind === 'file' ? '/tmp/exp/x.sqlite' : ':memory:');
    for (const p of pragmas) store.exec(p);
    ensureViewSchema(store);
    const writer = new ViewWriter(store);
    const t0 = performance.now();
    for (let i = 0; i < msgs.length; i += size) applyBatch(store, writer, msgs.slice(i, i + size));
    const ms = performance.now() - t0;
    totals.set(name, [...(totals.get(name) ?? []), (ms * 1000) / msgs.length]);
    store.close();
  }
for (const [name, us] of totals) {
  const best = Math.min(...us);
  console.log(
    `${name.padEnd(36)} best ${best.toFixed(0)} us/event = ${Math.round(1e6 / best)} events/s   (all: ${us.map((u) => u.toFixed(0)).join(', ')})`,
  );
}
rmSync('/tmp/exp', { recursive: true, force: true });

// Where a 2,000-event transaction's time goes, statement by statement (file store).
{
  rmSync('/tmp/exp', { recursive: true, force: true });
  mkdirSync('/tmp/exp');
  const inner = openSqliteStore('/tmp/exp/x.sqlite');
  ensureViewSchema(inner);
  const { store, report } = timedStore(inner);
  const writer = new ViewWriter(store);
  for (let i = 0; i < msgs.length; i += 2000) applyBatch(store, writer, msgs.slice(i, i + 2000));
  console.log(`\nbatches of 2000: ${report(msgs.length, 12).join('\n')}`);
  inner.close();
  rmSync('/tmp/exp', { recursive: true, force: true });
}
