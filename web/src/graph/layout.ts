/**
 * The account–artifact graph's layout, free of the DOM: it runs in a web worker (layout.worker.ts)
 * so that neither the 2–3 MB reply of a large campaign nor the layout ever holds the page.
 *   1. thinEdges: a graph of more than DRAW_MAX_EDGES links keeps, for drawing, each account's
 *      most specific links and every artifact at least once (the legend says so);
 *   2. barycentricLayout, O(edges): artifacts on a circle grouped by kind, accounts at the
 *      barycentre of the artifacts they hold, then rounds of moving artifacts to the barycentre of
 *      their accounts and back (a bipartite barycentric layout, after Tutte 1963);
 *   3. ForceAtlas2 (Jacomy et al. 2014, PLoS ONE 9(6): e98679) from there, with Barnes–Hut, in the
 *      worker: before the first picture for small graphs, after it for large ones (the picture is
 *      updated once with the result).
 */
import type { CampaignGraph, GraphNode } from '../../../src/server/api-types.js';

export const KIND_COLORS: Readonly<Record<string, string>> = {
  account: '#d1495b',
  ip: '#4e79a7',
  subnet: '#76b7b2',
  tls_fingerprint: '#59a14f',
  user_agent: '#edc948',
  payment_fingerprint: '#b07aa1',
  email_domain: '#9c755f',
};
export const KIND_NAMES: Readonly<Record<string, string>> = {
  account: 'account',
  ip: 'IP address',
  subnet: '/24 network',
  tls_fingerprint: 'TLS fingerprint',
  user_agent: 'user agent',
  payment_fingerprint: 'payment instrument',
  email_domain: 'email domain',
};
/** Rounds of barycentric refinement: the picture stops changing visibly after two. */
const LAYOUT_ROUNDS = 2;
/** Links drawn at most; beyond, each account keeps its least-shared artifacts (thinEdges). */
export const DRAW_MAX_EDGES = 10_000;
/** ForceAtlas2 before the first picture up to this many drawn links (~100 iterations in < 0.2 s)… */
export const FA2_SYNC_MAX_EDGES = 3_000;
export const FA2_SYNC_ITERATIONS = 100;
/** …beyond, for this long after the first picture (in the worker; the page is not held). */
export const FA2_WORKER_MS = 4_000;

/**
 * The links to draw of a large graph: each account's `perAccount` links to the artifacts fewest
 * members share (a link through an artifact held by two accounts says more than one through an
 * artifact held by thousands), with perAccount = max / accounts (at least 1), and one link of
 * every artifact that would otherwise be left alone. Small graphs are drawn whole.
 */
export function thinEdges(
  g: CampaignGraph,
  max = DRAW_MAX_EDGES,
): { edges: [string, string][]; perAccount: number | null } {
  if (g.edges.length <= max) return { edges: g.edges, perAccount: null };
  const weight = new Map<string, number>();
  let accounts = 0;
  for (const n of g.nodes) {
    if (n.kind === 'account') accounts++;
    else weight.set(n.id, n.weight);
  }
  const perAccount = Math.max(1, Math.floor(max / Math.max(1, accounts)));
  const byAccount = new Map<string, [string, string][]>();
  for (const e of g.edges) {
    const list = byAccount.get(e[0]);
    if (list === undefined) byAccount.set(e[0], [e]);
    else list.push(e);
  }
  const kept: [string, string][] = [];
  const linked = new Set<string>();
  for (const list of byAccount.values()) {
    list.sort((a, b) => (weight.get(a[1]) ?? 0) - (weight.get(b[1]) ?? 0) || (a[1] < b[1] ? -1 : 1));
    for (const e of list.slice(0, perAccount)) {
      kept.push(e);
      linked.add(e[1]);
    }
  }
  for (const e of g.edges)
    if (!linked.has(e[1])) {
      kept.push(e);
      linked.add(e[1]);
    }
  return { edges: kept, perAccount };
}

/** A small deterministic hash → [0, 1) for jitter (same graph, same picture). */
function jitter(s: string, salt: number): number {
  let h = 2166136261 ^ salt;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return ((h >>> 0) % 10_000) / 10_000;
}

