import { type JetStreamClient, type JetStreamManager, jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { ensureBackbone } from '@stocknerve/hub/internal';
import { hubEventSubject, NAMES, storeEventSubject } from '@stocknerve/protocol';
import { makeTempDir, type NatsServerProcess, removeTempDir } from '@stocknerve/test-harness';
import { BulkEventSource, locationFacts, type WorldLayout, worldLayout } from '../simulator/world.js';
import { type AuthMode, adminConnect, NodeConnections, startBenchNats } from './nats.js';
import { nowMs } from './stats.js';

export interface OutMessage {
  readonly subject: string;
  readonly data: string;
  readonly msgID: string;
}

/**
 * Publishes messages with ~`inFlight` PubAcks outstanding, in order: through one client, or through
 * the client `via` picks for each message (its node's own connection). Returns the last stream
 * sequence and the rate.
 */
export const publishAll = async (
  via: JetStreamClient | ((m: OutMessage) => JetStreamClient),
  count: number,
  messageAt: (i: number) => OutMessage,
  inFlight = 1000,
): Promise<{ lastSeq: number; ms: number; rate: number; duplicates: number }> => {
  let next = 0;
  let lastSeq = 0;
  let duplicates = 0;
  const t0 = nowMs();
  const clientOf = typeof via === 'function' ? via : () => via;
  const lane = async () => {
    while (next < count) {
      const m = messageAt(next++);
      const ack = await clientOf(m).publish(m.subject, m.data, { msgID: m.msgID, timeout: 30_000 });
      if (ack.duplicate) duplicates++;
      if (ack.seq > lastSeq) lastSeq = ack.seq;
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, count) }, lane));
  const ms = nowMs() - t0;
  return { lastSeq, ms, rate: (count / ms) * 1000, duplicates };
};

/** The network the stream benchmarks replay: 4 regions × 5 stores × 3 terminals, 1,000 SKUs. */
export const STREAM_LAYOUT: WorldLayout = worldLayout({
  regions: 4,
  locationsPerRegion: 5,
  nodesPerLocation: 3,
  skus: 1000,
});

/** When the benchmark day starts: the same for every lab of a run, so two labs hold the same events. */
const DAY_START_MS = Date.now() - 86_400_000;

/**
 * One nats-server with the hub's backbone, filled with a reproducible day of store events: shared
 * by the limit, ingest and rebuild scenarios so the 200,000 events measured raw are the very ones
 * the hub ingests, and the rebuild replays them plus more. Each store event is published through
 * its node's own connection (in operator mode signed in as that terminal, so every event passes its
 * node's permission check); setup, inspection and the raw benchmark use an admin connection.
 */
export class StreamLab {
  private source: BulkEventSource;
  private readonly regionOf = new Map(STREAM_LAYOUT.nodes.map((n) => [n.node, n.region]));
  private first: OutMessage[] = [];
  /** Store events in the event stream so far. */
  storeEvents = 0;
  lastSeq = 0;
  publishRates: number[] = [];

  private constructor(
    readonly server: NatsServerProcess,
    readonly auth: AuthMode,
    /** The admin's connection. */
    readonly nc: NatsConnection,
    readonly js: JetStreamClient,
    readonly jsm: JetStreamManager,
    /** The store nodes' own connections. */
    readonly nodes: NodeConnections,
    readonly dir: string,
    readonly seed: string,
  ) {
    this.source = new BulkEventSource(STREAM_LAYOUT, seed, { startMs: DAY_START_MS });
  }

  static async start(seed: string, auth: AuthMode = 'operator'): Promise<StreamLab> {
    const dir = await makeTempDir('stocknerve-bench-stream');
    const server = await startBenchNats({ storeDir: `${dir}/jetstream`, auth });
    const nc = await adminConnect(server, { name: 'bench-stream-lab' });
    const js = jetstream(nc);
    const jsm = await js.jetstreamManager();
    await ensureBackbone(nc, jsm, { duplicateWindowMs: 120_000 });
    const nodes = await NodeConnections.open(server, STREAM_LAYOUT.nodes);
    const lab = new StreamLab(server, auth, nc, js, jsm, nodes, dir, seed);
    // The locations, as an earlier hub recorded them.
    for (const fact of locationFacts(STREAM_LAYOUT))
      lab.lastSeq = (await js.publish(hubEventSubject(), JSON.stringify(fact), { msgID: fact.id })).seq;
    return lab;
  }

  private generate(): OutMessage {
    const e = this.source.next();
    return {
      subject: storeEventSubject(this.regionOf.get(e.node) ?? '', e.location, e.node),
      data: JSON.stringify(e),
      msgID: e.id,
    };
  }

  /** The first `n` store events of the day, generated once (the payloads both the raw and the hub runs use). */
  firstEvents(n: number): OutMessage[] {
    if (this.storeEvents > 0 && n > this.first.length)
      throw new Error('StreamLab: the first events must be generated before the stream is filled');
    while (this.first.length < n) this.first.push(this.generate());
    return this.first.slice(0, n);
  }

  /** A store event's client: its node's own connection. */
  readonly publisher = (m: OutMessage): JetStreamClient => this.nodes.forSubject(m.subject);

  /** Publishes store events until the event stream holds `n` of them. */
  async fillTo(n: number, log: (line: string) => void): Promise<{ lastSeq: number }> {
    if (this.storeEvents === 0 && this.first.length > 0) {
      const batch = this.first.slice(0, n);
      const r = await publishAll(this.publisher, batch.length, (i) => batch[i] as OutMessage);
      this.publishRates.push(r.rate);
      this.storeEvents = batch.length;
      this.lastSeq = r.lastSeq;
    }
    while (this.storeEvents < n) {
      const chunk = Math.min(50_000, n - this.storeEvents);
      const r = await publishAll(this.publisher, chunk, () => this.generate());
      this.publishRates.push(r.rate);
      this.storeEvents += chunk;
      this.lastSeq = r.lastSeq;
      log(`  stream: ${this.storeEvents.toLocaleString('en')} store events (${Math.round(r.rate)} msg/s)`);
    }
    const info = await this.jsm.streams.info(NAMES.eventStream);
    this.lastSeq = info.state.last_seq;
    return { lastSeq: this.lastSeq };
  }

  async dispose(): Promise<void> {
    await this.nodes.close();
    await this.nc.close().catch(() => undefined);
    await this.server.dispose();
    await removeTempDir(this.dir);
  }
}
