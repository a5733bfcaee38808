/** A token bucket's shape: its refill rate and how many requests it holds when full. */
export interface BucketLimit {
  /** Requests per second; 0 turns the limit off. */
  readonly perSecond: number;
  /** Requests allowed at once, after a quiet spell. */
  readonly burst: number;
}

interface Bucket {
  tokens: number;
  /** Clock reading (ms) when `tokens` was right. */
  at: number;
}

/** How often buckets that have refilled completely are forgotten, ms. */
const SWEEP_EVERY_MS = 10_000;

/**
 * Token buckets by key (a client address, a token id). A key that has been quiet long enough to be
 * full again is forgotten, so that many one-off addresses do not grow the map for ever.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private sweptAt: number;

  constructor(
    private readonly limit: BucketLimit,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.sweptAt = clock();
  }

  /** Whether the limit is on. */
  get enabled(): boolean {
    return this.limit.perSecond > 0;
  }

  private current(key: string, now: number): Bucket | undefined {
    const bucket = this.buckets.get(key);
    if (!bucket) return undefined;
    bucket.tokens = Math.min(this.limit.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.limit.perSecond);
    bucket.at = now;
    return bucket;
  }

  /** Seconds until `key` may make a request, without taking one: 0 when it may now. */
  wait(key: string): number {
    if (!this.enabled) return 0;
    const bucket = this.current(key, this.clock());
    return bucket && bucket.tokens < 1 ? (1 - bucket.tokens) / this.limit.perSecond : 0;
  }

  /** Takes one request from `key`'s bucket: 0 when allowed, else the seconds until one would be. */
  take(key: string): number {
    if (!this.enabled) return 0;
    const now = this.clock();
    if (now - this.sweptAt >= SWEEP_EVERY_MS) this.sweep(now);
    const bucket = this.current(key, now);
    if (!bucket) {
      this.buckets.set(key, { tokens: this.limit.burst - 1, at: now });
      return 0;
    }
    if (bucket.tokens < 1) return (1 - bucket.tokens) / this.limit.perSecond;
    bucket.tokens -= 1;
    return 0;
  }

  private sweep(now: number): void {
    this.sweptAt = now;
    for (const [key, bucket] of this.buckets)
      if (bucket.tokens + ((now - bucket.at) / 1000) * this.limit.perSecond >= this.limit.burst)
        this.buckets.delete(key);
  }
}
