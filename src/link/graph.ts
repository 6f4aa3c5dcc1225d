/**
 * The account–artifact graph: accounts joined by what they share (IP, /24, payment
 * instrument, TLS fingerprint, user agent, email domain, system prompt, API key, prompt
 * template), each shared artifact weighted by how specific its kind is and by how rare it is.
 *
 * Rarity follows FRAUDAR (B. Hooi et al., "FRAUDAR: Bounding Graph Fraud in the Face of
 * Camouflage", KDD 2016), which down-weights an object's edges by the log of its degree so
 * that popular objects (a cloud /16, a university NAT, the default SDK user agent) cannot
 * make a dense block on their own; here the weight of a shared artifact is its kind's
 * specificity × an inverse-document-frequency factor, log(N/deg) / log(N/2): 1 for an
 * artifact shared by two accounts, falling towards 0 as it approaches everyone.
 */
import { UnionFind } from './union-find.js';

export const LINK_KINDS = [
  'ip',
  'subnet',
  'payment_fingerprint',
  'tls_fingerprint',
  'user_agent',
  'email_domain',
  'system_prompt',
  'api_key',
  'prompt_template',
  'prompt_profile',
  'synchrony',
] as const;
export type LinkKind = (typeof LINK_KINDS)[number];

/**
 * How much one shared artifact of each kind says that two accounts are run by the same
 * people, before rarity. An API key or a payment instrument behind two billing accounts has
 * almost no innocent explanation; one IP can be a NAT or a cloud egress; a TLS fingerprint or
 * user agent names a client library shared by all its users; a template is shared by people
 * who copy the same prompt from the web.
 */
export const KIND_WEIGHT: Readonly<Record<LinkKind, number>> = {
  api_key: 4,
  payment_fingerprint: 3,
  ip: 1.5,
  system_prompt: 1.2,
  prompt_template: 1,
  // A link of two accounts whose own (unshared) prompts follow one template, found from their
  // fingerprints (profile.ts) at Z ≥ 12: alone a strong edge, because campaigns hiding their
  // infrastructure share nothing else; it only passes on evidence (judge.ts), never makes it.
  prompt_profile: 1.5,
  // Two accounts behind one address that work the same clock hours, day after day (synchrony.ts):
  // one scheduler driving both; like an address it ties them to one operator.
  synchrony: 1.5,
  subnet: 0.5,
  email_domain: 0.5,
  tls_fingerprint: 0.3,
  user_agent: 0.3,
};

/** An artifact held by this many accounts or more is linked as a chain instead of a clique
 * (its pair count would be quadratic; connectivity is the same). */
export const CLIQUE_MAX = 32;
/** Pair weight at which two accounts are in the same candidate cluster: one shared payment
 * instrument or rare IP, or a shared template with any second artifact. */
export const STRONG_EDGE = 1.2;

/**
 * A pair's weight sums its kinds, and each kind counts at most this much: twenty shared tool
 * outputs of one agent framework are one coincidence of habit, not twenty pieces of evidence.
 * Templates may add up to 1.5 (several distinct rare templates in common say more than one).
 */
export const KIND_PAIR_CAP: Readonly<Record<LinkKind, number>> = {
  api_key: 4,
  payment_fingerprint: 3,
  ip: 1.5,
  system_prompt: 1.2,
  prompt_template: 1.5,
  prompt_profile: 1.5,
  synchrony: 1.5,
  subnet: 0.5,
  email_domain: 0.5,
  tls_fingerprint: 0.3,
  user_agent: 0.3,
};

/** Kinds that tie accounts to the same operator rather than to the same habits or software:
 * a shared payment instrument, API key, address or system prompt, or working in step behind
 * one address. */
export const SPECIFIC_KINDS: ReadonlySet<LinkKind> = new Set([
  'api_key',
  'payment_fingerprint',
  'ip',
  'system_prompt',
  'synchrony',
]);

export interface Artifact {
  kind: LinkKind;
  value: string;
  accounts: readonly string[];
  /** Multiplies the artifact's weight (analysts' feedback: dismissed infrastructure weighs less,
   * confirmed more); 1 when absent. */
  factor?: number;
}

export interface Edge {
  u: number;
  v: number;
  /** Total weight (each kind capped by KIND_PAIR_CAP). */
  w: number;
  /** The part of `w` from SPECIFIC_KINDS. */
  specific: number;
  /** The part of `w` from prompt-profile links (link/profile.ts). */
  profile: number;
}

export interface LinkGraph {
  /** Account ids; edges refer to their indexes. */
  ids: string[];
  index: Map<string, number>;
  /** The pairs whose weight reaches the graph's minimum edge weight (STRONG_EDGE unless asked
   * otherwise): the only ones clustering looks at. */
  edges: Edge[];
  /** Pairs sharing any artifact, strong or not. */
  pairs: number;
  /** Artifacts with their weight, per account index (only artifacts shared by 2+ accounts). */
  artifactsOf: Map<number, { kind: LinkKind; value: string; weight: number; degree: number }[]>;
}

