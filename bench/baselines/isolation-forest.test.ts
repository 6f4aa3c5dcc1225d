import { describe, expect, it } from 'vitest';
import { averagePathLength, fitIsolationForest, scoreIsolationForest } from './isolation-forest.js';
import { mulberry32 } from './rng.js';

function gaussianCloud(n: number, seed: number): Float64Array {
  const r = mulberry32(seed);
  const out = new Float64Array(n * 2);
  for (let i = 0; i < n * 2; i++) {
    // Box–Muller.
    out[i] = Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  }
  return out;
}

describe('isolation forest', () => {
  it('c(n) matches the paper: c(2) = 1, c(256) ≈ 10.24', () => {
    expect(averagePathLength(1)).toBe(0);
    expect(averagePathLength(2)).toBe(1);
    expect(averagePathLength(256)).toBeCloseTo(10.24, 1);
  });

  it('scores far outliers above 0.6 and the cloud near or below 0.5', () => {
    const cloud = gaussianCloud(1000, 3);
    const data = new Float64Array(cloud.length + 4);
    data.set(cloud);
    data.set([8, 8, -9, 7], cloud.length);
    const forest = fitIsolationForest(data, 2, mulberry32(5));
    const s = scoreIsolationForest(forest, data);
    const outliers = [s[1000]!, s[1001]!];
    const inliers = Array.from(s.subarray(0, 1000));
    const mean = inliers.reduce((a, b) => a + b, 0) / inliers.length;
    for (const o of outliers) expect(o).toBeGreaterThan(0.6);
    expect(mean).toBeLessThan(0.5);
    expect(Math.min(...outliers)).toBeGreaterThan(
      Math.max(...inliers.slice(0, 100).sort().reverse().slice(0, 1)) - 0.2,
    );
    const ranked = Array.from(s.keys()).sort((a, b) => s[b]! - s[a]!);
    expect(ranked.slice(0, 2).sort()).toEqual([1000, 1001]);
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const data = gaussianCloud(300, 9);
    const a = scoreIsolationForest(fitIsolationForest(data, 2, mulberry32(1)), data);
    const b = scoreIsolationForest(fitIsolationForest(data, 2, mulberry32(1)), data);
    const c = scoreIsolationForest(fitIsolationForest(data, 2, mulberry32(2)), data);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
  });

  it('uses 100 trees and a subsample of at most 256 by default', () => {
    const f = fitIsolationForest(gaussianCloud(500, 1), 2, mulberry32(1));
    expect(f.trees).toHaveLength(100);
    expect(f.subsample).toBe(256);
  });
});
