// The node's local-log side of draining an outbox, without NATS: record `events` offline in
// RxDB's memory storage (as the simulator does), then loop as the outbox does (read up to 512
// pending, mark them acked, read the pending summary) and report CPU per event.
// Usage: node bench/dist/micro/outbox-log-cost.js [events=5000] [rounds=3]
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { EventLog, type LocalDb, openLocalDb } from '@stocknerve/sync';
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import { Prng } from '../simulator/prng.js';
import { EventMix, worldLayout } from '../simulator/world.js';

const events = Number(process.argv[2] ?? 5000);
const rounds = Number(process.argv[3] ?? 3);
const layout = worldLayout({ regions: 1, locationsPerRegion: 1, nodesPerLocation: 1, skus: 500 });
const [spec] = layout.nodes;
if (!spec) throw new Error('the layout has no node');

// OUTBOX_PROFILE=file.cpuprofile: a CPU profile of the drain phases only.
const profileFile = process.env.OUTBOX_PROFILE;
const session = profileFile ? new Session() : undefined;
const post = (method: string, params?: object) =>
  new Promise<unknown>((resolve, reject) =>
    session?.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res))),
  );
if (session) {
  session.connect();
  await post('Profiler.enable');
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

for (let r = 0; r < rounds; r++) {
  const db: LocalDb = await openLocalDb({ name: `outbox-cost-${r}-${process.pid}`, storage: getRxStorageMemory() });
  const log = new EventLog(db, { node: spec.node, location: spec.location, region: spec.region });
  await log.init();
  const mix = new EventMix(new Prng(`r${r}`), layout.skus, [spec.location]);
  let c0 = cpuMs();
  let t0 = performance.now();
  for (let i = 0; i < events; i++) await log.record([mix.next(spec)], { correlationId: `c${i}` });
  const recordCpu = cpuMs() - c0;
  const recordWall = performance.now() - t0;
  if (session && r > 0) await post('Profiler.start');
  c0 = cpuMs();
  t0 = performance.now();
  let streamSeq = 0;
  let batches = 0;
  for (;;) {
    const batch = await log.pending(512);
    if (batch.length === 0) break;
    batches++;
    streamSeq += batch.length;
    await log.markAcked(
      batch.map((doc) => doc.seq),
      streamSeq,
      Date.now(),
    );
    await log.pendingSummary();
  }
  const drainCpu = cpuMs() - c0;
  const drainWall = performance.now() - t0;
  if (session && profileFile && r === rounds - 1)
    writeFileSync(profileFile, JSON.stringify(((await post('Profiler.stop')) as { profile: unknown }).profile));
  else if (session && r > 0) await post('Profiler.stop');
  console.log(
    `round ${r}: record ${((recordCpu * 1000) / events).toFixed(1)} µs/event cpu (${(recordWall / 1000).toFixed(2)} s); ` +
      `drain ${((drainCpu * 1000) / events).toFixed(1)} µs/event cpu, ${batches} batches (${(drainWall / 1000).toFixed(2)} s)`,
  );
  await db.close();
}
