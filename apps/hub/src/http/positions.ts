import { problem, type Reply } from './reply.js';

/** Request header: answer only once this instance's views hold this stream position. */
export const MIN_SEQ_HEADER = 'stocknerve-min-seq';
/** Response header: the stream position the answer reflects (a command's: the one recording it). */
export const SEQ_HEADER = 'Stocknerve-Seq';

/** The views' position, and a wait for a later one (the projector). */
export interface ViewPositions {
  readonly checkpoint: number;
  waitFor(seq: number, timeoutMs: number): Promise<void>;
}

/**
 * Waits until the views hold the position a client asks for (read-your-writes across instances: a
 * command's answer carries its position in `Stocknerve-Seq`, and any instance asked with that
 * value in `Stocknerve-Min-Seq` answers only once it has applied it). A reply when it cannot.
 */
export const awaitMinSeq = async (
  given: string | undefined,
  views: ViewPositions,
  timeoutMs: number,
): Promise<Reply | undefined> => {
  if (given === undefined) return undefined;
  if (!/^\d{1,15}$/.test(given))
    return problem(400, 'invalid-request', 'Stocknerve-Min-Seq must be a stream position (a whole number)', {
      field: 'Stocknerve-Min-Seq',
    });
  const seq = Number(given);
  if (views.checkpoint >= seq) return undefined;
  try {
    await views.waitFor(seq, timeoutMs);
    return undefined;
  } catch {
    return {
      ...problem(
        503,
        'unavailable',
        `this instance's views have not reached stream position ${seq} within ${timeoutMs} ms (they hold ${views.checkpoint}); retry, or ask another instance`,
      ),
      headers: { 'Retry-After': '1' },
    };
  }
};
