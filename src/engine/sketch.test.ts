import { describe, expect, it } from 'vitest';
import { DistinctCounter, EXACT_DISTINCT, hash32, LogHistogram } from './sketch.js';

describe('DistinctCounter', () => {
  it('is exact up to EXACT_DISTINCT values', () => {
    const c = new DistinctCounter();
    for (let r = 0; r < 3; r++) for (let i = 0; i < EXACT_DISTINCT; i++) c.add(`v${i}`);
    expect(c.count).toBe(EXACT_DISTINCT);
  });

  it('stays within 25% of the truth far beyond, in bounded space', () => {
    for (const n of [100, 1_000, 50_000]) {
      const c = new DistinctCounter();
      for (let i = 0; i < n; i++) c.add(`10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`);
      expect(Math.abs(c.count - n) / n).toBeLessThan(0.25);
      expect(c.bytes).toBeLessThanOrEqual(128);
    }
  });

  it('spreads hashes over the low bits', () => {
    const buckets = new Array<number>(16).fill(0);
    for (let i = 0; i < 16_000; i++)
      buckets[hash32(`key-${i}`) & 15] = (buckets[hash32(`key-${i}`) & 15] ?? 0) + 1;
    for (const b of buckets) expect(b).toBeGreaterThan(800);
  });
});

describe('LogHistogram', () => {
  it('gives the median within a quarter octave', () => {
    const h = new LogHistogram();
    for (const x of [10, 20, 30, 1000, 40, 50, 60]) h.add(x);
    expect(h.median()).toBeGreaterThan(40 / 1.2);
    expect(h.median()).toBeLessThan(40 * 1.2);
    expect(new LogHistogram().median()).toBeNaN();
  });
});
