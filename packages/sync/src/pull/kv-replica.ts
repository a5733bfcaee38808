import { Kvm, type KvWatchEntry } from '@nats-io/kv';
import type { NatsConnection, QueuedIterator } from '@nats-io/nats-core';
import { KV_BUCKETS, type KvBucket, type KvValue, parseKvValue } from '@stocknerve/protocol';
import type { LocalDb } from '../local-db/local-db.js';
import type { ProjectionDoc } from '../local-db/schemas.js';
import { jsonOrText } from './json-or-text.js';

export interface ReplicaOptions<B extends KvBucket> {
  /** KV bucket of the hub, by its short name, e.g. `stock` (`inv_stock`). */
  readonly bucket: B;
  /** Key filter, e.g. `store-001.>` (one filter: nats-server 2.9 has no multi-filter watches). */
  readonly key: string;
  /** Called with every value after it is stored locally, with its revision (the KV stream seq). */
  readonly onValue?: (key: string, value: KvValue<B> | null, revision: number) => void;
  /** Called for a value that is not JSON or breaks its bucket's schema: it is not stored. */
  readonly onInvalid?: (key: string, problem: string) => void;
  /** Called when the watch has caught up with the bucket (initial values delivered). */
  readonly onCaughtUp?: () => void;
  readonly now?: () => number;
}

/**
 * Mirrors one filtered slice of a hub KV bucket into the local `projections` collection, so it is
 * there offline with its `asOf`. Each value is parsed with its bucket's schema first: one that does
 * not parse is reported and left out, and the last good value of its key stays. A watch is
 * restarted from scratch on every (re)connect: after a NATS server restart a KV watcher's ordered
 * consumer can stall silently, and re-reading the last value per key is cheap and idempotent.
 */
export class KvReplica<B extends KvBucket = KvBucket> {
  private iterator: QueuedIterator<KvWatchEntry> | undefined;
  private generation = 0;
  caughtUp = false;
  lastPullAt: number | null = null;

  constructor(
    private readonly db: LocalDb,
    private readonly options: ReplicaOptions<B>,
  ) {}

  /** The bucket's full name, e.g. `inv_stock`. */
  get bucketName(): string {
    return KV_BUCKETS[this.options.bucket];
  }

  /** (Re)starts the watch on this connection; resolves once the watch is running. */
  async start(nc: NatsConnection): Promise<void> {
    this.stop();
    const generation = ++this.generation;
    const kv = await new Kvm(nc).open(this.bucketName);
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
    const { bucket, onValue, onInvalid } = this.options;
    const bucketName = this.bucketName;
    let batch: KvWatchEntry[] = [];
    const flush = async () => {
      const entries = batch;
      batch = [];
      const puts: { doc: ProjectionDoc; value: KvValue<B> }[] = [];
      const deletes: { key: string; revision: number }[] = [];
      for (const e of entries) {
        if (e.operation !== 'PUT') {
          deletes.push({ key: e.key, revision: e.revision });
          continue;
        }
        const parsed = parseKvValue(bucket, jsonOrText(e));
        if (!parsed.ok) {
          onInvalid?.(e.key, parsed.error);
          continue;
        }
        puts.push({
          value: parsed.value,
          doc: {
            id: projectionId(bucketName, e.key),
            bucket: bucketName,
            key: e.key,
            value: parsed.value,
            revision: e.revision,
            asOf: parsed.value.asOf,
            pulledAt: now(),
          },
        });
      }
      if (puts.length > 0) await this.db.projections.bulkUpsert(puts.map((p) => p.doc));
      if (deletes.length > 0) await this.db.projections.bulkRemove(deletes.map((d) => projectionId(bucketName, d.key)));
      this.lastPullAt = now();
      for (const p of puts) onValue?.(p.doc.key, p.value, p.doc.revision);
      for (const d of deletes) onValue?.(d.key, null, d.revision);
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

/** The local id of a pulled value: `<bucket>:<key>`. */
export const projectionId = (bucketName: string, key: string) => `${bucketName}:${key}`;
