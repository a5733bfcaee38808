// Where the hub's apply time goes per event, in-process (no NATS): the parse and check of each
// message, then applyBatch in transactions of BATCH events (5,000 by default, about the hub's
// average under a backlog) on a file store, then one more pass statement by statement. Compare
// a change to the projector's hot path against its parent by alternating runs: on a shared 2-core
// host one run varies by ±20 %. EXP_DDL is SQL run after the schema is created (to try an index).
//
//   node bench/dist/micro/apply-cost.js [events=100000] [rounds=3]
import { mkdirSync, rmSync } from 'node:fs';
import { applyBatch, checkMessage, ensureViewSchema, openSqliteStore, ViewWriter } from '@stocknerve/hub/internal';
import { STREAM_LAYOUT } from '../lib/stream-lab.js';
import { benchDayMessages, timedStore } from './micro-kit.js';

const N = Number(process.argv[2] ?? 100_000);
const ROUNDS = Number(process.argv[3] ?? 3);
const BATCH = Number(process.env.BATCH ?? 5000);
const dir = '/tmp/stocknerve-apply-cost';
const dec = new TextDecoder();
const msgs = benchDayMessages(N, 'apply-cost');
const regions = new Map(STREAM_LAYOUT.locations.map((l) => [l.location, l.region] as const));
const perEvent = (ms: number) => (ms * 1000) / msgs.length;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const list = (xs: number[]) => xs.map((u) => u.toFixed(1)).join(', ');

const freshStore = () => {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  const store = openSqliteStore(`${dir}/views.sqlite`);
  ensureViewSchema(store);
  if (process.env.EXP_DDL) store.exec(process.env.EXP_DDL);
  return store;
};

const parseUs: number[] = [];
const wallUs: number[] = [];
const cpuUs: number[] = [];
let viewsMb = 0;
for (let round = 0; round < ROUNDS; round++) {
  const t0 = performance.now();
  for (const m of msgs) checkMessage(m.subject, dec.decode(m.body), (l) => regions.get(l));
  parseUs.push(perEvent(performance.now() - t0));
  const store = freshStore();
  const writer = new ViewWriter(store);
  const t1 = performance.now();
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < msgs.length; i += BATCH) applyBatch(store, writer, msgs.slice(i, i + BATCH));
  const cpu = process.cpuUsage(cpu0);
  wallUs.push(perEvent(performance.now() - t1));
  cpuUs.push(perEvent((cpu.user + cpu.system) / 1000));
  store.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  viewsMb =
    (store.get<{ n: number }>('SELECT page_count * page_size AS n FROM pragma_page_count(), pragma_page_size()')?.n ??
      0) / 1e6;
  store.close();
}
console.log(`${msgs.length} messages, batches of ${BATCH}, median of ${ROUNDS}; views ${viewsMb.toFixed(0)} MB`);
console.log(`parse + check:            ${median(parseUs).toFixed(1)} us/event (${list(parseUs)})`);
console.log(`applyBatch, CPU time:     ${median(cpuUs).toFixed(1)} us/event (${list(cpuUs)})`);
console.log(
  `applyBatch (incl. parse): ${median(wallUs).toFixed(1)} us/event = ${Math.round(1e6 / median(wallUs))} events/s (${list(wallUs)})`,
);

const inner = freshStore();
const { store, report } = timedStore(inner);
const writer = new ViewWriter(store);
for (let i = 0; i < msgs.length; i += BATCH) applyBatch(store, writer, msgs.slice(i, i + BATCH));
console.log(`\n${report(msgs.length).join('\n')}`);
inner.close();
rmSync(dir, { recursive: true, force: true });
