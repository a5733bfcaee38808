import { AckPolicy, DeliverPolicy, type JetStreamManager, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { type NatsConnection, nanos } from '@nats-io/nats-core';
import { EVENT_SUBJECTS, NAMES, ROOT } from '@stocknerve/protocol';

export interface BackboneOptions {
  /** JetStream dedupe window for event ids, ms. */
  readonly duplicateWindowMs: number;
}

const isNotFound = (error: unknown) => /not found/i.test(String((error as Error)?.message ?? error));

/**
 * Creates (or updates) the event stream, the dead-letter stream and the KV buckets. Safe to run on
 * every start and from several processes.
 */
export const ensureBackbone = async (nc: NatsConnection, jsm: JetStreamManager, options: BackboneOptions) => {
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
  };
  try {
    const info = await jsm.streams.info(NAMES.eventStream);
    if (info.config.duplicate_window !== eventStream.duplicate_window || info.config.allow_direct !== true)
      await jsm.streams.update(NAMES.eventStream, {
        duplicate_window: eventStream.duplicate_window,
        allow_direct: true,
      });
  } catch (error) {
    if (!isNotFound(error)) throw error;
    await jsm.streams.add(eventStream);
  }
  try {
    await jsm.streams.info(NAMES.deadLetterStream);
  } catch (error) {
    if (!isNotFound(error)) throw error;
    await jsm.streams.add({
      name: NAMES.deadLetterStream,
      subjects: [`${ROOT}.dlq.>`],
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
    });
  }
  const kvm = new Kvm(nc);
  const buckets = {
    stock: await kvm.create(NAMES.stockBucket, { history: 1 }),
    pickups: await kvm.create(NAMES.pickupsBucket, { history: 1 }),
    reservations: await kvm.create(NAMES.reservationsBucket, { history: 1 }),
    catalog: await kvm.create(NAMES.catalogBucket, { history: 1 }),
    locations: await kvm.create(NAMES.locationsBucket, { history: 1 }),
    watermarks: await kvm.create(NAMES.watermarksBucket, { history: 1 }),
  };
  return { buckets };
};
export type Buckets = Awaited<ReturnType<typeof ensureBackbone>>['buckets'];

/**
 * (Re)creates the projector's durable consumer so that it delivers from just after the views'
 * checkpoint. The checkpoint, committed with the views, is the truth; the consumer's own ack state
 * is not: after a crash it may hold delivered-but-unapplied messages that AckAll would skip.
 */
export const resetProjectorConsumer = async (jsm: JetStreamManager, checkpoint: number, maxAckPending: number) => {
  try {
    await jsm.consumers.delete(NAMES.eventStream, NAMES.projectorConsumer);
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  await jsm.consumers.add(NAMES.eventStream, {
    durable_name: NAMES.projectorConsumer,
    ack_policy: AckPolicy.All,
    max_ack_pending: maxAckPending,
    deliver_policy: DeliverPolicy.StartSequence,
    opt_start_seq: checkpoint + 1,
    ack_wait: nanos(30_000),
  });
};
