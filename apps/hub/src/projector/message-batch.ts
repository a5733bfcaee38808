import type { StreamMessage } from './apply-batch.js';

const INITIAL_BYTES = 1 << 16;
const INITIAL_MESSAGES = 1024;
/** A batch that grew past this is not reused (one of huge messages would otherwise hold its memory). */
const REUSE_MAX_BYTES = 32 << 20;

/**
 * The messages of one batch as the projector buffers them until it commits: bodies copied into one
 * growing buffer, stream seqs and store times in typed arrays, subjects shared. A batch of 10,000
 * nats.js messages kept as they arrive is ~10,000 objects (with their views and delivery info) alive
 * across every young-generation GC until the commit, which copied them each time. Each `StreamMessage`
 * is made when it is read, and dies young. `clear` keeps the buffers for the next batch: fresh ones
 * cost a page fault per 4 KB written (docs/decisions/0005-projector-batching-and-commit-wait.md).
 */
export class MessageBatch implements Iterable<StreamMessage> {
  private bytes = Buffer.allocUnsafe(INITIAL_BYTES);
  private used = 0;
  private seqs = new Float64Array(INITIAL_MESSAGES);
  private storedMs = new Float64Array(INITIAL_MESSAGES);
  private ends = new Uint32Array(INITIAL_MESSAGES);
  private subjects: string[] = [];
  private count = 0;

  /** Subjects seen by this batch, so that a batch holds each one once (60 terminals, 60 strings). */
  constructor(private readonly subjectPool = new Map<string, string>()) {}

  get length(): number {
    return this.count;
  }

  /** Stream seq of the last message (0 when empty). */
  get lastSeq(): number {
    return this.count === 0 ? 0 : (this.seqs[this.count - 1] as number);
  }

  push(subject: string, seq: number, storedMs: number, body: Uint8Array): void {
    if (this.count === this.seqs.length) this.growIndex();
    if (this.used + body.length > this.bytes.length) this.growBytes(this.used + body.length);
    this.bytes.set(body, this.used);
    this.used += body.length;
    let shared = this.subjectPool.get(subject);
    if (shared === undefined) {
      shared = subject;
      if (this.subjectPool.size < 100_000) this.subjectPool.set(subject, subject);
    }
    this.subjects.push(shared);
    this.seqs[this.count] = seq;
    this.storedMs[this.count] = storedMs;
    this.ends[this.count] = this.used;
    this.count++;
  }

  /** Empties the batch for reuse, keeping its buffers; false when it is too large to keep (drop it). */
  clear(): boolean {
    this.count = 0;
    this.used = 0;
    this.subjects.length = 0;
    return this.bytes.length <= REUSE_MAX_BYTES;
  }

  /** The i-th message; its body is a view of this batch's buffer until `clear` (copy it to keep it). */
  at(i: number): StreamMessage {
    if (i < 0 || i >= this.count) throw new RangeError(`message ${i} of a batch of ${this.count}`);
    const start = i === 0 ? 0 : (this.ends[i - 1] as number);
    return {
      subject: this.subjects[i] as string,
      seq: this.seqs[i] as number,
      storedMs: this.storedMs[i] as number,
      body: this.bytes.subarray(start, this.ends[i]),
    };
  }

  [Symbol.iterator](): Iterator<StreamMessage> {
    let i = 0;
    return {
      next: (): IteratorResult<StreamMessage> =>
        i < this.count ? { done: false, value: this.at(i++) } : { done: true, value: undefined },
    };
  }

  private growIndex(): void {
    const size = this.seqs.length * 2;
    const grow = <T extends Float64Array | Uint32Array>(from: T, to: T): T => {
      to.set(from);
      return to;
    };
    this.seqs = grow(this.seqs, new Float64Array(size));
    this.storedMs = grow(this.storedMs, new Float64Array(size));
    this.ends = grow(this.ends, new Uint32Array(size));
  }

  private growBytes(needed: number): void {
    let size = this.bytes.length * 2;
    while (size < needed) size *= 2;
    const bytes = Buffer.allocUnsafe(size);
    this.bytes.copy(bytes, 0, 0, this.used);
    this.bytes = bytes;
  }
}
