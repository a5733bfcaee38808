import type { NatsConnection } from '@nats-io/nats-core';
import {
  ALL_KEYS,
  KV_BUCKETS,
  type KvBucket,
  type KvValue,
  kvKeys,
  locationKeys,
  type NodeIdentity,
  type WatermarkValue,
} from '@stocknerve/protocol';
import type { LocalDb } from '../local-db/local-db.js';
import { KvReplica } from './kv-replica.js';

export interface HubReplicasOptions {
  readonly identity: NodeIdentity;
  readonly db: LocalDb;
  /** Whose stock to pull for nearby lookup: this region's locations (default) or a list. */
  readonly nearby?: 'region' | readonly string[];
  readonly now: () => number;
  /** A value of `bucketName` arrived (ms). */
  readonly pulled: (bucketName: string, at: number) => void;
  /** This node's watermark as the watch delivered it, with its KV revision. */
  readonly watermark: (value: WatermarkValue | null, revision: number) => void;
  /** A value that breaks its bucket's schema was left out. */
  readonly invalid: (bucketName: string, key: string, problem: string) => void;
}

/**
 * The slices of the hub's KV buckets one node keeps locally: the catalog and locations, its own
 * store's pickups, reservations and stock, its own watermark, and nearby stores' stock.
 */
export class HubReplicas {
  private readonly replicas = new Map<string, KvReplica>();

  constructor(private readonly options: HubReplicasOptions) {}

  /** The replica of a bucket slice (bucket by full name, e.g. `inv_stock`), to read when it last pulled. */
  get(bucketName: string, key: string): KvReplica | undefined {
    return this.replicas.get(`${bucketName}|${key}`);
  }

  /** Starts (or restarts) every watch on this connection. */
  async start(nc: NatsConnection): Promise<void> {
    const { identity, nearby } = this.options;
    await Promise.all([
      this.ensure(nc, 'catalog', ALL_KEYS),
      this.ensure(nc, 'locations', ALL_KEYS, (value) => {
        if (value && nearby === undefined) void this.watchNearby(nc, value);
      }),
      this.ensure(nc, 'pickups', locationKeys(identity.location)),
      this.ensure(nc, 'reservations', locationKeys(identity.location)),
      this.ensure(nc, 'stock', locationKeys(identity.location)),
      this.ensure(nc, 'watermarks', kvKeys.watermark(identity.node), (value, revision) =>
        this.options.watermark(value, revision),
      ),
      ...(Array.isArray(nearby) ? nearby : []).map((l) => this.ensure(nc, 'stock', locationKeys(l))),
    ]);
  }

  stop(): void {
    for (const r of this.replicas.values()) r.stop();
  }

  private ensure<B extends KvBucket>(
    nc: NatsConnection,
    bucket: B,
    key: string,
    onValue?: (value: KvValue<B> | null, revision: number) => void,
  ): Promise<void> {
    const bucketName = KV_BUCKETS[bucket];
    const id = `${bucketName}|${key}`;
    let replica = this.replicas.get(id);
    if (!replica) {
      const created = new KvReplica(this.options.db, {
        bucket,
        key,
        now: this.options.now,
        onValue: (_key, value, revision) => {
          this.options.pulled(bucketName, this.options.now());
          onValue?.(value, revision);
        },
        onInvalid: (k, problem) => this.options.invalid(bucketName, k, problem),
      });
      this.replicas.set(id, created);
      replica = created;
    }
    return replica.start(nc);
  }

  /** Region mode: every location of this node's region gets a stock replica once it is known. */
  private async watchNearby(nc: NatsConnection, location: KvValue<'locations'>): Promise<void> {
    if (location.region !== this.options.identity.region) return;
    if (this.replicas.has(`${KV_BUCKETS.stock}|${locationKeys(location.location)}`)) return;
    await this.ensure(nc, 'stock', locationKeys(location.location)).catch(() => undefined);
  }
}
