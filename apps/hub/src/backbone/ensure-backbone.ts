import { AckPolicy, DeliverPolicy, type JetStreamManager, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { type NatsConnection, nanos } from '@nats-io/nats-core';
import { EVENT_SUBJECTS, NAMES, ROOT } from '@stocknerve/protocol';

export interface BackboneOptions {
  /** JetStream dedupe window for event ids, ms. */
  readonly duplicateWindowMs: number;
  /**
   * Replicas of every stream and bucket (1 on one server, 3 on a cluster): existing ones are brought
   * to it. Unset: new ones get 1 and existing ones keep theirs (a tool run without the setting must
   * not shrink a cluster's streams).
   */
  readonly replicas?: number | undefined;
}

/** How long an instance's status stays in the cluster bucket after it last wrote it. */
export const INSTANCE_STATUS_TTL_MS = 60 * 60_000;

const isNotFound = (error: unknown) => /not found/i.test(String((error as Error)?.message ?? error));

/**
 * Creates (or updates) the event stream, the dead-letter stream and the KV buckets. Safe to run on
 * every start and from several processes.
 */
export const ensureBackbone = async (nc: NatsConnection, jsm: JetStreamManager, options: BackboneOptions) => {
  const replicas = options.replicas ?? 1;
  const converge = options.replicas !== undefined;
  const eventStream = {
    name: NAMES.eventStream,
    subjects: EVENT_SUBJECTS,
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    duplicate_window: nanos(options.duplicateWindowMs),
    // The stream is the system of record: nothing ages out.
    max_age: 0,
    // Direct reads name the subject in the request's subject, so a node's permissions can let it
    // read the last of its own events (restore) and nothing else.
    allow_direct: true,
    num_replicas: replicas,
  };
  try {
    const info = await jsm.streams.info(NAMES.eventStream);
    if (
      info.config.duplicate_window !== eventStream.duplicate_window ||
      info.config.allow_direct !== true ||
      (converge && info.config.num_replicas !== replicas)
    )
      await jsm.streams.update(NAMES.eventStream, {
        duplicate_window: eventStream.duplicate_window,
        allow_direct: true,
        num_replicas: converge ? replicas : info.config.num_replicas,
      });
  } catch (error) {
    if (!isNotFound(error)) throw error;
    await jsm.streams.add(eventStream);
  }
  try {
    const info = await jsm.streams.info(NAMES.deadLetterStream);
    if (converge && info.config.num_replicas !== replicas)
      await jsm.streams.update(NAMES.deadLetterStream, { num_replicas: replicas });
  } catch (error) {
    if (!isNotFound(error)) throw error;
    await jsm.streams.add({
      name: NAMES.deadLetterStream,
      subjects: [`${ROOT}.dlq.>`],
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      num_replicas: replicas,
    });
  }
  const kvm = new Kvm(nc);
  const bucket = (name: string, ttl = 0) => ensureBucket(kvm, jsm, name, replicas, converge, ttl);
  const buckets = {
    stock: await bucket(NAMES.stockBucket),
    pickups: await bucket(NAMES.pickupsBucket),
    reservations: await bucket(NAMES.reservationsBucket),
    catalog: await bucket(NAMES.catalogBucket),
    locations: await bucket(NAMES.locationsBucket),
    watermarks: await bucket(NAMES.watermarksBucket),
    cluster: await bucket(NAMES.hubClusterBucket, INSTANCE_STATUS_TTL_MS),
  };
  return { buckets };
};

/** A KV bucket with history 1: created with these replicas, or (converge) its replicas brought to them. */
const ensureBucket = async (
  kvm: Kvm,
  jsm: JetStreamManager,
  name: string,
  replicas: number,
  converge: boolean,
  ttl: number,
) => {
  const stream = `KV_${name}`;
  try {
    const info = await jsm.streams.info(stream);
    if (converge && info.config.num_replicas !== replicas) await jsm.streams.update(stream, { num_replicas: replicas });
    return await kvm.open(name);
  } catch (error) {
    if (!isNotFound(error)) throw error;
    return await kvm.create(name, { history: 1, replicas, ...(ttl > 0 ? { ttl } : {}) });
  }
};
export type Buckets = Awaited<ReturnType<typeof ensureBackbone>>['buckets'];

/**
 * How long the server keeps a projector consumer nobody pulls from: a crashed hub process's
 * consumer (each process names its own) goes away by itself.
 */
export const PROJECTOR_CONSUMER_IDLE_MS = 10 * 60_000;

/**
 * (Re)creates the projector's durable consumer so that it delivers from just after the views'
 * checkpoint. The checkpoint, committed with the views, is the truth; the consumer's own ack state
 * is not: after a crash it may hold delivered-but-unapplied messages that AckAll would skip.
 */
export const resetProjectorConsumer = async (
  jsm: JetStreamManager,
  name: string,
  checkpoint: number,
  maxAckPending: number,
) => {
  try {
    await jsm.consumers.delete(NAMES.eventStream, name);
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  await jsm.consumers.add(NAMES.eventStream, {
    durable_name: name,
    ack_policy: AckPolicy.All,
    max_ack_pending: maxAckPending,
    deliver_policy: DeliverPolicy.StartSequence,
    opt_start_seq: checkpoint + 1,
    ack_wait: nanos(30_000),
    inactive_threshold: nanos(PROJECTOR_CONSUMER_IDLE_MS),
  });
};

/** Deletes a projector consumer (a hub process stopping), if it is there. */
export const deleteProjectorConsumer = async (jsm: JetStreamManager, name: string): Promise<void> => {
  try {
    await jsm.consumers.delete(NAMES.eventStream, name);
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
};
