import type { DecidedEvent, InventoryEvent } from '@stocknerve/domain';
import { nodeEventSubject } from '@stocknerve/protocol';
import { type LocalDb, openLocalDb, SyncClient } from '@stocknerve/sync';
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import { nowMs, sleep } from '../lib/stats.js';
import { type FleetCredentials, nodeAuthOptions } from './credentials.js';
import { type CutMode, NodeLink } from './link.js';
import { Prng } from './prng.js';
import { EventMix, type MixWeights, type NodeSpec, probeSkuOf } from './world.js';

export interface FleetOptions {
  readonly natsUrl: string;
  /**
   * Each node's terminal credentials (operator mode: every node signs in as its own user); absent
   * for a server without authentication.
   */
  readonly credentials?: FleetCredentials;
  /** The nodes this fleet runs. In one JS realm RxDB allows 13 collections: at most 4 nodes. */
  readonly nodes: readonly NodeSpec[];
  readonly skus: readonly string[];
  readonly seed: string;
  readonly mix?: Partial<MixWeights>;
  /** Share of recorded events that are freshness probes (a sale of the node's probe SKU). */
  readonly probeShare?: number;
  /** Also poll the hub's availability API for every `every`-th probe (client-side view of freshness). */
  readonly httpProbe?: { readonly url: string; readonly token: string; readonly every: number };
  readonly cutMode?: CutMode;
  readonly heartbeatMs?: number;
  readonly antiEntropyGraceMs?: number;
  /** Start with every node cut off (recording offline from the first event). */
  readonly startCut?: boolean;
  /**
   * Whose stock each node pulls from KV besides its own store: the SyncClient's default is every
   * store of its region; `own` keeps the simulator's CPU for the hub on a small machine.
   */
  readonly nearby?: 'region' | 'own';
}

export interface NodeState {
  readonly node: string;
  readonly location: string;
  readonly region: string;
  readonly seq: number;
  readonly pending: number;
  readonly connected: boolean;
  readonly cut: boolean;
  readonly recorded: number;
  readonly recordErrors: number;
  readonly resent: number;
}

/** One freshness probe: recorded at `t0` (ms, nowMs clock), locally durable at `localMs`. */
export interface ProbeRecord {
  readonly node: string;
  readonly location: string;
  readonly sku: string;
  /** The k-th probe of the node: visible once the hub's on hand of the probe SKU is at most -k. */
  readonly k: number;
  readonly t0: number;
  readonly localMs: number;
  readonly eventId: string;
  /** When the availability API first showed it (only for HTTP-polled probes). */
  httpMs?: number;
}

/** An acked event of a node, for the chaos monkey to publish again. */
export interface SentEvent {
  readonly subject: string;
  readonly event: InventoryEvent;
  readonly ackedAt: number;
}

/** What every fleet (in this thread, in a worker, or several workers) can do. */
export interface Fleet {
  start(): Promise<void>;
  /** Records events at this many per second across the fleet (Poisson arrivals); 0 stops. */
  setRate(eventsPerSecond: number): Promise<void>;
  /** Records `perNode` events on every node as fast as the local logs take them. */
  recordEach(perNode: number): Promise<number>;
  cut(nodes?: readonly string[]): Promise<void>;
  heal(nodes?: readonly string[]): Promise<void>;
  status(): Promise<NodeState[]>;
  /** Every event in every node's local log. */
  logs(): Promise<InventoryEvent[]>;
  probes(): Promise<ProbeRecord[]>;
  /** Up to `count` random events acked before `ackedBefore` (ms since epoch). */
  sentSample(count: number, ackedBefore: number): Promise<SentEvent[]>;
  /** Makes random nodes send `count` acked events again (as anti-entropy would). */
  resendViaNodes(count: number): Promise<number>;
  stop(): Promise<void>;
}

class SimNode {
  readonly link: NodeLink;
  client!: SyncClient;
  private db!: LocalDb;
  recorded = 0;
  recordErrors = 0;
  probes = 0;
  inFlight = 0;

  constructor(
    readonly spec: NodeSpec,
    private readonly options: FleetOptions,
  ) {
    this.link = new NodeLink(
      options.natsUrl,
      `sim-${spec.node}`,
      options.cutMode ?? 'fail',
      nodeAuthOptions(spec.node, options.credentials),
    );
  }

