/**
 * The account–artifact graph of a campaign, drawn by sigma.js (WebGL) over a graphology graph.
 * Layout in two steps:
 *   1. a start in O(edges), drawn at once: artifacts on a circle grouped by kind, accounts at the
 *      barycentre of the artifacts they hold, then rounds of moving artifacts to the barycentre of
 *      their accounts and back (a bipartite barycentric layout, after Tutte 1963);
 *   2. ForceAtlas2 (Jacomy et al. 2014, PLoS ONE 9(6): e98679) from there, with Barnes–Hut:
 *      accounts that share infrastructure pull together, unrelated groups push apart. Small graphs
 *      get it before the first frame; large ones in a web worker after it, for FA2_WORKER_MS, and
 *      the picture is redrawn once with the result (40 iterations on 5,000 accounts and 36k links
 *      held the main thread 2–3 s here).
 * Links are drawn as 1-pixel lines: the default rectangles with anti-aliased edges cost several
 * seconds per frame at tens of thousands of links in software WebGL (headless chromium). A graph
 * of more than DRAW_MAX_EDGES links is thinned before drawing (thinEdges: each account keeps its
 * most specific links, every artifact at least one; the legend says so), and labels are drawn
 * only on hover beyond LABELS_MAX_NODES nodes: past a few thousand nodes the full picture is a
 * hairball to a person, and the first frame on a machine without a GPU took ~1 s.
 */
import { SigmaContainer, useRegisterEvents, useSigma } from '@react-sigma/core';
import '@react-sigma/core/lib/style.css';
import Graph from 'graphology';
import forceAtlas2 from 'graphology-layout-forceatlas2';
import FA2Layout from 'graphology-layout-forceatlas2/worker';
import { useEffect, useMemo, useState } from 'react';
import { EdgeLineProgram } from 'sigma/rendering';
import type { CampaignGraph } from '../../../src/server/api-types.js';

