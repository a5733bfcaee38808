import { type JetStreamClient, jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { formatHlc, type Hlc, hlcNow, hlcZero, type InventoryEvent, uuidv7 } from '@stocknerve/domain';
import { nodeEventSubject } from '@stocknerve/protocol';
import { nowMs } from '../lib/stats.js';
import { nodeAuthOptions } from './credentials.js';
import type { Fleet, FleetOptions, NodeState, ProbeRecord, SentEvent } from './fleet.js';
import { Prng } from './prng.js';
import { EventMix, stampFast } from './world.js';

interface WireNode {
  readonly spec: FleetOptions['nodes'][number];
  readonly subject: string;
  /** The node's own connection, signed in as its terminal (anonymous without authentication). */
  nc?: NatsConnection;
  js?: JetStreamClient;
  seq: number;
  clock: Hlc;
  acked: number;
  inFlight: number;
  paused: boolean;
}

/**
 * Store nodes at the wire level only: each publishes its events exactly as a node's outbox does
 * (its own connection and terminal user, its subject, msg id = event id, gap-free seq, HLC) but
 * without a local RxDB log, KV replicas or heartbeats. A real SyncClient costs about 2 ms of CPU
 * per recorded event in Node; these cost a few tens of µs, so a 2-core machine can offer the hub a
 * realistic load from many nodes while a few real nodes carry the measurements.
 */
export class WireFleet implements Fleet {
  private readonly nodes: WireNode[];
  private readonly prng: Prng;
  private readonly mix: EventMix;
  private timer: ReturnType<typeof setInterval> | undefined;
  private nextArrival = 0;
  private readonly published: InventoryEvent[] = [];

  constructor(private readonly options: FleetOptions) {
    this.prng = new Prng(options.seed);
    this.mix = new EventMix(
      this.prng.fork('mix'),
      options.skus,
      [...new Set(options.nodes.map((n) => n.location))],
      options.mix,
    );
    this.nodes = options.nodes.map((spec) => ({
      spec,
      subject: nodeEventSubject(spec),
      seq: 0,
      clock: hlcZero(spec.node),
      acked: 0,
      inFlight: 0,
      paused: false,
    }));
  }

  async start(): Promise<void> {
    // A few at a time, retrying: dozens of handshakes at once (each signing the server's nonce) on a
    // busy 2-core host can miss the server's authentication timeout.
    for (let i = 0; i < this.nodes.length; i += 8)
      await Promise.all(
        this.nodes.slice(i, i + 8).map(async (node) => {
          node.nc = await connect({
            servers: this.options.natsUrl,
            name: `wire-${node.spec.node}`,
            maxReconnectAttempts: -1,
            waitOnFirstConnect: true,
            noAsyncTraces: true,
            ...nodeAuthOptions(node.spec.node, this.options.credentials),
          });
          node.js = jetstream(node.nc);
        }),
      );
  }

  private publishOne(node: WireNode): void {
    const js = node.js;
    if (!js) return;
    const now = Date.now();
    node.seq++;
    node.clock = hlcNow(node.clock, now);
    const event = stampFast(this.mix.next(node.spec), {
      id: uuidv7(now, this.prng.bytes()),
      location: node.spec.location,
      node: node.spec.node,
      seq: node.seq,
      hlc: formatHlc(node.clock),
      wallMs: now,
    });
    this.published.push(event);
    node.inFlight++;
    void js.publish(node.subject, JSON.stringify(event), { msgID: event.id, timeout: 30_000 }).then(
      () => {
        node.inFlight--;
        node.acked++;
      },
      () => {
        node.inFlight--;
      },
    );
  }

  async setRate(eventsPerSecond: number): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    if (eventsPerSecond <= 0 || this.nodes.length === 0) return;
    const meanGapMs = 1000 / eventsPerSecond;
    this.nextArrival = nowMs();
    this.timer = setInterval(() => {
      const now = nowMs();
      while (this.nextArrival <= now) {
        const node = this.prng.pick(this.nodes);
        if (!node.paused) this.publishOne(node);
        this.nextArrival += this.prng.exponential(meanGapMs);
      }
    }, 5);
  }

  async recordEach(perNode: number): Promise<number> {
    for (const node of this.nodes) for (let i = 0; i < perNode; i++) this.publishOne(node);
    return perNode * this.nodes.length;
  }

  async cut(names?: readonly string[]): Promise<void> {
    for (const n of this.nodes) if (!names || names.includes(n.spec.node)) n.paused = true;
  }

  async heal(names?: readonly string[]): Promise<void> {
    for (const n of this.nodes) if (!names || names.includes(n.spec.node)) n.paused = false;
  }

  async status(): Promise<NodeState[]> {
    return this.nodes.map((n) => ({
      node: n.spec.node,
      location: n.spec.location,
      region: n.spec.region,
      seq: n.seq,
      pending: n.inFlight,
      connected: !n.paused && n.nc !== undefined && !n.nc.isClosed(),
      cut: n.paused,
      recorded: n.seq,
      recordErrors: 0,
      resent: 0,
    }));
  }

  async logs(): Promise<InventoryEvent[]> {
    return [...this.published];
  }

  async probes(): Promise<ProbeRecord[]> {
    return [];
  }

  async sentSample(): Promise<SentEvent[]> {
    return [];
  }

  async resendViaNodes(): Promise<number> {
    return 0;
  }

  async stop(): Promise<void> {
    await this.setRate(0);
    await Promise.all(this.nodes.map((n) => n.nc?.drain().catch(() => undefined)));
  }
}
