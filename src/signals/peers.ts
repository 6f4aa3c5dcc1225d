/**
 * Peer baselines: each behaviour is compared with accounts like it (similar size, pathway,
 * main endpoint), not with the whole population — a coding agent's volume is normal among
 * agents and absurd among hobbyists. Robust statistics (median, MAD) so that the attackers
 * inside a peer group do not set its baseline.
 */

/** A peer group needs this many accounts for its own baseline; smaller ones fall back to a
 * coarser key (size only), then to everyone. 30 gives a median and MAD stable to a few %. */
export const MIN_PEERS = 30;

/** Size bucket: powers of 4 of the exchange count (1–3, 4–15, 16–63, …). */
export function sizeBucket(exchanges: number): number {
  return exchanges < 1 ? 0 : Math.floor(Math.log2(exchanges) / 2);
}

export interface PeerKey {
  size: number;
  pathway: string;
  endpoint: string;
  /** Most requests carry tool definitions: agents are compared with agents (their inputs
   * are huge and their outputs short, unlike chat traffic of the same size). */
  agentic: boolean;
}

export interface RobustStats {
  median: number;
  /** Scaled MAD (≈ standard deviation for a normal distribution), floored. */
  spread: number;
  n: number;
  group: string;
}

function median(sorted: Float64Array): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const m = n >> 1;
  return n % 2 === 1 ? (sorted[m] as number) : ((sorted[m - 1] as number) + (sorted[m] as number)) / 2;
}

function robust(values: number[], floor: number, group: string): RobustStats {
  const v = Float64Array.from(values.filter((x) => Number.isFinite(x))).sort();
  const med = median(v);
  const dev = Float64Array.from(v, (x) => Math.abs(x - med)).sort();
  return { median: med, spread: Math.max(1.4826 * median(dev), floor), n: v.length, group };
}

/**
 * Baselines of one metric over peer groups. `floor` is the smallest spread used (a metric that
 * is constant among peers would otherwise make any difference infinitely surprising).
 */
export class PeerBaselines {
  private readonly fine = new Map<string, RobustStats>();
  private readonly coarse = new Map<string, RobustStats>();
  private readonly all: RobustStats;

  constructor(keys: readonly PeerKey[], values: readonly number[], floor: number) {
    const fine = new Map<string, number[]>();
    const coarse = new Map<string, number[]>();
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i] as PeerKey;
      const x = values[i] as number;
      if (!Number.isFinite(x)) continue;
      const f = fineKey(k);
      const c = coarseKey(k);
      (fine.get(f) ?? fine.set(f, []).get(f))?.push(x);
      (coarse.get(c) ?? coarse.set(c, []).get(c))?.push(x);
    }
    for (const [k, v] of fine) if (v.length >= MIN_PEERS) this.fine.set(k, robust(v, floor, k));
    for (const [k, v] of coarse) if (v.length >= MIN_PEERS) this.coarse.set(k, robust(v, floor, k));
    this.all = robust(values as number[], floor, 'all accounts');
  }

  of(k: PeerKey): RobustStats {
    return this.fine.get(fineKey(k)) ?? this.coarse.get(coarseKey(k)) ?? this.all;
  }
}

function coarseKey(k: PeerKey): string {
  return `size ${k.size}${k.agentic ? ', agentic' : ''}`;
}

function fineKey(k: PeerKey): string {
  return `size ${k.size}, ${k.pathway || 'no pathway'}, ${k.endpoint || 'no endpoint'}${k.agentic ? ', agentic' : ''}`;
}

/** How far above its peers a value is, in robust standard deviations. */
export function zAbove(x: number, s: RobustStats): number {
  if (!Number.isFinite(x) || !Number.isFinite(s.median)) return 0;
  return (x - s.median) / s.spread;
}

/** 0 at `from` robust SDs above the peers, 1 at `to` and beyond. */
export function excess(z: number, from = 2, to = 5): number {
  return Math.min(1, Math.max(0, (z - from) / (to - from)));
}
