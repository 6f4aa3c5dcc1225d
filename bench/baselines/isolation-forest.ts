/**
 * Isolation forest: F. T. Liu, K. M. Ting, Z.-H. Zhou, "Isolation Forest", IEEE ICDM 2008.
 *
 * Anomalies are few and different, so random axis-parallel splits isolate them in fewer steps.
 * Each of t trees is grown on a subsample of ψ points drawn without replacement, splitting on a
 * random attribute at a uniform random value between that attribute's min and max in the node,
 * down to a height limit of ceil(log2 ψ). A point's path length h(x) is the depth of the leaf
 * it reaches plus c(size) for the points left unseparated in that leaf; its anomaly score is
 * s = 2^(−E[h(x)] / c(ψ)), with c(n) = 2H(n−1) − 2(n−1)/n the average path length of an
 * unsuccessful search in a binary search tree (H(i) ≈ ln i + 0.5772156649). The paper's
 * defaults: t = 100 trees, ψ = 256. Pure and seeded: same rng, same forest.
 */
import type { Rand } from './rng.js';

export const IFOREST_DEFAULTS = { trees: 100, subsample: 256 } as const;

const EULER_GAMMA = 0.5772156649;

/** c(n): average path length of an unsuccessful BST search among n points. */
export function averagePathLength(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * (Math.log(n - 1) + EULER_GAMMA) - (2 * (n - 1)) / n;
}

interface Tree {
  /** Split attribute per node, −1 at a leaf. */
  feature: Int32Array;
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  /** Points that reached a leaf (for c(size)). */
  size: Int32Array;
}

export interface IsolationForest {
  trees: Tree[];
  subsample: number;
  dims: number;
}

/** Points are rows of length `dims` in one Float64Array (row-major). */
export function fitIsolationForest(
  data: Float64Array,
  dims: number,
  rng: Rand,
  opts: { trees?: number; subsample?: number } = {},
): IsolationForest {
  const n = dims > 0 ? Math.floor(data.length / dims) : 0;
  const t = opts.trees ?? IFOREST_DEFAULTS.trees;
  const psi = Math.min(opts.subsample ?? IFOREST_DEFAULTS.subsample, n);
  const heightLimit = Math.ceil(Math.log2(Math.max(psi, 2)));
  const trees: Tree[] = [];
  const pool = new Int32Array(n);
  for (let k = 0; k < t; k++) {
    // Partial Fisher–Yates: the first psi entries are a uniform sample without replacement.
    for (let i = 0; i < n; i++) pool[i] = i;
    for (let i = 0; i < psi; i++) {
      const j = i + Math.floor(rng() * (n - i));
      const tmp = pool[i]!;
      pool[i] = pool[j]!;
      pool[j] = tmp;
    }
    trees.push(growTree(data, dims, pool.slice(0, psi), heightLimit, rng));
  }
  return { trees, subsample: psi, dims };
}

function growTree(data: Float64Array, dims: number, idx: Int32Array, heightLimit: number, rng: Rand): Tree {
  const cap = 2 * idx.length + 1;
  const feature = new Int32Array(cap).fill(-1);
  const threshold = new Float64Array(cap);
  const left = new Int32Array(cap);
  const right = new Int32Array(cap);
  const size = new Int32Array(cap);
  let nodes = 0;
  const lo = new Float64Array(dims);
  const hi = new Float64Array(dims);
  const candidates: number[] = [];
  const build = (rows: Int32Array, depth: number): number => {
    const node = nodes++;
    size[node] = rows.length;
    if (depth >= heightLimit || rows.length <= 1) return node;
    lo.fill(Number.POSITIVE_INFINITY);
    hi.fill(Number.NEGATIVE_INFINITY);
    for (const r of rows) {
      for (let f = 0; f < dims; f++) {
        const v = data[r * dims + f]!;
        if (v < lo[f]!) lo[f] = v;
        if (v > hi[f]!) hi[f] = v;
      }
    }
    // A random attribute among those not constant in this node (a constant one cannot split).
    candidates.length = 0;
    for (let f = 0; f < dims; f++) if (hi[f]! > lo[f]!) candidates.push(f);
    if (candidates.length === 0) return node;
    const f = candidates[Math.floor(rng() * candidates.length)]!;
    const p = lo[f]! + rng() * (hi[f]! - lo[f]!);
    const l: number[] = [];
    const r: number[] = [];
    for (const row of rows) (data[row * dims + f]! < p ? l : r).push(row);
    feature[node] = f;
    threshold[node] = p;
    left[node] = build(Int32Array.from(l), depth + 1);
    right[node] = build(Int32Array.from(r), depth + 1);
    return node;
  };
  build(idx, 0);
  return { feature, threshold, left, right, size };
}

function pathLength(tree: Tree, x: Float64Array, offset: number): number {
  let node = 0;
  let depth = 0;
  while (tree.feature[node]! >= 0) {
    const f = tree.feature[node]!;
    node = x[offset + f]! < tree.threshold[node]! ? tree.left[node]! : tree.right[node]!;
    depth++;
  }
  return depth + averagePathLength(tree.size[node]!);
}

/** Anomaly scores s(x) in (0, 1] for each row of `data`. */
export function scoreIsolationForest(forest: IsolationForest, data: Float64Array): Float64Array {
  const d = forest.dims;
  const n = d > 0 ? Math.floor(data.length / d) : 0;
  const out = new Float64Array(n);
  const c = averagePathLength(forest.subsample);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (const t of forest.trees) sum += pathLength(t, data, i * d);
    const mean = sum / Math.max(forest.trees.length, 1);
    out[i] = c > 0 ? 2 ** (-mean / c) : 0.5;
  }
  return out;
}
