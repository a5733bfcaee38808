import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { InventoryEvent } from '@stocknerve/domain';
import { credentialsOf } from './credentials.js';
import {
  type Fleet,
  type FleetOptions,
  LocalFleet,
  type NodeState,
  type ProbeRecord,
  type SentEvent,
} from './fleet.js';
import type { NodeSpec } from './world.js';

type Method = Exclude<keyof Fleet, 'start'>;
interface Call {
  readonly id: number;
  readonly method: Method | 'start';
  readonly args: unknown[];
}
type Reply =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { id: number; ok: false; error: string };

/**
 * The same fleet in a worker thread: each worker is its own JS realm, so RxDB's open-source limit of
 * 13 collections applies per worker (4 nodes each), and the nodes do not share the event loop of
 * whoever measures them.
 */
export class WorkerFleet implements Fleet {
  private readonly worker: Worker;
  private nextId = 0;
  private readonly calls = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private failure: Error | undefined;

  constructor(options: FleetOptions, kind: 'sync' | 'wire' = 'sync') {
    // This module, built (the bench runs from dist/), is the worker's too: see the end of the file.
    this.worker = new Worker(new URL(import.meta.url), { workerData: { fleetOptions: options, kind } });
    this.worker.on('message', (reply: Reply) => {
      const call = this.calls.get(reply.id);
      if (!call) return;
      this.calls.delete(reply.id);
      if (reply.ok) call.resolve(reply.value);
      else call.reject(new Error(reply.error));
    });
    const fail = (error: Error) => {
      this.failure = error;
      for (const call of this.calls.values()) call.reject(error);
      this.calls.clear();
    };
    this.worker.on('error', (error) => {
      console.error('simulator worker failed:', error);
      fail(error);
    });
    this.worker.on('exit', (code) => fail(new Error(`simulator worker exited (code ${code})`)));
  }

  private call<T>(method: Call['method'], ...args: unknown[]): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    const id = ++this.nextId;
    return new Promise<T>((resolve, reject) => {
      this.calls.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ id, method, args } satisfies Call);
    });
  }

  start(): Promise<void> {
    return this.call('start');
  }
  setRate(eventsPerSecond: number): Promise<void> {
    return this.call('setRate', eventsPerSecond);
  }
  recordEach(perNode: number): Promise<number> {
    return this.call('recordEach', perNode);
  }
  cut(nodes?: readonly string[]): Promise<void> {
    return this.call('cut', nodes);
  }
  heal(nodes?: readonly string[]): Promise<void> {
    return this.call('heal', nodes);
  }
  status(): Promise<NodeState[]> {
    return this.call('status');
  }
  logs(): Promise<InventoryEvent[]> {
    return this.call('logs');
  }
  probes(): Promise<ProbeRecord[]> {
    return this.call('probes');
  }
  sentSample(count: number, ackedBefore: number): Promise<SentEvent[]> {
    return this.call('sentSample', count, ackedBefore);
  }
  resendViaNodes(count: number): Promise<number> {
    return this.call('resendViaNodes', count);
  }
  async stop(): Promise<void> {
    await this.call('stop').catch(() => undefined);
    this.failure = new Error('simulator worker stopped');
    await this.worker.terminate();
  }
}

/** Several fleets as one: calls fan out, rates split by node count, results concatenate. */
export class ShardedFleet implements Fleet {
  constructor(readonly shards: readonly { readonly fleet: Fleet; readonly nodes: number }[]) {}

  private get total(): number {
    return this.shards.reduce((s, x) => s + x.nodes, 0);
  }

  private async all<T>(fn: (f: Fleet) => Promise<T>): Promise<T[]> {
    return Promise.all(this.shards.map((s) => fn(s.fleet)));
  }

