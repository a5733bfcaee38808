// Measures the hub's ingest loop with its old flush rule against the one adopted in c98306e, on the same
// stream and the hub's own applyBatch/ViewWriter/SQLite store (nothing of the hub is modified):
//
//   old:      flush when buffer.length >= batchSize || messages.getPending() === 0, else 2 ms after
//             the first buffered message (apps/hub/src/projector/projector.ts as of fe0477b)
//   adopted:  flush when buffer.length >= batchSize, or no message arrived for 2 ms, or the oldest
//             buffered message waited 50 ms (getPending() is not consulted)
//
//   npx tsx bench/repro/projector-batching.ts [events=100000]
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { NAMES } from '../../apps/hub/src/backbone/subjects.js';
import { applyBatch } from '../../apps/hub/src/projector/apply-batch.js';
import { deliveryOfMessage } from '../../apps/hub/src/projector/projector.js';
import { ViewWriter } from '../../apps/hub/src/projector/view-writer.js';
import { ensureViewSchema } from '../../apps/hub/src/store/schema.js';
import { openSqliteStore } from '../../apps/hub/src/store/sql-store.js';
import { AckPolicy, DeliverPolicy, type JsMsg } from '../lib/deps.js';
import { nowMs } from '../lib/stats.js';
import { StreamLab } from '../lib/stream-lab.js';

const events = Number(process.argv[2] ?? 100_000);
const BATCH = 2000;
const lab = await StreamLab.start('batching');
lab.firstEvents(Math.min(events, 50_000));
const { lastSeq } = await lab.fillTo(events, (line) => console.log(line));

const IDLE = Symbol('idle');
const after = (ms: number) => new Promise<typeof IDLE>((resolve) => setTimeout(() => resolve(IDLE), ms));

const run = async (variant: 'current' | 'proposed') => {
  const dir = join(lab.dir, variant);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  const store = openSqliteStore(join(dir, 'views.sqlite'));
  ensureViewSchema(store);
  const writer = new ViewWriter(store);
  const durable = `batching-${variant}`;
  await lab.jsm.consumers.add(NAMES.eventStream, {
    durable_name: durable,
    ack_policy: AckPolicy.All,
    max_ack_pending: BATCH * 4,
    deliver_policy: DeliverPolicy.StartSequence,
    opt_start_seq: 1,
  });
  const messages = await (await lab.js.consumers.get(NAMES.eventStream, durable)).consume({ max_messages: BATCH * 2 });
  let applied = 0;
  let batches = 0;
  const flush = (batch: JsMsg[]) => {
    applyBatch(
      store,
      writer,
      batch.map((m) => {
        const delivery = deliveryOfMessage(m);
        return { subject: m.subject, seq: delivery.streamSeq, storedMs: delivery.storedMs, body: m.data };
      }),
    );
    batch.at(-1)?.ack();
    applied = batch.at(-1)?.seq ?? applied;
    batches++;
  };
  const t0 = nowMs();
  const loop = (async () => {
    let buffer: JsMsg[] = [];
    if (variant === 'current') {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const flushBuffered = () => {
        clearTimeout(timer);
        timer = undefined;
        if (buffer.length > 0) flush(buffer);
        buffer = [];
      };
      for await (const m of messages) {
        buffer.push(m);
        if (buffer.length >= BATCH || messages.getPending() === 0) flushBuffered();
        else timer ??= setTimeout(flushBuffered, 2);
      }
      return;
    }
    const iterator = messages[Symbol.asyncIterator]();
    let next = iterator.next();
    let oldest = 0;
    for (;;) {
      const r = buffer.length === 0 ? await next : await Promise.race([next, after(2)]);
      if (r === IDLE || (buffer.length > 0 && nowMs() - oldest > 50)) {
        flush(buffer);
        buffer = [];
        if (r === IDLE) continue;
      }
      if (r.done) return;
      next = iterator.next();
      if (buffer.length === 0) oldest = nowMs();
      buffer.push(r.value);
      if (buffer.length >= BATCH) {
        flush(buffer);
        buffer = [];
      }
    }
  })();
  let stalledAt = -1;
  let last = -1;
  let lastChange = nowMs();
  while (applied < lastSeq) {
    await new Promise((r) => setTimeout(r, 10));
    if (applied !== last) {
      last = applied;
      lastChange = nowMs();
    } else if (nowMs() - lastChange > 3000) {
      stalledAt = applied;
      break;
    }
  }
  const ms = (stalledAt >= 0 ? lastChange : nowMs()) - t0;
  await messages.close();
  await loop;
  store.close();
  console.log(
    `${variant.padEnd(8)} ${Math.round((applied / ms) * 1000)} events/s, ${batches} transactions (${Math.round(applied / batches)} events each)${stalledAt >= 0 ? `, STALLED ${lastSeq - stalledAt} short of the end` : ''}`,
  );
};

await run('current');
await run('proposed');
await lab.dispose();
