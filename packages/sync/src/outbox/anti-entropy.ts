import type { JetStreamManager } from '@nats-io/jetstream';
import {
  KV_BUCKETS,
  kvKeys,
  kvStreamOf,
  kvSubjectOf,
  type NodeIdentity,
  parseKvValue,
  type WatermarkValue,
} from '@stocknerve/protocol';
import type { EventLog } from '../local-db/event-log.js';
import { jsonOrText } from '../pull/json-or-text.js';
import type { SyncStatus } from '../status.js';

/** A node's watermark read straight from its bucket, with its KV revision. */
export interface WatermarkRead {
  readonly value: WatermarkValue;
  readonly revision: number;
}

/**
 * Reads this node's watermark from the stream behind its bucket (no watch). Undefined when there is
 * none yet, when it cannot be read now, or when the stored value breaks the schema (`invalid` hears why).
 */
export const readOwnWatermark = async (
  jsm: JetStreamManager,
  identity: NodeIdentity,
  invalid?: (problem: string) => void,
): Promise<WatermarkRead | undefined> => {
  const bucket = KV_BUCKETS.watermarks;
  const message = await jsm.direct
    .getMessage(kvStreamOf(bucket), { last_by_subj: kvSubjectOf(bucket, kvKeys.watermark(identity.node)) })
    .catch(() => null);
  if (!message) return undefined;
  const parsed = parseKvValue('watermarks', jsonOrText(message));
  if (!parsed.ok) {
    invalid?.(parsed.error);
    return undefined;
  }
  return { value: parsed.value, revision: message.seq };
};

export interface AntiEntropyOptions {
  readonly identity: NodeIdentity;
  readonly log: EventLog;
  /** An acked event the hub still lacks after this long (ms) is re-sent. */
  readonly graceMs: number;
  readonly now: () => number;
  readonly status: () => SyncStatus;
  readonly patch: (change: Partial<SyncStatus>) => void;
  /** A value in the watermark bucket broke its schema and was ignored. */
  readonly invalid: (problem: string) => void;
}

/** What a direct read of the watermark found about the watch. */
export type WatchCheck = 'in-step' | 'behind' | 'stalled';

/**
 * The node's side of anti-entropy: it follows the hub's applied watermark for this node (from the
 * KV watch, checked by direct reads) and re-queues what the hub lacks (a broker that lost
 * acknowledged messages, a re-send after the dedupe window). Only events acked longer than the
 * grace period ago count: the hub may simply not have applied them yet.
 */
export class AntiEntropy {
  private watchSince: number | null = null;
  /** KV revision of the watermark in status, and the newest one the watch itself delivered. */
  private revision = 0;
  private watchedRevision = 0;
  /** When a direct read first found the watch behind (null: it was not). */
  private behindSince: number | null = null;

  constructor(private readonly options: AntiEntropyOptions) {}

  /** A new connection: revisions are compared within one connection's view of the bucket (it may have been recreated). */
  connected(): void {
    this.watchSince ??= this.options.now();
    this.revision = 0;
    this.watchedRevision = 0;
    this.behindSince = null;
  }

  /** The watch delivered this node's watermark (null: deleted). */
  watched(value: WatermarkValue | null, revision: number): void {
    this.watchSince ??= this.options.now();
    this.watchedRevision = Math.max(this.watchedRevision, revision);
    if (value) this.take(value, revision);
  }

  /** Takes a watermark unless a newer one (by KV revision) is already in the status, and runs. */
  private take(value: WatermarkValue, revision: number): void {
    if (revision < this.revision) return;
    this.revision = revision;
    this.options.patch({ hubWatermark: value });
    void this.run().catch((error: unknown) =>
      this.options.patch({ lastError: `anti-entropy: ${String((error as Error)?.message ?? error)}` }),
    );
  }

  /**
   * Reads the watermark straight from its bucket and compares it with what the watch delivered.
   * After a nats-server restart a KV watch can stall without any error (seen in the chaos test:
   * stuck 1,800 seqs behind for 30 s while the bucket moved on). The value read is used at once, so
   * anti-entropy never re-sends on a stale view; found behind on two checks in a row, the watch is
   * `stalled` and the caller restarts the watches.
   */
  async checkWatch(jsm: JetStreamManager): Promise<WatchCheck> {
    const latest = await readOwnWatermark(jsm, this.options.identity, this.options.invalid);
    if (!latest || latest.revision <= this.watchedRevision) {
      this.behindSince = null;
      return 'in-step';
    }
    this.take(latest.value, latest.revision);
    if (this.behindSince === null) {
      this.behindSince = this.options.now();
      return 'behind';
    }
    this.behindSince = null;
    return 'stalled';
  }

  /** Re-queues the acked events the hub lacks; resolves to how many. */
  async run(): Promise<number> {
    const { log, graceMs, now } = this.options;
    const status = this.options.status();
    if (!status.connected) return 0;
    // No watermark yet: the hub may never have applied anything of ours, or the watch has not
    // delivered it yet. Only after the watch has run for a grace period is "nothing" an answer.
    if (!status.hubWatermark) {
      const since = this.watchSince ?? now();
      if (now() - since < graceMs) return 0;
    }
    const wm = status.hubWatermark ?? { watermark: 0, maxSeq: 0, gaps: [] };
    const missing = await log.ackedMissingAtHub(wm.watermark, wm.maxSeq, wm.gaps, now() - graceMs);
    const requeued = await log.markPending(missing);
    if (requeued > 0) this.options.patch({ resent: this.options.status().resent + requeued });
    return requeued;
  }
}
