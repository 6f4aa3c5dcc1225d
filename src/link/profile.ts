/**
 * Prompt-profile links: accounts whose prompts are built on the same template, found from
 * `prompt_fingerprint` alone (docs/fingerprint.md), for deployments that store no prompt text.
 *
 * The fingerprint is a one-bit MinHash of the prompt's word set (Li & König, b-bit minwise
 * hashing, WWW 2010): each bit is decided by the word with the smallest hash in its slot. Two
 * prompts that wrap different tasks in the same template agree on the bits the template's words
 * win — more than half of the bits, but far from the ≤ 3 of a near duplicate — so single pairs
 * of fingerprints say little (fingerprint.md: unrelated pairs reach distance 11). Over an
 * account's sample they say a lot: the per-bit share of set bits (its *profile*) drifts from the
 * population's towards the template's bits, by the share of its prompts that use it.
 *
 * With p₀ the population's per-bit share and x_A[b] = (p_A[b] − p₀[b]) / √(p₀(1 − p₀)) the
 * standardised profile of account A over n_A distinct fingerprints, independent prompts drawn
 * from the population give x_A[b] of variance 1/n_A, so
 *   - the account's own concentration  selfZ = (n_A Σ x_A² − 64) / √128  is ~N(0, 1) for diverse
 *     traffic and large for templated traffic, and
 *   - the similarity of two accounts   Z_AB = √(n_A n_B) Σ x_A x_B / 8  is ~N(0, 1) unless both
 *     lean towards the same bits: the same template (or the same few prompts).
 * Subtracting p₀ removes what all traffic shares (common words such as "the" win some slots
 * in most English prompts). Only fingerprints that no other account sent (in the sample) make
 * a profile, each once: a template over *new* tasks gives fingerprints nobody else has, while
 * prompts sent verbatim by several accounts — benchmark items, an agent framework's tool
 * outputs, popular questions — are public content, not an operator's template (the inverse-
 * document-frequency idea taken to its end: a fingerprint held by two accounts weighs 0).
 *
 * A pair with Z_AB ≥ PROFILE_LINK_Z becomes a `prompt_profile` artifact of its two accounts,
 * weighted by rarity: like FRAUDAR's object-degree down-weighting (graph.ts), a profile close
 * to very many accounts' (a common framework scaffold) weighs less (PROFILE_RARE_DEGREE).
 */
import type { Artifact } from './graph.js';

/** Bits of a fingerprint. */
const BITS = 64;

/** Distinct fingerprints an account needs for a profile: x's noise is 1/√n per bit, and under
 * 8 prompts one template-like coincidence moves it too much. */
export const PROFILE_MIN_PROMPTS = 8;
/** Own concentration (selfZ) an account needs before its links are searched: diverse traffic
 * sits at 0 ± 1 (measured on the tuning seed: individual developers and NAT offices ≤ 4.4), and
 * two accounts that do not lean towards any bits cannot lean towards the same ones. */
export const PROFILE_MIN_SELF_Z = 5;
/** Similarity at which a pair is linked. Null pairs are N(0, 1), so 12 is far beyond chance; on
 * the tuning seed the accounts of one campaign's templates met at 12–26 (median 13–18 with 64
 * prompts), while an evaluation harness never reached 11 with a harvesting account. A weaker
 * link was tried (strength Z/16, strong only from 12.8): the campaign fell apart at the margin. */
export const PROFILE_LINK_Z = 12;
/** Cosine of two accounts' standardised profiles for a link, besides PROFILE_LINK_Z. Z tests
 * "not independent", and two accounts that each lean hard towards their own template reach it
 * even when the templates differ: their leanings are long vectors, so a chance alignment of a
 * few bits makes a large dot product. The same template makes them point the same way. On the
 * tuning seed, pairs at Z ≥ 12 of different templates (an enterprise RAG scaffold vs. prompts
 * asking for thinking in a given language, synthetic-data jobs) met at cosine 0.15–0.43; the
 * accounts of one campaign's templates at 0.44–0.81 (median 0.67), two campaigns using kindred
 * elicitation templates at 0.45–0.70. */
