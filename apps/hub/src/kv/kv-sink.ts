import { validateKey } from '@nats-io/kv/internal';
import type { NatsConnection } from '@nats-io/nats-core';
import { PubAckInbox } from '@stocknerve/nats-publish';
import { KV_BUCKETS, type KvBucket, kvSubjectOf } from '@stocknerve/protocol';

export interface KvPut {
  readonly bucket: KvBucket;
  readonly key: string;
  readonly value: string;
}

/** Where KV puts go: the buckets over NATS, or a recorder in tests. */
export interface KvSink {
  /** Puts the values; resolves with each one's failure (undefined when stored), in order. */
  putAll(puts: readonly KvPut[]): Promise<(Error | undefined)[]>;
  close(): void;
}

/**
 * KV puts as what they are on the wire: a JetStream publish to `$KV.<bucket>.<key>`, answered by a
 * PubAck. nats.js's `kv.put` makes each a request (a timer, a subscription entry and an Error built
 * on completion): docs/decisions/0010-kv-puts-through-one-inbox.md.
 * The buckets are the hub's own (no domain, no mirror), so the subject is the bucket's plain one.
 */
export const natsKvSink = (nc: NatsConnection, timeoutMs = 5_000): KvSink => {
  const inbox = new PubAckInbox(nc);
  return {
    putAll: async (puts) => {
      const results: (Error | undefined)[] = puts.map(() => undefined);
      const sent: number[] = [];
      const messages = [];
      for (const [i, put] of puts.entries()) {
        try {
          validateKey(put.key);
          messages.push({ subject: kvSubjectOf(KV_BUCKETS[put.bucket], put.key), data: put.value });
          sent.push(i);
        } catch (error) {
          results[i] = error instanceof Error ? error : new Error(String(error));
        }
      }
      const acks = await inbox.publishAll(messages, timeoutMs);
      acks.forEach((ack, j) => {
        if (!ack.ok) results[sent[j] as number] = ack.error;
      });
      return results;
    },
    close: () => inbox.close(),
  };
};