  async start(): Promise<void> {
    if (this.options.startCut) await this.link.cutOff();
    this.db = await openLocalDb({
      name: `sim-${this.spec.node}-${process.pid}-${Math.floor(Math.random() * 1e9)}`,
      storage: getRxStorageMemory(),
    });
    this.client = new SyncClient({
      identity: { node: this.spec.node, location: this.spec.location, region: this.spec.region },
      db: this.db,
      connect: this.link.connect,
      // A new terminal: nothing to restore from the hub.
      restoreWhenEmpty: false,
      heartbeatMs: this.options.heartbeatMs ?? 2000,
      antiEntropyGraceMs: this.options.antiEntropyGraceMs ?? 30_000,
      appVersion: 'simulator',
      ...(this.options.nearby === 'own' ? { nearby: [] } : {}),
    });
    await this.client.start();
  }

  async record(decided: readonly DecidedEvent[]): Promise<InventoryEvent[]> {
    this.inFlight++;
    try {
      const events = await this.client.record(decided, { correlationId: `sim-${this.spec.node}-${this.recorded + 1}` });
      this.recorded += events.length;
      return events;
    } catch (error) {
      this.recordErrors++;
      throw error;
    } finally {
      this.inFlight--;
    }
  }

  async state(): Promise<NodeState> {
    const { count } = await this.client.log.pendingSummary();
    return {
      node: this.spec.node,
      location: this.spec.location,
      region: this.spec.region,
      seq: this.client.log.seq,
      pending: count,
      connected: this.client.status.connected,
      cut: this.link.cut,
      recorded: this.recorded,
      recordErrors: this.recordErrors,
      resent: this.client.status.resent,
    };
  }

  async stop(): Promise<void> {
    this.link.dispose();
    // A connect that waits for a dead server cannot be aborted: do not wait for it forever.
    await Promise.race([this.client.stop(), sleep(15_000)]);
    await this.db.close().catch(() => undefined);
  }
}

/** Simulated store nodes in this thread: SyncClients over TCP with in-memory RxDB logs. */
export class LocalFleet implements Fleet {
  private readonly nodes: SimNode[];
  private readonly byName: Map<string, SimNode>;
  private readonly prng: Prng;
  private readonly mix: EventMix;
  private readonly probeRecords: ProbeRecord[] = [];
  private rateTimer: ReturnType<typeof setInterval> | undefined;
  private nextArrival = 0;
  private httpPolls = new Set<Promise<void>>();
  private stopped = false;

  constructor(private readonly options: FleetOptions) {
    if (options.nodes.length > 4)
      throw new Error('LocalFleet: RxDB allows 13 collections per JS realm: at most 4 nodes per fleet');
    this.nodes = options.nodes.map((spec) => new SimNode(spec, options));
    this.byName = new Map(this.nodes.map((n) => [n.spec.node, n]));
    this.prng = new Prng(options.seed);
    const locations = [...new Set(options.nodes.map((n) => n.location))];
    this.mix = new EventMix(this.prng.fork('mix'), options.skus, locations, options.mix);
  }

