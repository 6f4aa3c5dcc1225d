/**
 * Bounded summaries for the incremental driver: each account's state must stay the same size
 * however long it sends (ARCHITECTURE.md: "bounded state per account (sketches)").
 *
 * - `DistinctCounter`: exact up to EXACT_DISTINCT values, then a HyperLogLog (Flajolet, Fusy,
 *   Gandouet & Meunier, AofA 2007) of 2^HLL_BITS registers with the small-range correction of
 *   the paper (linear counting). 128 registers: standard error 1.04/√128 ≈ 9 %, 128 bytes.
 * - `LogHistogram`: counts in bins of a quarter octave (±9 % on any quantile), for medians of
 *   positive quantities (gaps between requests, requested max_tokens).
 */

/** Values kept exactly before switching to the sketch: small accounts (most of them) stay exact. */
export const EXACT_DISTINCT = 64;
export const HLL_BITS = 7;
const HLL_M = 1 << HLL_BITS;
const HLL_ALPHA = 0.7213 / (1 + 1.079 / HLL_M);

/** 32-bit FNV-1a over UTF-16 code units, finished with a murmur3 mix so that the low bits
 * (register index) and the high bits (rank) are both well spread. */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export class DistinctCounter {
  private exact: Set<string> | null = new Set();
  private registers: Uint8Array | null = null;

  private last: string | null = null;

  add(value: string): void {
    // Streams repeat themselves (the same model, key, end user many times in a row).
    if (value === this.last) return;
    this.last = value;
    if (this.exact !== null) {
      if (this.exact.has(value)) return;
      this.exact.add(value);
      if (this.exact.size <= EXACT_DISTINCT) return;
      this.registers = new Uint8Array(HLL_M);
      for (const v of this.exact) this.offer(v);
      this.exact = null;
      return;
    }
    this.offer(value);
  }

  private offer(value: string): void {
    const h = hash32(value);
    const idx = h & (HLL_M - 1);
    const w = h >>> HLL_BITS;
    // Rank: position of the first 1-bit in the remaining 32 - HLL_BITS bits.
    const rank = w === 0 ? 32 - HLL_BITS + 1 : Math.clz32(w) - HLL_BITS + 1;
    const r = this.registers as Uint8Array;
    if (rank > (r[idx] as number)) r[idx] = rank;
  }

  get count(): number {
    if (this.exact !== null) return this.exact.size;
    const r = this.registers as Uint8Array;
    let sum = 0;
    let zeros = 0;
    for (let i = 0; i < HLL_M; i++) {
      const v = r[i] as number;
      sum += 2 ** -v;
      if (v === 0) zeros++;
    }
    const raw = (HLL_ALPHA * HLL_M * HLL_M) / sum;
    if (raw <= 2.5 * HLL_M && zeros > 0) return Math.round(HLL_M * Math.log(HLL_M / zeros));
    return Math.round(raw);
  }

  /** Bytes held (for the state-size figure). */
  get bytes(): number {
    if (this.exact === null) return HLL_M;
    let b = 0;
    for (const v of this.exact) b += 2 * v.length + 16;
    return b;
  }
}

/** Quarter-octave bins: bin of x ≥ 0 is round(4·log2(1 + x)). */
const BINS_PER_OCTAVE = 4;
const MAX_BIN = 4 * 48;

export class LogHistogram {
  private readonly bins = new Map<number, number>();
  private n = 0;

  add(x: number): void {
    if (!Number.isFinite(x) || x < 0) return;
    const b = Math.min(MAX_BIN, Math.round(BINS_PER_OCTAVE * Math.log2(1 + x)));
    this.bins.set(b, (this.bins.get(b) ?? 0) + 1);
    this.n++;
  }

  get size(): number {
    return this.n;
  }

  /** The median (NaN when empty), to the bin's resolution. */
  median(): number {
    if (this.n === 0) return Number.NaN;
    const keys = [...this.bins.keys()].sort((a, b) => a - b);
    const half = this.n / 2;
    let seen = 0;
    for (const k of keys) {
      seen += this.bins.get(k) as number;
      if (seen >= half) return 2 ** (k / BINS_PER_OCTAVE) - 1;
    }
    return Number.NaN;
  }

  get bytes(): number {
    return 24 * this.bins.size;
  }
}
