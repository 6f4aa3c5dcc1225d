/**
 * The `Rng` port (docs/architecture.md): every seeded algorithm — sampling, Louvain's node
 * order, isolation-forest splits, test fixtures — takes one of these, so the same seed gives
 * the same result. The default adapter is mulberry32, a 32-bit generator with a full 2^32
 * period: enough for sampling and far cheaper than a cryptographic one. (The simulator keeps
 * its own sfc32 with named sub-streams, `sim/rng.ts`, because it needs independent streams.)
 */
export type Rng = () => number;

/** mulberry32 (Tommy Ettinger, public domain): floats in [0, 1), same seed same sequence. */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
