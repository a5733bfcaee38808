/** A small seeded PRNG (sfc32), so that a simulation with the same seed makes the same choices. */
export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: string | number) {
    // Seed the four words from an FNV-1a hash of the seed text.
    let h = 0x811c9dc5;
    const text = String(seed);
    const words: number[] = [];
    for (let w = 0; w < 4; w++) {
      for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
      h = Math.imul(h ^ (w + 0x9e3779b9), 0x01000193) >>> 0;
      words.push(h);
    }
    [this.a, this.b, this.c, this.d] = words as [number, number, number, number];
    for (let i = 0; i < 15; i++) this.next();
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.a >>>= 0;
    this.b >>>= 0;
    this.c >>>= 0;
    this.d >>>= 0;
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('Prng.pick: no items');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** Exponential inter-arrival time for a Poisson process of `ratePerMs`. */
  exponential(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }

  /** A skewed index in [0, n): a few items are picked far more often (best sellers). */
  skewed(n: number, skew = 2.2): number {
    return Math.min(n - 1, Math.floor(n * this.next() ** skew));
  }

  /** 10 random bytes for a UUIDv7. */
  bytes(count = 10): Uint8Array {
    const out = new Uint8Array(count);
    for (let i = 0; i < count; i++) out[i] = Math.floor(this.next() * 256);
    return out;
  }

  /** A child generator with its own stream, e.g. one per node. */
  fork(label: string): Prng {
    return new Prng(`${this.int(0, 2 ** 31)}:${label}`);
  }
}
