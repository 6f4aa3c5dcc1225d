/**
 * Candidate campaigns: connected components of the strong edges, and Louvain communities
 * (V. Blondel et al., "Fast unfolding of communities in large networks", 2008; the
 * graphology implementation) inside a component too big to be one campaign by connectivity
 * alone — a proxy IP or a shared template can bridge two operations. Deterministic for a seed.
 */
import { UndirectedGraph } from 'graphology';
import louvainModule from 'graphology-communities-louvain';
import { mulberry32 } from '../rng/index.js';
import { type LinkGraph, STRONG_EDGE, strongComponents } from './graph.js';

/** Components larger than this are split into Louvain communities. Smaller ones stay whole:
 * on the tuning seed, splitting a 120-account hydra cluster (joined through proxy IPs that the
 * graph links as chains) cut it into arbitrary communities of about ten. */
export const LOUVAIN_MIN_SIZE = 500;

type LouvainFn = (
  g: UndirectedGraph,
  o: { getEdgeWeight: string; rng: () => number },
) => Record<string, number>;
// CommonJS package with an `export default` declaration: under NodeNext the default import is
// module.exports, which may or may not hold a `.default`.
export const louvain: LouvainFn =
  (louvainModule as unknown as { default?: LouvainFn }).default ?? (louvainModule as unknown as LouvainFn);

/** Clusters of account indexes (2+ members), largest first. */
export function clusterAccounts(g: LinkGraph, keep: (i: number) => boolean, seed: number): number[][] {
  const out: number[][] = [];
  for (const comp of strongComponents(g, keep, STRONG_EDGE)) {
    if (comp.length < LOUVAIN_MIN_SIZE) {
      out.push(comp);
      continue;
    }
    const inComp = new Set(comp);
    const graph = new UndirectedGraph();
    for (const i of comp) graph.addNode(String(i));
    for (const e of g.edges) {
      if (e.w >= STRONG_EDGE && inComp.has(e.u) && inComp.has(e.v))
        graph.mergeEdge(String(e.u), String(e.v), { weight: e.w });
    }
    const community = louvain(graph, { getEdgeWeight: 'weight', rng: mulberry32(seed) });
    const groups = new Map<number, number[]>();
    for (const i of comp) {
      const c = community[String(i)] ?? -1;
      const list = groups.get(c);
      if (list === undefined) groups.set(c, [i]);
      else list.push(i);
    }
    for (const m of groups.values()) if (m.length >= 2) out.push(m.sort((a, b) => a - b));
  }
  return out.sort((a, b) => b.length - a.length || (a[0] as number) - (b[0] as number));
}