export const PROFILE_MIN_COSINE = 0.45;
/** A profile close to at most this many accounts' is not down-weighted; beyond, its links weigh
 * log(N/deg)/log(N/PROFILE_RARE_DEGREE) (FRAUDAR-style): a campaign's template recurs in tens to
 * hundreds of its accounts, a popular framework's scaffold in thousands of unrelated ones. */
export const PROFILE_RARE_DEGREE = 200;
/** Links kept per account (its most similar): a template shared by thousands of accounts is
 * connected as well by its 40 nearest, and the pair count stays linear. */
export const PROFILE_MAX_LINKS = 40;
/** Accounts compared pairwise (those with the highest selfZ): the search is quadratic. */
export const PROFILE_MAX_CANDIDATES = 6000;

export interface ProfileInput {
  id: string;
  /** The account's distinct sampled fingerprints (16 lower-case hex digits). */
  fingerprints: Iterable<string>;
}

/** Per-bit counts of set bits over fingerprints. */
interface BitCounts {
  id: string;
  ones: Float64Array;
  n: number;
}

/** Adds the 64 bits of a fingerprint (hex) to `ones`. */
function countBits(fp: string, ones: Float64Array): void {
  const hi = Number.parseInt(fp.slice(0, 8), 16) >>> 0;
  const lo = Number.parseInt(fp.slice(8, 16), 16) >>> 0;
  for (let b = 0; b < 32; b++) {
    if (((lo >>> b) & 1) === 1) ones[b] = (ones[b] as number) + 1;
    if (((hi >>> b) & 1) === 1) ones[b + 32] = (ones[b + 32] as number) + 1;
  }
}

/**
 * Bit counts of each account over its fingerprints that no other account holds, and the
 * population's per-bit share over every distinct fingerprint (each counted once, whoever sent it).
 */
export function ownBitCounts(inputs: readonly ProfileInput[]): { counts: BitCounts[]; p0: Float64Array } {
  const holders = new Map<string, number>();
  for (const a of inputs) for (const fp of a.fingerprints) holders.set(fp, (holders.get(fp) ?? 0) + 1);
  const all = new Float64Array(BITS);
  for (const fp of holders.keys()) countBits(fp, all);
  const p0 = new Float64Array(BITS);
  for (let b = 0; b < BITS; b++) p0[b] = holders.size > 0 ? (all[b] as number) / holders.size : 0.5;
  const counts: BitCounts[] = [];
  for (const a of inputs) {
    const ones = new Float64Array(BITS);
    let n = 0;
    for (const fp of a.fingerprints) {
      if (holders.get(fp) !== 1) continue;
      countBits(fp, ones);
      n++;
    }
    counts.push({ id: a.id, ones, n });
  }
  return { counts, p0 };
}

/** Standardised own concentration of a profile against the population's per-bit shares. */
export function selfConcentration(ones: ArrayLike<number>, n: number, p0: ArrayLike<number>): number {
  if (n <= 0) return 0;
  let s = 0;
  for (let b = 0; b < BITS; b++) {
    const p = p0[b] as number;
    const v = p * (1 - p);
    if (v <= 0) continue;
    const x = ((ones[b] as number) / n - p) / Math.sqrt(v);
    s += x * x;
  }
  return (n * s - BITS) / Math.sqrt(2 * BITS);
}

export interface ProfileLinks {
  /** `prompt_profile` artifacts, one per linked pair (factor = rarity). */
  artifacts: Artifact[];
  /** selfZ per account with a profile. */
  selfZ: Map<string, number>;
  /** Linked partners per account (degree before the per-account cap). */
  degree: Map<string, number>;
}

/**
 * The `prompt_profile` links among `inputs` (population: the number of accounts judged, for
 * the rarity factor). Deterministic: candidates and partners are ordered by score, then id.
 */
