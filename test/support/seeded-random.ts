// A small seeded PRNG (sfc32) for the log generators: the same seed writes the same log, byte for
// byte, on every machine, so a failing property run can be replayed from its seed alone.

/** Deterministic random numbers from a 32-bit seed. */
export class SeededRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed >>> 0;
    // Mix the seed in before the first number is used (sfc32's recommended warm-up).
    for (let i = 0; i < 15; i++) this.next32();
  }

  /** A uniform 32-bit unsigned integer. */
  next32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A uniform float in [0, 1). */
  float(): number {
    return this.next32() / 4294967296;
  }

  /** A uniform integer in [min, max] (both included). */
  int(min: number, max: number): number {
    return min + Math.floor(this.float() * (max - min + 1));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.float() < p;
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.float() * items.length)]!;
  }

  /** An exponentially distributed gap with the given mean (for Poisson arrivals). */
  exponential(mean: number): number {
    return -Math.log(1 - this.float()) * mean;
  }
}
