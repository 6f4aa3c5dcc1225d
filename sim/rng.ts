/**
 * Seeded PRNG for the simulator: sfc32 (Chris Doty-Humphrey's "Small Fast Chaotic" generator,
 * from PractRand), seeded through cyrb128 string hashing. Every actor draws from its own named
 * sub-stream (`fork(name)`), so adding an actor or an archetype does not shift anyone else's
 * numbers: the same seed gives the same bytes, and scenarios stay comparable as they grow.
 */

/** cyrb128: a fast 128-bit string hash, used only to turn (seed, stream name) into 4 state words. */
function cyrb128(str: string): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < str.length; i++) {
    const k = str.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

const TWO_POW_32 = 4294967296;

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  /** The stream's full name (seed + path), from which sub-streams are derived. */
  readonly path: string;

  constructor(seed: number | string, path = '') {
    this.path = `${String(seed)}/${path}`;
    const [a, b, c, d] = cyrb128(this.path);
    this.a = a;
    this.b = b;
    this.c = c;
    this.d = d;
    // Discard the first outputs: sfc32 mixes weak seeds within a dozen steps.
    for (let i = 0; i < 12; i++) this.u32();
  }

  /** An independent stream named `name` under this one. */
  fork(name: string): Rng {
    const r = Object.create(Rng.prototype) as Rng;
    const [a, b, c, d] = cyrb128(`${this.path}>${name}`);
    Object.assign(r, { a, b, c, d, path: `${this.path}>${name}` });
    for (let i = 0; i < 12; i++) r.u32();
    return r;
  }

  u32(): number {
    let { a, b, c, d } = this;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    this.a = a;
    this.b = b;
    this.c = c;
    this.d = d;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.u32() / TWO_POW_32;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Uniform integer in [lo, hi] inclusive. */
  range(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  uniform(lo: number, hi: number): number {
    return lo + this.next() * (hi - lo);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(arr: readonly T[]): T {
    return arr[Math.floor(this.next() * arr.length)] as T;
  }

  /** Picks by weight; `weights` need not sum to 1. */
  weighted<T>(items: readonly T[], weights: readonly number[]): T {
    let total = 0;
    for (const w of weights) total += w;
    let x = this.next() * total;
    for (let i = 0; i < items.length; i++) {
      x -= weights[i] as number;
      if (x < 0) return items[i] as T;
    }
    return items[items.length - 1] as T;
  }

  /** Exponential with the given mean. */
  exp(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }

  /** Standard normal (Box–Muller, one of the pair). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Log-normal with the given median and log-space sigma. */
  lognormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  /** Geometric count ≥ 1 with the given mean. */
  geometric(mean: number): number {
    if (mean <= 1) return 1;
    const p = 1 / mean;
    return 1 + Math.floor(Math.log(1 - this.next()) / Math.log(1 - p));
  }

  /** Lower-case hex string of `n` digits. */
  hex(n: number): string {
    let s = '';
    while (s.length < n) s += this.u32().toString(16).padStart(8, '0');
    return s.slice(0, n);
  }

  /** Random string over an alphabet. */
  chars(n: number, alphabet: string): string {
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[this.int(alphabet.length)];
    return s;
  }
}

/** A bijective, keyed scramble of a 32-bit counter (a 4-round Feistel over 16-bit halves):
 * ids drawn from a counter stay unique while looking random. */
export function scramble32(x: number, key: number): number {
  let l = (x >>> 16) & 0xffff;
  let r = x & 0xffff;
  for (let i = 0; i < 4; i++) {
    const f = (Math.imul(r ^ (key >>> (i * 8)), 0x9e3779b1) >>> 16) ^ (Math.imul(r + i, 0x85ebca6b) >>> 20);
    const nl = r;
    r = (l ^ f) & 0xffff;
    l = nl;
  }
  return ((l << 16) | r) >>> 0;
}
