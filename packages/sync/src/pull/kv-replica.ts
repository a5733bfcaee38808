import { Kvm, type KvWatchEntry } from '@nats-io/kv';
import type { NatsConnection, QueuedIterator } from '@nats-io/nats-core';
import type { LocalDb } from '../local-db/local-db.js';
import type { ProjectionDoc } from '../local-db/schemas.js';

export interface ReplicaOptions {
  /** KV bucket of the hub, e.g. `inv_stock`. */
  readonly bucket: string;
  /** Key filter, e.g. `store-001.>` (one filter: nats-server 2.9 has no multi-filter watches). */
  readonly key: string;
  /** Called with every value after it is stored locally, with its revision (the KV stream seq). */
  readonly onValue?: (key: string, value: Record<string, unknown> | null, revision: number) => void;
  /** Called when the watch has caught up with the bucket (initial values delivered). */
  readonly onCaughtUp?: () => void;
  readonly now?: () => number;
}

/**
 * Mirrors one filtered slice of a hub KV bucket into the local `projections` collection, so it is
 * there offline with its `asOf`. A watch is restarted from scratch on every (re)connect: after a
 * NATS server restart a KV watcher's ordered consumer can stall silently, and re-reading the last
 * value per key is cheap and idempotent.
 */
export class KvReplica {
  private iterator: QueuedIterator<KvWatchEntry> | undefined;
  private generation = 0;
  caughtUp = false;
  lastPullAt: number | null = null;

  constructor(
    private readonly db: LocalDb,
    private readonly options: ReplicaOptions,
  ) {}

  /** (Re)starts the watch on this connection; resolves once the watch is running. */
  async start(nc: NatsConnection): Promise<void> {
    this.stop();
    const generation = ++this.generation;
    const kv = await new Kvm(nc).open(this.options.bucket);
    const iterator = await kv.watch({ key: this.options.key });
    if (generation !== this.generation) {
      iterator.stop();
      return;
    }
    this.iterator = iterator;
    this.caughtUp = false;
    void this.consume(iterator, generation);
  }

  stop(): void {
    this.generation++;
    this.iterator?.stop();
    this.iterator = undefined;
  }

  private async consume(iterator: QueuedIterator<KvWatchEntry>, generation: number): Promise<void> {
    const now = this.options.now ?? Date.now;
    let batch: KvWatchEntry[] = [];
    const flush = async () => {
      const entries = batch;
      batch = [];
      const puts: ProjectionDoc[] = [];
      const deletes: { id: string; revision: number }[] = [];
      for (const e of entries) {
        const id = `${this.options.bucket}:${e.key}`;
        if (e.operation !== 'PUT') {
          deletes.push({ id, revision: e.revision });
          continue;
        }
        let value: Record<string, unknown>;
        try {
          value = e.json<Record<string, unknown>>();
        } catch {
          continue; // not ours to interpret; the hub only writes JSON
        }
        puts.push({
          id,
          bucket: this.options.bucket,
          key: e.key,
          value,
          revision: e.revision,
          asOf: typeof value.asOf === 'string' ? value.asOf : e.created.toISOString(),
          pulledAt: now(),
        });
      }
      if (puts.length > 0) await this.db.projections.bulkUpsert(puts);
      if (deletes.length > 0) await this.db.projections.bulkRemove(deletes.map((d) => d.id));
      this.lastPullAt = now();
      for (const p of puts) this.options.onValue?.(p.key, p.value, p.revision);
      for (const d of deletes) this.options.onValue?.(d.id.slice(this.options.bucket.length + 1), null, d.revision);
    };
    // Writes are serialised; a short timer flushes a partial batch because `getPending()` can stay
    // above 0 after the iterator's internal control callbacks.
    let chain: Promise<void> = Promise.resolve();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const flushSoon = () => {
      clearTimeout(timer);
      timer = undefined;
      chain = chain.then(flush).catch(() => undefined);
      return chain;
    };
    try {
      for await (const entry of iterator) {
        if (generation !== this.generation) break;
        batch.push(entry);
        if (batch.length >= 200 || iterator.getPending() === 0) await flushSoon();
        else timer ??= setTimeout(() => void flushSoon(), 5);
        if (!this.caughtUp && (entry.delta ?? 0) === 0) {
          this.caughtUp = true;
          this.options.onCaughtUp?.();
        }
      }
    } catch {
      // The connection went away; the sync client restarts every watch when it comes back.
    }
    await flushSoon();
  }
}
