// Reproduces the cause of a hub bug found by the benchmarks: the projector left the tail of a burst
// unapplied until another message arrived (seen: 5,020 pre-published events, checkpoint stuck at
// 4,928 with lagMessages 92 for minutes). Exit code 1 while the nats.js behaviour reproduces.
//
//   npx tsx bench/repro/projector-tail-stall.ts
//
// Cause: the projector flushed its buffer only when `buffer.length >= batchSize` or
// `messages.getPending() === 0`. In @nats-io/nats-core 3.4 QueuedIteratorImpl.getPending() is
// `yields.length + inflight - pendingFiltered`, and `inflight` is not decremented for the function
// entries the pull consumer pushes into the same queue (its re-pull after every ~1,000 messages
// with max_messages 4,000, and status handling). When the last chunk of a burst holds such an entry,
// getPending() stays >= 1 with nothing queued and the partial batch was never flushed.
// Since 7830769 the projector also flushed 2 ms after a partial batch started (part 2 passes), but
// still on getPending() === 0, which under a backlog committed every socket read (~110 events per
// transaction, see projector-batching.ts). Since c98306e neither the projector nor rebuildViews
// consults getPending(): full batch, the message's num_pending 0, or 2 ms without a message.
import { freePort } from '../../packages/test-harness/src/index.js';
import { AckPolicy } from '../lib/deps.js';
import { HubChild, health } from '../lib/hub.js';
import { sleep } from '../lib/stats.js';
import { publishAll, StreamLab } from '../lib/stream-lab.js';

const lab = await StreamLab.start('stall-repro');
const { js, jsm } = lab;

// 1. The projector's consume loop with its flush rule, 20 ms per batch standing in for SQLite:
// 5,020 messages of ~350 bytes, then silence.
await jsm.streams.add({ name: 'REPRO', subjects: ['repro.>'] });
const backlog = 5020;
await publishAll(js, backlog, (i) => ({
  subject: 'repro.x',
  data: JSON.stringify({ n: i, pad: 'x'.repeat(300) }),
  msgID: `m-${i}`,
}));
await jsm.consumers.add('REPRO', { durable_name: 'c', ack_policy: AckPolicy.All, max_ack_pending: 8000 });
const messages = await (await js.consumers.get('REPRO', 'c')).consume({ max_messages: 4000 });
let applied = 0;
const loop = (async () => {
  let buffer: number[] = [];
  for await (const m of messages) {
    buffer.push(m.seq);
    if (buffer.length >= 2000 || messages.getPending() === 0) {
      const until = Date.now() + 20;
      while (Date.now() < until); // the batch's transaction
      applied = buffer.at(-1) ?? applied;
      m.ack();
      buffer = [];
    }
  }
})();
await sleep(3000);
console.log(
  `consume loop: ${backlog} messages, applied through ${applied} after 3 s of silence; getPending() = ${messages.getPending()} with nothing queued`,
);
const loopStalled = applied < backlog;
await messages.close();
await loop;

// 2. The hub itself (child process, fresh views): 5,000 store events of the benchmark day
// published while it was down, then silence (timing-dependent; fixed by the 2 ms timer).
lab.firstEvents(5000);
const { lastSeq } = await lab.fillTo(5000, () => undefined);
const hub = new HubChild('serve', { NATS_URL: lab.server.url, HUB_DB: `${lab.dir}/views.sqlite` }, await freePort());
await hub.ready();
let checkpoint = 0;
for (let i = 0; i < 50; i++) {
  checkpoint = (await health(hub.url)).checkpoint;
  if (checkpoint >= lastSeq) break;
  await sleep(200);
}
const h = await health(hub.url);
console.log(`hub: stream last seq ${lastSeq}, checkpoint after 10 s: ${h.checkpoint} (lagMessages ${h.lagMessages})`);
await hub.kill();
await lab.dispose();
process.exit(loopStalled || h.checkpoint < lastSeq ? 1 : 0);