/** Start positions of every node (see the header), by node id. */
export function barycentricLayout(
  nodes: readonly GraphNode[],
  edges: readonly [string, string][],
): Map<string, { x: number; y: number }> {
  const artifacts = nodes.filter((n) => n.kind !== 'account');
  const accounts = nodes.filter((n) => n.kind === 'account');
  const order = Object.keys(KIND_COLORS);
  artifacts.sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind) || b.weight - a.weight);
  const pos = new Map<string, { x: number; y: number }>();
  artifacts.forEach((n, i) => {
    const t = (2 * Math.PI * i) / Math.max(1, artifacts.length);
    pos.set(n.id, { x: Math.cos(t), y: Math.sin(t) });
  });
  const nbr = new Map<string, string[]>();
  const link = (from: string, to: string) => {
    const list = nbr.get(from);
    if (list === undefined) nbr.set(from, [to]);
    else list.push(to);
  };
  for (const [a, x] of edges) {
    link(a, x);
    link(x, a);
  }
  const centre = (ids: readonly string[], fallback: { x: number; y: number }) => {
    let x = 0;
    let y = 0;
    let k = 0;
    for (const id of ids) {
      const p = pos.get(id);
      if (p !== undefined) {
        x += p.x;
        y += p.y;
        k++;
      }
    }
    return k === 0 ? fallback : { x: x / k, y: y / k };
  };
  const place = (list: readonly GraphNode[], spread: number) => {
    for (const n of list) {
      const t = 2 * Math.PI * jitter(n.id, 1);
      const r = 0.3 * Math.sqrt(jitter(n.id, 2));
      const c = centre(nbr.get(n.id) ?? [], { x: r * Math.cos(t), y: r * Math.sin(t) });
      pos.set(n.id, {
        x: c.x * spread + (jitter(n.id, 3) - 0.5) * 0.08,
        y: c.y * spread + (jitter(n.id, 4) - 0.5) * 0.08,
      });
    }
  };
  place(accounts, 0.8);
  for (let round = 0; round < LAYOUT_ROUNDS; round++) {
    place(artifacts, 1);
    place(accounts, 1);
  }
  return pos;
}

/** What the worker sends the page: the graph to draw, as flat arrays (cheap to pass and to read). */
export interface LaidOutGraph {
  /** Node ids, labels (artifacts prefixed by their kind in words), kinds and sizes, by index. */
  ids: string[];
  labels: string[];
  kinds: string[];
  x: Float32Array;
  y: Float32Array;
  size: Float32Array;
  /** Drawn links as pairs of node indices. */
  edges: Uint32Array;
  /** The reply's own counts (drawn or not), for the legend. */
  nodeCount: number;
  edgeCount: number;
  truncated: number;
  /** Each account's drawn links when the graph was thinned, else null. */
  perAccount: number | null;
  /** ForceAtlas2 is still to come (large graphs, after the first picture). */
  refining: boolean;
}

export function laidOut(
  g: CampaignGraph,
  edges: readonly [string, string][],
  pos: ReadonlyMap<string, { x: number; y: number }>,
  perAccount: number | null,
  refining: boolean,
): LaidOutGraph {
  const n = g.nodes.length;
  const index = new Map<string, number>();
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  const size = new Float32Array(n);
  let maxArtifact = 1;
  for (const v of g.nodes) if (v.kind !== 'account') maxArtifact = Math.max(maxArtifact, v.weight);
  g.nodes.forEach((v, i) => {
    index.set(v.id, i);
    const p = pos.get(v.id) ?? { x: 0, y: 0 };
    x[i] = p.x;
    y[i] = p.y;
    size[i] = v.kind === 'account' ? 3 + 4 * v.weight : 2 + 4 * Math.sqrt(v.weight / maxArtifact);
  });
  const pairs: number[] = [];
  const seen = new Set<string>();
  for (const [a, b] of edges) {
    const i = index.get(a);
    const j = index.get(b);
    const key = `${a}\u0000${b}`;
    if (i === undefined || j === undefined || i === j || seen.has(key)) continue;
    seen.add(key);
    pairs.push(i, j);
  }
  return {
    ids: g.nodes.map((v) => v.id),
    labels: g.nodes.map((v) =>
      v.kind === 'account' ? v.label : `${KIND_NAMES[v.kind] ?? v.kind}: ${v.label}`,
    ),
    kinds: g.nodes.map((v) => v.kind),
    x,
    y,
    size,
    edges: Uint32Array.from(pairs),
    nodeCount: n,
    edgeCount: g.edges.length,
    truncated: g.truncated,
    perAccount,
    refining,
  };
}