export const KIND_COLORS: Readonly<Record<string, string>> = {
  account: '#d1495b',
  ip: '#4e79a7',
  subnet: '#76b7b2',
  tls_fingerprint: '#59a14f',
  user_agent: '#edc948',
  payment_fingerprint: '#b07aa1',
  email_domain: '#9c755f',
};
const KIND_NAMES: Readonly<Record<string, string>> = {
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
/** ForceAtlas2 before the first frame up to this many links (~100 iterations in < 0.2 s)… */
const FA2_SYNC_MAX_EDGES = 3_000;
const FA2_SYNC_ITERATIONS = 100;
/** …beyond, in a worker for this long after the first frame. */
const FA2_WORKER_MS = 4_000;
/** Links drawn at most; beyond, each account keeps its least-shared artifacts (thinEdges). */
export const DRAW_MAX_EDGES = 10_000;
/** Labels drawn (not only on hover) up to this many nodes. */
const LABELS_MAX_NODES = 2_000;

const SIGMA_SETTINGS = {
  renderEdgeLabels: false,
  labelRenderedSizeThreshold: 9,
  defaultEdgeColor: '#ccd3db',
  defaultEdgeType: 'line',
  edgeProgramClasses: { line: EdgeLineProgram },
  zIndex: true,
  // The container is 0×0 for a moment when the view unmounts (navigating to an account) and a
  // resize arrives late: nothing to draw then, not an error.
  allowInvalidContainer: true,
};

function fa2Settings(graph: Graph<NodeAttrs>) {
  // Strong gravity keeps accounts that share nothing in view instead of at the far edge.
  return { ...forceAtlas2.inferSettings(graph), adjustSizes: false, strongGravityMode: true, gravity: 0.5 };
}

interface NodeAttrs {
  x: number;
  y: number;
  size: number;
  color: string;
  label: string;
  kind: string;
  [key: string]: unknown;
}

/** A small deterministic hash → [0, 1) for jitter (same graph, same picture). */
function jitter(s: string, salt: number): number {
  let h = 2166136261 ^ salt;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return ((h >>> 0) % 10_000) / 10_000;
}

/**
 * The links to draw of a large graph: each account's `perAccount` links to the artifacts fewest
 * members share (a link through an artifact held by two accounts says more than one through an
 * artifact held by thousands), with perAccount = DRAW_MAX_EDGES / accounts (at least 1), and one
 * link of every artifact that would otherwise be left alone. Small graphs are drawn whole.
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

export function buildGraph(g: CampaignGraph, edges: readonly [string, string][] = g.edges): Graph<NodeAttrs> {
  performance.mark('dg:layout:start');
  const graph = new Graph<NodeAttrs>({ type: 'undirected', multi: false });
  const artifacts = g.nodes.filter((n) => n.kind !== 'account');
  const accounts = g.nodes.filter((n) => n.kind === 'account');
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
  const place = (nodes: typeof accounts, spread: number) => {
    for (const n of nodes) {
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
  const maxArtifact = Math.max(1, ...artifacts.map((n) => n.weight));
  for (const n of g.nodes) {
    const p = pos.get(n.id) ?? { x: 0, y: 0 };
    const isAccount = n.kind === 'account';
    graph.addNode(n.id, {
      x: p.x,
      y: p.y,
      size: isAccount ? 3 + 4 * n.weight : 2 + 4 * Math.sqrt(n.weight / maxArtifact),
      color: isAccount ? (KIND_COLORS.account ?? '#d1495b') : (KIND_COLORS[n.kind] ?? '#888'),
      label: isAccount ? n.label : `${KIND_NAMES[n.kind] ?? n.kind}: ${n.label}`,
      kind: n.kind,
    });
  }
  for (const [a, x] of edges)
    if (graph.hasNode(a) && graph.hasNode(x) && !graph.hasEdge(a, x))
      graph.addEdge(a, x, { color: '#ccd3db', size: 0.5 });
  performance.mark('dg:fa2:start');
  if (graph.size > 0 && graph.size <= FA2_SYNC_MAX_EDGES)
    forceAtlas2.assign(graph, { iterations: FA2_SYNC_ITERATIONS, settings: fa2Settings(graph) });
  // Marks for the benchmark (bench/perf/serve.ts reads them): start layout, ForceAtlas2.
  performance.measure('dg:layout', 'dg:layout:start', 'dg:fa2:start');
  performance.measure('dg:fa2', 'dg:fa2:start');
  return graph;
}

function Loader({
  graph,
  onReady,
  onAccount,
}: {
  graph: Graph<NodeAttrs>;
  onReady: () => void;
  onAccount: (id: string) => void;
}) {
  const sigma = useSigma<NodeAttrs>();
  const events = useRegisterEvents();
  useEffect(() => {
    // Wait for the first frame drawn with this graph before calling the view ready.
    const done = () => {
      performance.measure('dg:sigma', 'dg:sigma:start');
      performance.mark('dg:graph:drawn');
      onReady();
    };
    sigma.once('afterRender', done);
    sigma.refresh();
    let layout: FA2Layout | null = null;
    let timer: number | undefined;
    if (graph.size > FA2_SYNC_MAX_EDGES) {
      // The worker moves the nodes of a copy; the drawn graph takes the result in one update
      // (redrawing tens of thousands of links on every worker tick kept the main thread busy).
      const work = graph.copy();
      layout = new FA2Layout(work, { settings: fa2Settings(graph) });
      layout.start();
      timer = window.setTimeout(() => {
        layout?.stop();
        graph.updateEachNodeAttributes((id, attrs) => ({
          ...attrs,
          x: work.getNodeAttribute(id, 'x'),
          y: work.getNodeAttribute(id, 'y'),
        }));
      }, FA2_WORKER_MS);
    }
    return () => {
      sigma.off('afterRender', done);
      window.clearTimeout(timer);
      layout?.kill();
    };
  }, [graph, sigma, onReady]);
  useEffect(() => {
    events({
      clickNode: (e) => {
        if (e.node.startsWith('a:')) onAccount(e.node.slice(2));
      },
    });
  }, [events, onAccount]);
  return null;
}

function webglAvailable(): boolean {
  try {
    const c = document.createElement('canvas');
    return (c.getContext('webgl2') ?? c.getContext('webgl')) !== null;
  } catch {
    return false;
  }
}

export function GraphView({
  data,
  onReady,
  onAccount,
}: {
  data: CampaignGraph;
  onReady: () => void;
  onAccount: (id: string) => void;
}) {
  const drawn = useMemo(() => thinEdges(data), [data]);
  const graph = useMemo(() => buildGraph(data, drawn.edges), [data, drawn]);
  const settings = useMemo(
    () => ({ ...SIGMA_SETTINGS, renderLabels: data.nodes.length <= LABELS_MAX_NODES }),
    [data],
  );
  performance.mark('dg:sigma:start');
  const [webgl] = useState(webglAvailable);
  useEffect(() => {
    if (!webgl) onReady();
  }, [webgl, onReady]);
  const kinds = [...new Set(data.nodes.map((n) => n.kind))];
  if (!webgl)
    return (
      <p className="muted">
        This browser has no WebGL, so the graph of {data.nodes.length} nodes cannot be drawn; the indicators
        and members below carry the same links.
      </p>
    );
  return (
    <div>
      <div className="graph-box">
        <SigmaContainer className="graph" graph={graph} settings={settings}>
          <Loader graph={graph} onReady={onReady} onAccount={onAccount} />
        </SigmaContainer>
      </div>
      <p className="legend">
        {kinds.map((k) => (
          <span key={k}>
            <span className="dot" style={{ background: KIND_COLORS[k] ?? '#888' }} /> {KIND_NAMES[k] ?? k}
          </span>
        ))}
        <span className="muted">
          {`${data.nodes.length.toLocaleString('en-US')} nodes, ${data.edges.length.toLocaleString('en-US')} links`}
          {drawn.perAccount !== null
            ? ` (${drawn.edges.length.toLocaleString('en-US')} drawn: each account's ${drawn.perAccount} least-shared artifacts, every artifact at least once)`
            : ''}
          {data.nodes.length > LABELS_MAX_NODES ? ' · labels on hover' : ''}
          {data.truncated > 0 ? ` · ${data.truncated} more shared artifacts left out` : ''}
          {' · artifacts shown: held by ≥ 2 members, mostly by members · click an account to open it'}
        </span>
      </p>
    </div>
  );
}
