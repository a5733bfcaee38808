import type { NatsConnection } from '@nats-io/nats-core';
import { PubAckInbox } from '@stocknerve/nats-publish';
import { nodeEventSubject } from '@stocknerve/protocol';
import type { EventLog } from '../local-db/event-log.js';
import type { EventDoc } from '../local-db/schemas.js';
import { backoffMs } from './backoff.js';

export interface OutboxOptions {
  /** Most publishes awaiting their PubAck at once. Default 512. */
  readonly maxInFlight?: number;
  /** PubAck timeout per publish, ms. Default 5000. */
  readonly ackTimeoutMs?: number;
  /** Wall clock (ms). */
  readonly now?: () => number;
}

export interface OutboxEvents {
  onAck?(acked: number, at: number): void;
  onError?(error: unknown): void;
}

/**
 * Sends un-acked events in node-seq order with `Nats-Msg-Id` = event id, pipelined, and records
 * the batch's PubAcks in one write. Over one connection JetStream stores messages in the order sent, so after any failure
 * the stream holds a prefix of what was sent; resuming from the first un-acked event (same msg ids:
 * JetStream drops the duplicates within its window, the hub beyond it) keeps every node's order.
 */
export class OutboxPublisher {
  private running = false;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private inbox: PubAckInbox | undefined;
  private readonly unsubscribe: () => void;
  private readonly maxInFlight: number;
  private readonly ackTimeoutMs: number;
  private readonly now: () => number;

  constructor(
    private readonly log: EventLog,
    private readonly events: OutboxEvents = {},
    options: OutboxOptions = {},
  ) {
    this.maxInFlight = options.maxInFlight ?? 512;
    this.ackTimeoutMs = options.ackTimeoutMs ?? 5000;
    this.now = options.now ?? Date.now;
    this.unsubscribe = log.onRecorded(() => this.kick());
  }

  /** Starts (or resumes, with a new connection) publishing. */
  attach(nc: NatsConnection): void {
    this.inbox?.close();
    this.inbox = new PubAckInbox(nc);
    this.kick();
    if (!this.running) {
      this.running = true;
      this.loop = this.run();
    }
  }

  /** Pauses publishing (the connection is gone); recording goes on locally. */
  detach(): void {
    this.inbox?.close();
    this.inbox = undefined;
  }

  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribe();
    this.kick();
    await this.loop;
  }

  /** Wakes the loop: something was recorded, re-queued, or the connection came back. */
  kick(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private async run(): Promise<void> {
    let attempt = 0;
    while (this.running) {
      const inbox = this.inbox;
      if (!inbox) {
        await this.sleep(1000);
        continue;
      }
      let batch: EventDoc[];
      // Read before the batch: anti-entropy may lower the prefix while the batch is out.
      const sentAbove = this.log.outbox.ackedThrough;
      try {
        batch = await this.log.pending(this.maxInFlight);
      } catch (error) {
        this.events.onError?.(error);
        await this.sleep(1000);
        continue;
      }
      if (batch.length === 0) {
        await this.sleep(5000);
        continue;
      }
      const sent = await this.publishInOrder(inbox, batch);
      if (sent.acked.length > 0) {
        const at = this.now();
        await this.log.markAcked(sent.acked, sent.lastStreamSeq, at, sentAbove);
        this.events.onAck?.(sent.acked.length, at);
      }
      if (sent.error) {
        this.events.onError?.(sent.error);
        attempt++;
        await this.sleep(backoffMs(attempt));
      } else attempt = 0;
    }
  }

  /**
   * Publishes the batch pipelined. Keeps the acked prefix only: after the first failure, later
   * acks are not recorded (they will be re-sent and deduplicated) so the next round starts exactly at
   * the first event the stream may lack.
   */
  private async publishInOrder(
    inbox: PubAckInbox,
    batch: readonly EventDoc[],
  ): Promise<{ acked: number[]; lastStreamSeq: number; error?: unknown }> {
    const subject = nodeEventSubject(this.log.identity);
    const results = await inbox.publishAll(
      batch.map((doc) => ({ subject, data: JSON.stringify(doc.event), msgId: doc.id })),
      this.ackTimeoutMs,
    );
    const acked: number[] = [];
    let lastStreamSeq = 0;
    for (const [i, r] of results.entries()) {
      if (!r.ok) return { acked, lastStreamSeq, error: r.error };
      acked.push((batch[i] as EventDoc).seq);
      lastStreamSeq = Math.max(lastStreamSeq, r.seq);
    }
    return { acked, lastStreamSeq };
  }
}
