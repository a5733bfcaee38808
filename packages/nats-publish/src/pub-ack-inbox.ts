import { createInbox, headers, type Msg, type NatsConnection, type Subscription } from '@nats-io/nats-core';

/** One message to store in JetStream. */
export interface OutgoingMessage {
  readonly subject: string;
  readonly data: string;
  /**
   * `Nats-Msg-Id`: JetStream drops a copy of an id it stored within its duplicate window. None for a
   * KV put (a value put again is a new revision).
   */
  readonly msgId?: string;
}

/** What the stream answered for one message: its PubAck, or why there is none. */
export type PubAckResult =
  | { readonly ok: true; readonly seq: number; readonly duplicate: boolean }
  | { readonly ok: false; readonly error: Error };

/**
 * JetStream publishes (a store node's events, the hub's KV puts) as the protocol defines them (a
 * publish with a reply subject, answered by a PubAck), with one reply subscription for every publish
 * of a connection and one timer per batch.
 * nats.js's `js.publish` is a request per message: a subscription entry, a timer, and an Error with
 * its stack built when each request is done, even after a success; that was half of a node's CPU
 * while it drained a backlog after an outage.
 */
/** The `inboxPrefix` the connection was opened with (nats.js keeps its options on the connection object). */
const inboxPrefixOf = (nc: NatsConnection): string | undefined =>
  (nc as NatsConnection & { options?: { inboxPrefix?: string } }).options?.inboxPrefix;

export class PubAckInbox {
  private readonly prefix: string;
  private readonly sub: Subscription;
  private next = 0;
  private readonly waiting = new Map<string, (result: PubAckResult) => void>();

  constructor(private readonly nc: NatsConnection) {
    // The connection's own inbox prefix: a user's permissions may allow replies under it only.
    this.prefix = `${createInbox(inboxPrefixOf(nc))}.`;
    this.sub = nc.subscribe(`${this.prefix}*`, {
      callback: (error, msg) => {
        if (error) this.failAll(error);
        else this.settle(msg.subject.slice(this.prefix.length), pubAckOf(msg));
      },
    });
  }

  /**
   * Publishes the messages in order (over one connection JetStream stores them in that order) and
   * resolves, once every one has its answer or `timeoutMs` has passed, with each one's result.
   */
  publishAll(messages: readonly OutgoingMessage[], timeoutMs: number): Promise<PubAckResult[]> {
    const tokens: string[] = [];
    const results = messages.map(
      (m) =>
        new Promise<PubAckResult>((resolve) => {
          const token = String(++this.next);
          tokens.push(token);
          this.waiting.set(token, resolve);
          const reply = `${this.prefix}${token}`;
          try {
            if (m.msgId === undefined) this.nc.publish(m.subject, m.data, { reply });
            else {
              const h = headers();
              h.set('Nats-Msg-Id', m.msgId);
              this.nc.publish(m.subject, m.data, { reply, headers: h });
            }
          } catch (error) {
            this.settle(token, { ok: false, error: asError(error) });
          }
        }),
    );
    const timer = setTimeout(() => {
      const timeout = new Error(`no PubAck within ${timeoutMs} ms`);
      for (const token of tokens) this.settle(token, { ok: false, error: timeout });
    }, timeoutMs);
    return Promise.all(results).finally(() => clearTimeout(timer));
  }

  /** Stops listening; publishes still waiting fail. */
  close(): void {
    this.failAll(new Error('the connection to NATS was replaced'));
    try {
      this.sub.unsubscribe();
    } catch {
      // The connection is closed already: so is its subscription.
    }
  }

  private settle(token: string, result: PubAckResult): void {
    const resolve = this.waiting.get(token);
    // An answer after its timeout: the publish was already reported failed (it is sent again).
    if (!resolve) return;
    this.waiting.delete(token);
    resolve(result);
  }

  private failAll(error: Error): void {
    for (const token of [...this.waiting.keys()]) this.settle(token, { ok: false, error });
  }
}

/**
 * Reads a reply to a JetStream publish: `{"stream":…,"seq":…}` (with `"duplicate":true` for an id
 * stored within the window) is stored; an `{"error":…}` reply, a status (503: no stream listens on
 * the subject) or anything else is not.
 */
export const pubAckOf = (msg: Pick<Msg, 'headers' | 'string'>): PubAckResult => {
  if (msg.headers?.hasError)
    return { ok: false, error: new Error(`no PubAck: status ${msg.headers.code} ${msg.headers.description}`) };
  let body: unknown;
  try {
    body = JSON.parse(msg.string());
  } catch {
    return { ok: false, error: new Error('no PubAck: the reply is not JSON') };
  }
  const ack = (typeof body === 'object' && body !== null ? body : {}) as {
    stream?: unknown;
    seq?: unknown;
    duplicate?: unknown;
    error?: { code?: unknown; description?: unknown };
  };
  if (ack.error !== undefined)
    return {
      ok: false,
      error: new Error(`JetStream refused the message: ${String(ack.error?.description ?? JSON.stringify(ack.error))}`),
    };
  if (typeof ack.stream !== 'string' || ack.stream === '' || !Number.isSafeInteger(ack.seq) || (ack.seq as number) < 1)
    return { ok: false, error: new Error(`no PubAck: unexpected reply ${msg.string().slice(0, 200)}`) };
  return { ok: true, seq: ack.seq as number, duplicate: ack.duplicate === true };
};

const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));
