/**
 * Seeded pseudo-random numbers for the baselines (Louvain's node order, isolation-forest
 * subsamples and splits): mulberry32, a 32-bit generator with a full 2^32 period, enough for
 * sampling and far cheaper than a cryptographic one. Same seed, same sequence.
 */
export type Rand = () => number;

/** mulberry32 (Tommy Ettinger, public domain): returns floats in [0, 1). */
export function mulberry32(seed: number): Rand {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
