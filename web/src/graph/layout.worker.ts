/**
 * The graph worker: fetches a campaign's graph (same origin, the session cookie goes with it),
 * parses it, thins and lays it out, and posts the page flat arrays to draw (layout.ts). For a large
 * graph it then waits for the page's word that the first picture is drawn (so it does not compete
 * with drawing it on a small machine) and runs ForceAtlas2 for FA2_WORKER_MS, then posts the new
 * positions once.
 */
import Graph from 'graphology';
import forceAtlas2 from 'graphology-layout-forceatlas2';
import type { ApiErrorBody, CampaignGraph } from '../../../src/server/api-types.js';
import {
  barycentricLayout,
  FA2_SYNC_ITERATIONS,
  FA2_SYNC_MAX_EDGES,
  FA2_WORKER_MS,
  type LaidOutGraph,
  laidOut,
  thinEdges,
} from './layout.js';

export type ToWorker = { type: 'start'; url: string } | { type: 'refine' };
export type FromWorker =
  | { type: 'laidout'; graph: LaidOutGraph }
  | { type: 'refined'; x: Float32Array; y: Float32Array }
  | {
      type: 'error';
      status: number;
      code: string;
      message: string;
      issues: { field: string; reason: string }[];
    };

const post = (m: FromWorker, transfer: Transferable[] = []) =>
  (self as unknown as { postMessage(m: FromWorker, t: Transferable[]): void }).postMessage(m, transfer);

function toGraphology(g: LaidOutGraph): Graph {
  const graph = new Graph({ type: 'undirected', multi: false });
  for (let i = 0; i < g.ids.length; i++)
    graph.addNode(String(i), { x: g.x[i] ?? 0, y: g.y[i] ?? 0, size: g.size[i] ?? 1 });
  for (let k = 0; k + 1 < g.edges.length; k += 2) {
    const a = String(g.edges[k]);
    const b = String(g.edges[k + 1]);
    if (!graph.hasEdge(a, b)) graph.addEdge(a, b);
  }
  return graph;
}

function fa2Settings(graph: Graph) {
  // Strong gravity keeps accounts that share nothing in view instead of at the far edge.
  return { ...forceAtlas2.inferSettings(graph), adjustSizes: false, strongGravityMode: true, gravity: 0.5 };
}

function positions(graph: Graph, n: number): { x: Float32Array; y: Float32Array } {
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  graph.forEachNode((id, a) => {
    x[Number(id)] = a.x as number;
    y[Number(id)] = a.y as number;
  });
  return { x, y };
}

let pending: Graph | null = null;

async function start(url: string): Promise<void> {
  const res = await fetch(url, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
  if (!res.ok) {
    let err: ApiErrorBody['error'] = { code: 'http_error', message: `${res.status} ${res.statusText}` };
    try {
      err = ((await res.json()) as ApiErrorBody).error;
    } catch {
      // not JSON: keep the status line
    }
    post({
      type: 'error',
      status: res.status,
      code: err.code,
      message: err.message,
      issues: err.issues ?? [],
    });
    return;
  }
  const g = (await res.json()) as CampaignGraph;
  const drawn = thinEdges(g);
  const large = drawn.edges.length > FA2_SYNC_MAX_EDGES;
  let out = laidOut(g, drawn.edges, barycentricLayout(g.nodes, drawn.edges), drawn.perAccount, large);
  const graph = toGraphology(out);
  if (!large && graph.size > 0) {
    forceAtlas2.assign(graph, { iterations: FA2_SYNC_ITERATIONS, settings: fa2Settings(graph) });
    out = { ...out, ...positions(graph, out.ids.length) };
  }
  post({ type: 'laidout', graph: out }, [out.x.buffer, out.y.buffer, out.size.buffer, out.edges.buffer]);
  if (large) pending = graph;
}

function refine(): void {
  const graph = pending;
  pending = null;
  if (graph === null) return;
  const settings = fa2Settings(graph);
  const until = performance.now() + FA2_WORKER_MS;
  while (performance.now() < until) forceAtlas2.assign(graph, { iterations: 5, settings });
  const p = positions(graph, graph.order);
  post({ type: 'refined', ...p }, [p.x.buffer, p.y.buffer]);
}

self.onmessage = (e: MessageEvent<ToWorker>) => {
  if (e.data.type === 'start')
    start(e.data.url).catch((err: unknown) =>
      post({ type: 'error', status: 0, code: 'network', message: String(err), issues: [] }),
    );
  else refine();
};
