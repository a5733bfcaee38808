import { KV_BUCKETS, type KvBucket, type KvValue, parseKvValue } from '@stocknerve/protocol';
import type { LocalDb } from '../local-db/local-db.js';
import { projectionId } from './kv-replica.js';

/** A value pulled from one of the hub's KV buckets, with its key and when this node received it (ms). */
export interface Pulled<T> {
  readonly key: string;
  readonly value: T;
  readonly pulledAt: number;
}

/** What the local `projections` collection holds per pulled value. */
interface StoredValue {
  readonly key: string;
  readonly value: unknown;
  readonly pulledAt: number;
}

/**
 * The stored values of one bucket, each parsed with the bucket's schema: a value stored by an older
 * version of the node that no longer parses is left out, never cast.
 */
export const pulledValuesOf = <B extends KvBucket>(bucket: B, docs: readonly StoredValue[]): Pulled<KvValue<B>>[] =>
  docs.flatMap((d) => {
    const parsed = parseKvValue(bucket, d.value);
    return parsed.ok ? [{ key: d.key, value: parsed.value, pulledAt: d.pulledAt }] : [];
  });

/** Every value of one bucket this node holds, parsed. */
export const readPulled = async <B extends KvBucket>(db: LocalDb, bucket: B): Promise<Pulled<KvValue<B>>[]> =>
  pulledValuesOf(bucket, await db.projections.find({ selector: { bucket: KV_BUCKETS[bucket] } }).exec());

/** One value this node holds, parsed (undefined when absent or unreadable). */
export const readPulledValue = async <B extends KvBucket>(
  db: LocalDb,
  bucket: B,
  key: string,
): Promise<KvValue<B> | undefined> => {
  const doc = await db.projections.findOne(projectionId(KV_BUCKETS[bucket], key)).exec();
  return doc ? pulledValuesOf(bucket, [doc])[0]?.value : undefined;
};