  async start(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.start()));
  }

  private recordOne(node: SimNode): void {
    const probe = (this.options.probeShare ?? 0) > 0 && this.prng.chance(this.options.probeShare ?? 0);
    const decided = probe ? this.mix.probe(node.spec) : this.mix.next(node.spec);
    const t0 = nowMs();
    const k = probe ? ++node.probes : 0;
    void node.record([decided]).then(
      ([event]) => {
        if (!probe || !event) return;
        const record: ProbeRecord = {
          eventId: event.id,
          node: node.spec.node,
          location: node.spec.location,
          sku: probeSkuOf(node.spec.node),
          k,
          t0,
          localMs: nowMs(),
        };
        this.probeRecords.push(record);
        const http = this.options.httpProbe;
        // At most one HTTP poll at a time per fleet: polling must not become the hub's load.
        if (http && k % http.every === 0 && this.httpPolls.size === 0) {
          const poll = this.pollHttp(record, http).finally(() => this.httpPolls.delete(poll));
          this.httpPolls.add(poll);
        }
      },
      () => undefined,
    );
  }

  private async pollHttp(record: ProbeRecord, http: NonNullable<FleetOptions['httpProbe']>): Promise<void> {
    const deadline = nowMs() + 15_000;
    while (!this.stopped && nowMs() < deadline) {
      const waited = nowMs() - record.t0;
      try {
        const response = await fetch(`${http.url}/v1/availability/${record.sku}`, {
          headers: { authorization: `Bearer ${http.token}` },
        });
        const body = (await response.json()) as { locations?: { location: string; onHand: number }[] };
        const here = body.locations?.find((l) => l.location === record.location);
        if (here && here.onHand <= -record.k) {
          record.httpMs = nowMs();
          return;
        }
      } catch {
        // The hub restarts or is busy: try again.
      }
      // 5 ms resolution for the first 250 ms (the target), then back off.
      await sleep(waited < 250 ? 5 : waited < 1000 ? 20 : 100);
    }
  }

  async setRate(eventsPerSecond: number): Promise<void> {
    clearInterval(this.rateTimer);
    this.rateTimer = undefined;
    if (eventsPerSecond <= 0 || this.nodes.length === 0) return;
    const meanGapMs = 1000 / eventsPerSecond;
    this.nextArrival = nowMs();
    this.rateTimer = setInterval(() => {
      const now = nowMs();
      // Arrivals are scheduled ahead in simulated time; a late timer catches up (no drift).
      while (this.nextArrival <= now) {
        const node = this.prng.pick(this.nodes);
        // A terminal cannot ring up faster than its log stores: skip when it is far behind.
        if (node.inFlight < 100) this.recordOne(node);
        this.nextArrival += this.prng.exponential(meanGapMs);
      }
    }, 5);
  }

  async recordEach(perNode: number): Promise<number> {
    const chunk = 50;
    await Promise.all(
      this.nodes.map(async (node) => {
        for (let done = 0; done < perNode; done += chunk) {
          const decided = Array.from({ length: Math.min(chunk, perNode - done) }, () => this.mix.next(node.spec));
          await node.record(decided);
        }
      }),
    );
    return perNode * this.nodes.length;
  }

  private select(names?: readonly string[]): SimNode[] {
    if (!names) return this.nodes;
    return names.flatMap((n) => {
      const node = this.byName.get(n);
      return node ? [node] : [];
    });
  }

  async cut(names?: readonly string[]): Promise<void> {
    await Promise.all(this.select(names).map((n) => n.link.cutOff()));
  }

  async heal(names?: readonly string[]): Promise<void> {
    for (const n of this.select(names)) n.link.heal();
  }

  status(): Promise<NodeState[]> {
    return Promise.all(this.nodes.map((n) => n.state()));
  }

  async logs(): Promise<InventoryEvent[]> {
    const all = await Promise.all(this.nodes.map((n) => n.client.log.all()));
    return all.flat();
  }

  async probes(): Promise<ProbeRecord[]> {
    await Promise.all([...this.httpPolls]);
    return [...this.probeRecords];
  }

  async sentSample(count: number, ackedBefore: number): Promise<SentEvent[]> {
    const out: SentEvent[] = [];
    for (let i = 0; i < count * 3 && out.length < count; i++) {
      const node = this.prng.pick(this.nodes);
      const seq = node.client.log.seq;
      if (seq === 0) continue;
      const pick = this.prng.int(1, seq);
      const ackedAt = node.client.log.ackedAtOf(pick);
      if (ackedAt === null || ackedAt >= ackedBefore) continue;
      const doc = await node.client.log.db.events
        .findOne({ selector: { seq: pick } })
        .exec()
        .catch(() => null);
      if (!doc) continue;
      out.push({
        subject: nodeEventSubject(node.client.log.identity),
        event: doc.toMutableJSON().event as unknown as InventoryEvent,
        ackedAt,
      });
    }
    return out;
  }

  async resendViaNodes(count: number): Promise<number> {
    let requeued = 0;
    for (let i = 0; i < count; i++) {
      const node = this.prng.pick(this.nodes);
      const seq = node.client.log.seq;
      if (seq === 0) continue;
      requeued += await node.client.log.markPending([this.prng.int(1, seq)]).catch(() => 0);
    }
    return requeued;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.setRate(0);
    await Promise.all([...this.httpPolls]);
    await Promise.all(this.nodes.map((n) => n.stop()));
  }
}
