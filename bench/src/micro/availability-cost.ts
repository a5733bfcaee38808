// What one availability answer costs in the hub's views, without HTTP: availabilityOf for one SKU
// over 20 stores × 1,000 SKUs (in-memory SQLite), with the time of every SQL statement it runs.
//
//   node bench/dist/micro/availability-cost.js

import { eventFactory } from '@stocknerve/domain/testing';
import { loadConfig } from '@stocknerve/hub';
import type { StreamMessage } from '@stocknerve/hub/internal';
import {
  applyBatch,
  availabilityJsonOf,
  availabilityOf,
  ensureViewSchema,
  openSqliteStore,
  ViewWriter,
} from '@stocknerve/hub/internal';
import { hubEventSubject, storeEventSubject } from '@stocknerve/protocol';
import { locationFacts, worldLayout } from '../simulator/world.js';
import { timedStore } from './micro-kit.js';

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
const { store, report } = timedStore(inner);
const config = loadConfig({}, {});
const N = 3000;
const t0 = performance.now();
for (let i = 0; i < N; i++) availabilityOf(store, config, Date.now(), [layout.skus[i % 1000] as string], ['web']);
const us = ((performance.now() - t0) * 1000) / N;
console.log(`availabilityOf (1 sku, 20 locations): ${us.toFixed(0)} us/call`);
console.log(report(N, 10, 'call').join('\n'));

// An answer past its age bound is computed again (from remembered figures while the views do not
// change): what one such recompute costs, as JSON, each SKU once per pass a second apart.
const { store: again, report: reportAgain } = timedStore(inner);
const passes = Number(process.env.PASSES ?? 6);
const base = Date.now() + 10_000;
let recomputeUs = 0;
for (let p = 0; p < passes; p++) {
  const t1 = performance.now();
  for (let i = 0; i < 1000; i++)
    availabilityJsonOf(again, config, base + p * 1001 + Math.floor(i / 10), [layout.skus[i] as string], ['web']);
  // The first pass reads the figures; the others are what a steady read load recomputes.
  if (p > 0) recomputeUs += (performance.now() - t1) * 1000;
}
console.log(
  `recompute of an aged answer (1 sku, 20 locations, JSON): ${(recomputeUs / ((passes - 1) * 1000)).toFixed(0)} us/sku`,
);
console.log(reportAgain((passes - 1) * 1000, 10, 'sku').join('\n'));
