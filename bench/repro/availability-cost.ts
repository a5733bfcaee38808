// What one availability answer costs in the hub's views, without HTTP: availabilityOf for one SKU
// over 20 stores × 1,000 SKUs (in-memory SQLite), with the time of every SQL statement it runs.
//
//   npx tsx bench/repro/availability-cost.ts

import { hubEventSubject, storeEventSubject } from '../../apps/hub/src/backbone/subjects.js';
import { loadConfig } from '../../apps/hub/src/config.js';
import type { StreamMessage } from '../../apps/hub/src/projector/apply-batch.js';
import { applyBatch } from '../../apps/hub/src/projector/apply-batch.js';
import { ViewWriter } from '../../apps/hub/src/projector/view-writer.js';
import { ensureViewSchema } from '../../apps/hub/src/store/schema.js';
import { openSqliteStore, type SqlStore } from '../../apps/hub/src/store/sql-store.js';
import { availabilityOf } from '../../apps/hub/src/views/availability.js';
import { eventFactory } from '../../packages/domain/src/testing/index.js';
import { locationFacts, worldLayout } from '../simulator/world.js';

const layout = worldLayout({ regions: 4, locationsPerRegion: 5, nodesPerLocation: 1, skus: 1000 });
const enc = new TextEncoder();
const msgs: StreamMessage[] = [];
let seq = 0;
for (const f of locationFacts(layout))
  msgs.push({ subject: hubEventSubject(), seq: ++seq, storedMs: Date.now(), body: enc.encode(JSON.stringify(f)) });
for (const n of layout.nodes) {
  const f = eventFactory({ location: n.location, node: n.node, startMs: Date.now() - 3600_000 });
  for (let i = 0; i < 50; i++)
    msgs.push({
      subject: storeEventSubject(n.region, n.location, n.node),
      seq: ++seq,
      storedMs: Date.now(),
      body: enc.encode(
        JSON.stringify(
          f.next({
            type: 'GoodsReceived',
            data: {
              purchaseOrderId: `po-${i}`,
              lines: layout.skus.slice(i * 20, i * 20 + 20).map((sku) => ({ sku, qty: 5 })),
            },
          }),
        ),
      ),
    });
}
const inner = openSqliteStore(':memory:');
ensureViewSchema(inner);
applyBatch(inner, new ViewWriter(inner), msgs);
const stats = new Map<string, { n: number; us: number }>();
const timed = <T>(sql: string, fn: () => T): T => {
  const t0 = performance.now();
  try {
    return fn();
  } finally {
    const s = stats.get(sql) ?? { n: 0, us: 0 };
    s.n++;
    s.us += (performance.now() - t0) * 1000;
    stats.set(sql, s);
  }
};
const store: SqlStore = {
  ...inner,
  run: (q, ...p) => timed(q, () => inner.run(q, ...p)),
  get: (q, ...p) => timed(q, () => inner.get(q, ...p)),
  all: (q, ...p) => timed(q, () => inner.all(q, ...p)),
};
const config = loadConfig({}, {});
const N = 3000;
const t0 = performance.now();
for (let i = 0; i < N; i++) availabilityOf(store, config, Date.now(), [layout.skus[i % 1000] as string], ['web']);
const us = ((performance.now() - t0) * 1000) / N;
console.log(`availabilityOf (1 sku, 20 locations): ${us.toFixed(0)} us/call`);
for (const [sql, s] of [...stats].sort((a, b) => b[1].us - a[1].us).slice(0, 10))
  console.log(
    `${(s.us / N).toFixed(1).padStart(7)} us/call ${(s.n / N).toFixed(1).padStart(5)}x  ${sql.replace(/\s+/g, ' ').slice(0, 120)}`,
  );