export function artifactWeight(kind: LinkKind, degree: number, population: number): number {
  if (degree < 2) return 0;
  const n = Math.max(population, 3);
  const idf = Math.log(n / degree) / Math.log(n / 2);
  return KIND_WEIGHT[kind] * Math.max(0, Math.min(1, idf));
}

/** Builds the weighted account graph of the artifacts shared by 2+ accounts, keeping the edges
 * of weight ≥ `minEdge` (weaker pairs are counted, never clustered: materialising them cost more
 * than the rest of the graph). */
export function buildLinkGraph(
  ids: readonly string[],
  artifacts: readonly Artifact[],
  population: number,
  minEdge = STRONG_EDGE,
): LinkGraph {
  const index = new Map<string, number>();
  for (let i = 0; i < ids.length; i++) index.set(ids[i] as string, i);
  // Pair (u < v) → slot in one growing pool of per-kind weights: a typed array per pair was a
  // million small allocations at 1.5M exchanges (14% of the run in garbage collection). One
  // small map per lower account keeps the keys small integers (a single map keyed u·n + v
  // hashed boxed doubles and cost several times more).
  const K = LINK_KINDS.length;
  const n = ids.length;
  const adj: (Map<number, number> | undefined)[] = new Array(n);
  let pool = new Float64Array(K * 1024);
  let used = 0;
  const kindIndex = new Map<LinkKind, number>(LINK_KINDS.map((k, i) => [k, i]));
  const artifactsOf = new Map<number, { kind: LinkKind; value: string; weight: number; degree: number }[]>();
  // Callers pass u < v.
  const add = (u: number, v: number, kind: number, w: number) => {
    let m = adj[u];
    if (m === undefined) {
      m = new Map();
      adj[u] = m;
    }
    let slot = m.get(v);
    if (slot === undefined) {
      if ((used + 1) * K > pool.length) {
        const bigger = new Float64Array(pool.length * 2);
        bigger.set(pool);
        pool = bigger;
      }
      slot = used++;
      m.set(v, slot);
    }
    const at = slot * K + kind;
    pool[at] = (pool[at] as number) + w;
  };
  for (const art of artifacts) {
    const members: number[] = [];
    for (const id of art.accounts) {
      const i = index.get(id);
      if (i !== undefined) members.push(i);
    }
    if (members.length < 2) continue;
    members.sort((x, y) => x - y);
    const w = artifactWeight(art.kind, members.length, population) * (art.factor ?? 1);
    if (w <= 0) continue;
    const ki = kindIndex.get(art.kind) as number;
    // One record per artifact, shared by its members' lists (read only).
    const item = { kind: art.kind, value: art.value, weight: w, degree: members.length };
    for (const m of members) {
      const list = artifactsOf.get(m);
      if (list === undefined) artifactsOf.set(m, [item]);
      else list.push(item);
    }
    if (members.length < CLIQUE_MAX) {
      for (let x = 0; x < members.length; x++)
        for (let y = x + 1; y < members.length; y++) add(members[x] as number, members[y] as number, ki, w);
    } else {
      for (let x = 1; x < members.length; x++) add(members[x - 1] as number, members[x] as number, ki, w);
    }
  }
  const edges: Edge[] = [];
  const caps = LINK_KINDS.map((kind) => KIND_PAIR_CAP[kind]);
  const isSpecific = LINK_KINDS.map((kind) => SPECIFIC_KINDS.has(kind));
  const profileKind = kindIndex.get('prompt_profile') as number;
  for (let u = 0; u < n; u++) {
    const m = adj[u];
    if (m === undefined) continue;
    const strong: Edge[] = [];
    for (const [v, slot] of m) {
      let w = 0;
      let specific = 0;
      for (let i = 0; i < K; i++) {
        const x = Math.min(pool[slot * K + i] as number, caps[i] as number);
        w += x;
        if (isSpecific[i]) specific += x;
      }
      if (w >= minEdge)
        strong.push({
          u,
          v,
          w,
          specific,
          profile: Math.min(pool[slot * K + profileKind] as number, caps[profileKind] as number),
        });
    }
    strong.sort((a, b) => a.v - b.v);
    for (const e of strong) edges.push(e);
  }
  return { ids: [...ids], index, edges, pairs: used, artifactsOf };
}

/** Connected components over the edges of weight ≥ minWeight, restricted to `keep` accounts;
 * each component as sorted account indexes, largest first (ties by smallest index). */
export function strongComponents(
  g: LinkGraph,
  keep: (i: number) => boolean,
  minWeight = STRONG_EDGE,
): number[][] {
  const uf = new UnionFind(g.ids.length);
  for (const e of g.edges) if (e.w >= minWeight && keep(e.u) && keep(e.v)) uf.union(e.u, e.v);
  const groups = new Map<number, number[]>();
  for (let i = 0; i < g.ids.length; i++) {
    if (!keep(i)) continue;
    const r = uf.find(i);
    const list = groups.get(r);
    if (list === undefined) groups.set(r, [i]);
    else list.push(i);
  }
  return [...groups.values()]
    .filter((m) => m.length >= 2)
    .sort((a, b) => b.length - a.length || (a[0] as number) - (b[0] as number));
}