  async start(): Promise<void> {
    await this.all((f) => f.start());
  }
  async setRate(eventsPerSecond: number): Promise<void> {
    await Promise.all(this.shards.map((s) => s.fleet.setRate((eventsPerSecond * s.nodes) / this.total)));
  }
  async recordEach(perNode: number): Promise<number> {
    return (await this.all((f) => f.recordEach(perNode))).reduce((a, b) => a + b, 0);
  }
  async cut(nodes?: readonly string[]): Promise<void> {
    await this.all((f) => f.cut(nodes));
  }
  async heal(nodes?: readonly string[]): Promise<void> {
    await this.all((f) => f.heal(nodes));
  }
  async status(): Promise<NodeState[]> {
    return (await this.all((f) => f.status())).flat();
  }
  async logs(): Promise<InventoryEvent[]> {
    return (await this.all((f) => f.logs())).flat();
  }
  async probes(): Promise<ProbeRecord[]> {
    return (await this.all((f) => f.probes())).flat();
  }
  async sentSample(count: number, ackedBefore: number): Promise<SentEvent[]> {
    const per = Math.max(1, Math.ceil(count / this.shards.length));
    return (await this.all((f) => f.sentSample(per, ackedBefore))).flat().slice(0, count);
  }
  async resendViaNodes(count: number): Promise<number> {
    const per = Math.max(1, Math.ceil(count / this.shards.length));
    return (await this.all((f) => f.resendViaNodes(per))).reduce((a, b) => a + b, 0);
  }
  async stop(): Promise<void> {
    await this.all((f) => f.stop());
  }
}

/** Wire-level nodes (see WireFleet) in one worker thread. */
export const createWireFleet = (options: FleetOptions): { fleet: Fleet; nodes: number } => ({
  fleet: new WorkerFleet({ ...options, credentials: credentialsOf(options.credentials, options.nodes) }, 'wire'),
  nodes: options.nodes.length,
});

/**
 * Runs `nodes` as fleets of at most 4 nodes (whole locations kept together, so transfers stay
 * within a shard): in worker threads, or in this thread when there are 4 nodes or fewer and
 * `inProcess` is allowed.
 */
export const createFleet = (
  options: Omit<FleetOptions, 'nodes'> & { nodes: readonly NodeSpec[] },
  mode: 'workers' | 'in-process' = 'workers',
): Fleet => {
  if (mode === 'in-process') return new LocalFleet(options);
  const byLocation = new Map<string, NodeSpec[]>();
  for (const n of options.nodes) byLocation.set(n.location, [...(byLocation.get(n.location) ?? []), n]);
  const groups: NodeSpec[][] = [];
  let current: NodeSpec[] = [];
  for (const nodes of byLocation.values()) {
    if (nodes.length > 4) throw new Error('createFleet: at most 4 nodes per location');
    if (current.length + nodes.length > 4) {
      groups.push(current);
      current = [];
    }
    current.push(...nodes);
  }
  if (current.length > 0) groups.push(current);
  return new ShardedFleet(
    groups.map((nodes, i) => ({
      fleet: new WorkerFleet({
        ...options,
        nodes,
        seed: `${options.seed}/shard-${i}`,
        // Each worker gets the seeds of its own nodes only.
        credentials: credentialsOf(options.credentials, nodes),
      }),
      nodes: nodes.length,
    })),
  );
};

// Worker side: host a LocalFleet and answer calls.
if (!isMainThread && parentPort && (workerData as { fleetOptions?: FleetOptions } | null)?.fleetOptions) {
  const port = parentPort;
  const data = workerData as { fleetOptions: FleetOptions; kind: 'sync' | 'wire' };
  const fleet: Fleet =
    data.kind === 'wire'
      ? new (await import('./wire-fleet.js')).WireFleet(data.fleetOptions)
      : new LocalFleet(data.fleetOptions);
  port.on('message', async (call: Call) => {
    try {
      const fn = fleet[call.method] as (...args: unknown[]) => Promise<unknown>;
      const value = await fn.apply(fleet, call.args);
      port.postMessage({ id: call.id, ok: true, value } satisfies Reply);
    } catch (error) {
      port.postMessage({ id: call.id, ok: false, error: String((error as Error)?.stack ?? error) } satisfies Reply);
    }
  });
}