export function profileLinks(inputs: readonly ProfileInput[], population: number): ProfileLinks {
  const selfZ = new Map<string, number>();
  const degree = new Map<string, number>();
  const { counts, p0 } = ownBitCounts(inputs);
  const usable = counts.filter((a) => a.n >= PROFILE_MIN_PROMPTS);
  if (usable.length < 2) return { artifacts: [], selfZ, degree };
  const sd = Array.from(p0, (p) => Math.sqrt(Math.max(p * (1 - p), 1e-9)));
  const cands: { id: string; z: number; n: number; x: Float64Array; norm: number }[] = [];
  for (const a of usable) {
    const z = selfConcentration(a.ones, a.n, p0);
    selfZ.set(a.id, z);
    if (z < PROFILE_MIN_SELF_Z) continue;
    const x = new Float64Array(BITS);
    for (let b = 0; b < BITS; b++)
      x[b] = ((a.ones[b] as number) / a.n - (p0[b] as number)) / (sd[b] as number);
    let sq = 0;
    for (let b = 0; b < BITS; b++) sq += (x[b] as number) ** 2;
    cands.push({ id: a.id, z, n: a.n, x, norm: Math.sqrt(sq) });
  }
  cands.sort((a, b) => b.z - a.z || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  if (cands.length > PROFILE_MAX_CANDIDATES) cands.length = PROFILE_MAX_CANDIDATES;
  const m = cands.length;
  const near: { j: number; z: number }[][] = Array.from({ length: m }, () => []);
  for (let i = 0; i < m; i++) {
    const ci = cands[i] as (typeof cands)[number];
    const xi = ci.x;
    for (let j = i + 1; j < m; j++) {
      const cj = cands[j] as (typeof cands)[number];
      const xj = cj.x;
      let dot = 0;
      for (let b = 0; b < BITS; b++) dot += (xi[b] as number) * (xj[b] as number);
      const z = (Math.sqrt(ci.n * cj.n) * dot) / Math.sqrt(BITS);
      if (z < PROFILE_LINK_Z || dot < PROFILE_MIN_COSINE * ci.norm * cj.norm) continue;
      (near[i] as { j: number; z: number }[]).push({ j, z });
      (near[j] as { j: number; z: number }[]).push({ j: i, z });
    }
  }
  const n = Math.max(population, 3);
  const idf = (deg: number): number =>
    deg <= PROFILE_RARE_DEGREE
      ? 1
      : Math.max(0, Math.min(1, Math.log(n / deg) / Math.log(n / PROFILE_RARE_DEGREE)));
  const artifacts: Artifact[] = [];
  const kept = new Set<string>();
  for (let i = 0; i < m; i++) {
    const list = near[i] as { j: number; z: number }[];
    const ci = cands[i] as (typeof cands)[number];
    if (list.length > 0) degree.set(ci.id, list.length);
    list.sort((a, b) => b.z - a.z || a.j - b.j);
    for (const { j } of list.slice(0, PROFILE_MAX_LINKS)) {
      const a = Math.min(i, j);
      const b = Math.max(i, j);
      const key = `${a}:${b}`;
      if (kept.has(key)) continue;
      kept.add(key);
      const ia = (cands[a] as (typeof cands)[number]).id;
      const ib = (cands[b] as (typeof cands)[number]).id;
      const factor = idf(Math.max((near[a] as unknown[]).length, (near[b] as unknown[]).length));
      if (factor <= 0) continue;
      const pair = ia < ib ? [ia, ib] : [ib, ia];
      artifacts.push({ kind: 'prompt_profile', value: `${pair[0]}~${pair[1]}`, accounts: pair, factor });
    }
  }
  artifacts.sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
  return { artifacts, selfZ, degree };
}

/** Family-wise error of pooled-profile matches: the chance that any account with diverse prompts
 * is matched to any campaign's pooled profile (a Bonferroni bound over every comparison made). */
export const POOL_FAMILY_ALPHA = 0.01;
/** Fingerprints a pooled profile needs (its own noise must be small next to an account's). */
export const POOL_MIN_PROMPTS = 128;

export interface ProfilePool {
  /** Caller's key (a cluster index). */
  key: number;
  /** The members whose prompts make the pooled profile. */
  members: readonly string[];
}

export interface PoolMatch {
  key: number;
  /** √n · (x_A · t̂): the account's lean along the pool's, ~N(0, 1) for diverse prompts. */
  z: number;
  /** Cosine of the account's lean and the pool's. */
  cosine: number;
}

/**
 * Accounts whose own prompts lean the way a pool's prompts do. An account with few prompts (under
 * 40 distinct fingerprints, say) cannot show a profile of its own strong enough for pair links
 * (its selfZ stays under PROFILE_MIN_SELF_Z), but it can be compared with the pooled profile of
 * many accounts: t̂, the unit direction of the pool's standardised lean, is known almost without
 * noise, so z = √n_A (x_A · t̂) is ~N(0, 1) for an account whose prompts owe nothing to the pool's
 * template, whatever its n. A match needs z beyond the Bonferroni bound of POOL_FAMILY_ALPHA over
 * all (account, pool) comparisons, and cosine ≥ PROFILE_MIN_COSINE (an account leaning hard
 * towards another template reaches a large z with a small cosine). `skip(id, key)` leaves out
 * comparisons the caller does not need (the pool's own members).
 */
export function poolMatches(
  inputs: readonly ProfileInput[],
  pools: readonly ProfilePool[],
  skip: (id: string, key: number) => boolean,
): Map<string, PoolMatch> {
  const out = new Map<string, PoolMatch>();
  const { counts, p0 } = ownBitCounts(inputs);
  const byId = new Map(counts.map((c) => [c.id, c]));
  const sd = Array.from(p0, (p) => Math.sqrt(Math.max(p * (1 - p), 1e-9)));
  const lean = (ones: Float64Array, n: number): Float64Array => {
    const x = new Float64Array(BITS);
    for (let b = 0; b < BITS; b++) x[b] = ((ones[b] as number) / n - (p0[b] as number)) / (sd[b] as number);
    return x;
  };
  const dirs: { key: number; t: Float64Array }[] = [];
  for (const pool of pools) {
    const ones = new Float64Array(BITS);
    let n = 0;
    for (const id of pool.members) {
      const c = byId.get(id);
      if (c === undefined || c.n < PROFILE_MIN_PROMPTS) continue;
      for (let b = 0; b < BITS; b++) ones[b] = (ones[b] as number) + (c.ones[b] as number);
      n += c.n;
    }
    if (n < POOL_MIN_PROMPTS) continue;
    const t = lean(ones, n);
    const norm = Math.hypot(...t);
    if (norm <= 0) continue;
    for (let b = 0; b < BITS; b++) t[b] = (t[b] as number) / norm;
    dirs.push({ key: pool.key, t });
  }
  const accounts = counts.filter((c) => c.n >= PROFILE_MIN_PROMPTS);
  const tests = accounts.length * dirs.length;
  if (tests === 0) return out;
  const zMin = normalQuantile(1 - POOL_FAMILY_ALPHA / tests);
  for (const a of accounts) {
    const x = lean(a.ones, a.n);
    const norm = Math.hypot(...x);
    if (norm <= 0) continue;
    let best: PoolMatch | undefined;
    for (const { key, t } of dirs) {
      if (skip(a.id, key)) continue;
      let dot = 0;
      for (let b = 0; b < BITS; b++) dot += (x[b] as number) * (t[b] as number);
      const z = Math.sqrt(a.n) * dot;
      const cosine = dot / norm;
      if (z >= zMin && cosine >= PROFILE_MIN_COSINE && (best === undefined || z > best.z))
        best = { key, z, cosine };
    }
    if (best !== undefined) out.set(a.id, best);
  }
  return out;
}

/** The standard normal quantile (Acklam's rational approximation, relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (p <= 0) return Number.NEGATIVE_INFINITY;
  if (p >= 1) return Number.POSITIVE_INFINITY;
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  const poly = (k: number[], x: number) => k.reduce((s, v) => s * x + v, 0);
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return poly(c, q) / (poly(d, q) * q + 1);
  }
  if (p > 1 - lo) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return -poly(c, q) / (poly(d, q) * q + 1);
  }
  const q = p - 0.5;
  const r = q * q;
  return (poly(a, r) * q) / (poly(b, r) * r + 1);
}
