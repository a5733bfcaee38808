/** What the projector needs of a JetStream delivery, from its reply subject. */
export interface Delivery {
  readonly streamSeq: number;
  /** When JetStream stored the message, ms (its nanosecond timestamp, floored). */
  readonly storedMs: number;
  /** Messages left in the stream for this consumer after this one. */
  readonly pending: number;
}

/**
 * Reads a delivery's reply subject, the same tokens nats.js's `JsMsg.info` reads:
 * `$JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<dseq>.<nanos>.<pending>` or, with a domain and
 * account hash after `ACK` and a random token at the end, 12 tokens. nats.js splits the subject once
 * for `info` and again for `timestampNanos` (a BigInt), per message; this splits it once. Undefined
 * when it is not a JetStream delivery.
 */
export const deliveryOf = (reply: string): Delivery | undefined => {
  const tokens = reply.split('.');
  if (tokens[0] !== '$JS' || tokens[1] !== 'ACK' || (tokens.length !== 9 && tokens.length < 11)) return undefined;
  const at = tokens.length === 9 ? 5 : 7;
  const nanos = tokens[at + 2] as string;
  const delivery = {
    streamSeq: Number.parseInt(tokens[at] as string, 10),
    storedMs: nanos.length > 6 ? Number.parseInt(nanos.slice(0, -6), 10) : 0,
    pending: Number.parseInt(tokens[at + 3] as string, 10),
  };
  return Number.isSafeInteger(delivery.streamSeq) && Number.isSafeInteger(delivery.storedMs) ? delivery : undefined;
};
