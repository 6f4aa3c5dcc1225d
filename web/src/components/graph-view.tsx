/**
 * The account–artifact graph of a campaign, drawn by sigma.js (WebGL) over a graphology graph. The
 * graph is fetched, thinned and laid out in a web worker (graph/layout.ts, graph/job.ts); here it
 * is only drawn, once the rest of the page is on the screen (`go`), in steps run as tasks of
 * background priority so that whatever the person does meanwhile (a click, typing a reason) is
 * handled first and waits at most for one of them:
 *   1. sigma's canvases, WebGL contexts and programs, in a box not yet shown, with a frame of a
 *      two-node warm-up graph sent to the GPU and a fence after it;
 *   2. the graphology graph, from the worker's flat arrays;
 *   3. a wait that holds nothing while software WebGL compiles the shaders for the warm-up frame
 *      (polling the fence): without a GPU that compilation is most of a first frame's cost
 *      (~0.4 s at load ~6 for two nodes, against ~0.05 s for the next frame), and it would
 *      otherwise be paid inside the frame that shows the graph, holding the page;
 *   4. sigma's first frame of the graph, shown; drawn means composited (two frames later).
 * Links are drawn as 1-pixel lines: the default rectangles with anti-aliased edges cost several
 * seconds per frame at tens of thousands of links in software WebGL (headless chromium); nodes of
 * large graphs as point sprites (NodePointProgram), which cost a third of sigma's triangles. Labels
 * are drawn only on hover beyond LABELS_MAX_NODES nodes (past a few thousand nodes the full
 * picture is a hairball to a person), and beyond HIDE_EDGES_MIN drawn links the links are hidden
 * while the camera moves, so that panning and zooming stay fluid without a GPU. ForceAtlas2
 * refines large graphs in the worker after the first frame; the picture is updated once with it.
 */
import Graph from 'graphology';
import { useEffect, useRef, useState } from 'react';
import Sigma from 'sigma';
import { EdgeLineProgram, NodeCircleProgram, NodePointProgram } from 'sigma/rendering';
import type { GraphJob } from '../graph/job.js';
import { KIND_COLORS, KIND_NAMES, type LaidOutGraph } from '../graph/layout.js';

/** Labels drawn (not only on hover) up to this many nodes. */
const LABELS_MAX_NODES = 2_000;
/** Longest wait for the warm-up frame before drawing the graph anyway. */
const WARM_MAX_MS = 1_500;
/** Links hidden while the camera moves beyond this many drawn links. */
const HIDE_EDGES_MIN = 5_000;

interface NodeAttrs {
  type: 'circle' | 'point';
  x: number;
  y: number;
  size: number;
  color: string;
  label: string;
  kind: string;
  /** Index in the worker's arrays (for the refined positions). */
  i: number;
}

/**
 * Resolves in a task of background priority: after input, rendering and every other pending task
 * (scheduler.postTask where the browser has it, else a new task).
 */
function backgroundTask(): Promise<void> {
  const s = (
    globalThis as {
      scheduler?: { postTask?: (f: () => void, o: { priority: string }) => Promise<void> };
    }
  ).scheduler;
  if (s?.postTask !== undefined) return s.postTask(() => undefined, { priority: 'background' });
  return new Promise((resolve) => setTimeout(resolve, 0));
}

const nextFrame = () => new Promise<void>((resolve) => requestAnimationFrame(() => resolve()));

function toGraphology(g: LaidOutGraph): Graph<NodeAttrs> {
  const graph = new Graph<NodeAttrs>({ type: 'undirected', multi: false });
  // Large graphs: nodes as point sprites (one vertex each, a square of fragments) rather than
  // triangles around a disc: the same antialiased discs at a third of the first frame's cost in
  // software WebGL (0.35 against 0.8 s for 5,000 nodes and 10,000 links at load ~4).
  const type = g.nodeCount > LABELS_MAX_NODES ? 'point' : 'circle';
  for (let i = 0; i < g.ids.length; i++) {
    const kind = g.kinds[i] ?? 'account';
    graph.addNode(g.ids[i], {
      type,
      x: g.x[i] ?? 0,
      y: g.y[i] ?? 0,
      size: g.size[i] ?? 1,
      color: KIND_COLORS[kind] ?? '#888',
      label: g.labels[i] ?? '',
      kind,
      i,
    });
  }
  for (let k = 0; k + 1 < g.edges.length; k += 2) {
    const a = g.ids[g.edges[k] ?? 0];
    const b = g.ids[g.edges[k + 1] ?? 0];
    if (a !== undefined && b !== undefined) graph.addEdge(a, b);
  }
  return graph;
}

const measure = (name: string, start: string) => performance.measure(`dg:${name}`, start);

interface Renderer {
  /** The box sigma draws in (shown once the graph is in). */
  el: HTMLDivElement;
  sigma: Sigma<NodeAttrs>;
  /** Resolves once the GPU has drawn the warm-up frame (shaders compiled), or after maxMs. */
  warmed(maxMs: number): Promise<void>;
}

/** Resolves when every fence is signalled (polled between tasks: it never blocks), or after maxMs. */
function fencesDone(fences: readonly { gl: WebGL2RenderingContext; sync: WebGLSync }[], maxMs: number) {
  const until = performance.now() + maxMs;
  return new Promise<void>((resolve) => {
    const check = () => {
      const done = fences.every((f) => f.gl.getSyncParameter(f.sync, f.gl.SYNC_STATUS) === f.gl.SIGNALED);
      if (done || performance.now() > until) {
        for (const f of fences) f.gl.deleteSync(f.sync);
        resolve();
      } else setTimeout(check, 16);
    };
    setTimeout(check, 16);
  });
}

function createRenderer(): Renderer {
  performance.mark('dg:setup:start');
  const el = document.createElement('div');
  el.className = 'graph';
  const warm = new Graph<NodeAttrs>();
  for (const [id, type, x] of [
    ['c', 'circle', 0],
    ['p', 'point', 1],
  ] as const)
    warm.addNode(id, { type, x, y: x, size: 3, color: '#d1495b', label: '', kind: 'account', i: 0 });
  warm.addEdge('c', 'p');
  const sigma = new Sigma<NodeAttrs>(warm, el, {
    renderEdgeLabels: false,
    renderLabels: false,
    labelRenderedSizeThreshold: 9,
    defaultEdgeColor: '#ccd3db',
    defaultEdgeType: 'line',
    defaultNodeType: 'circle',
    nodeProgramClasses: { circle: NodeCircleProgram, point: NodePointProgram },
    edgeProgramClasses: { line: EdgeLineProgram },
    // The box is 0×0 until it is shown (and for a moment when the view unmounts and a resize
    // arrives late): nothing to draw then, not an error.
    allowInvalidContainer: true,
  });
  // The warm-up frame, to the GPU now (a canvas off the page is not composited, so nothing else
  // would send it), with a fence to know when it has been drawn (WebGL 2; without it, no wait).
  const fences: { gl: WebGL2RenderingContext; sync: WebGLSync }[] = [];
  for (const c of Object.values(sigma.getCanvases())) {
    const gl2 = c.getContext('webgl2');
    const sync = gl2?.fenceSync(gl2.SYNC_GPU_COMMANDS_COMPLETE, 0) ?? null;
    if (gl2 !== null && sync !== null) fences.push({ gl: gl2, sync });
    (gl2 ?? c.getContext('webgl'))?.flush();
  }
  measure('setup', 'dg:setup:start');
  return { el, sigma, warmed: (maxMs) => fencesDone(fences, maxMs) };
}

export function GraphView({
  job,
  graph,
  go,
  onReady,
  onAccount,
}: {
  job: GraphJob;
  /** The laid-out graph, once the worker has sent it. */
  graph: LaidOutGraph | null;
  /** The rest of the page is on the screen: draw. */
  go: boolean;
  onReady: () => void;
  onAccount: (id: string) => void;
}) {
  const box = useRef<HTMLDivElement>(null);
  const [drawn, setDrawn] = useState(false);
  const [failed, setFailed] = useState<string | null>(null);
  const callbacks = useRef({ onReady, onAccount });
  callbacks.current = { onReady, onAccount };

  useEffect(() => {
    const outer = box.current;
    if (outer === null || graph === null || !go) return;
    let live = true;
    let renderer: Renderer | null = null;
    let unsubscribe: () => void = () => undefined;
    (async () => {
      performance.mark('dg:graph:start');
      await backgroundTask();
      if (!live) return;
      const r = createRenderer();
      renderer = r;
      r.el.style.display = 'none';
      outer.appendChild(r.el);
      r.sigma.on('clickNode', (e) => {
        if (e.node.startsWith('a:')) callbacks.current.onAccount(e.node.slice(2));
      });
      await backgroundTask();
      if (!live) return;
      performance.mark('dg:build:start');
      const g = toGraphology(graph);
      r.sigma.setSetting('renderLabels', graph.nodeCount <= LABELS_MAX_NODES);
      r.sigma.setSetting('hideEdgesOnMove', graph.edges.length / 2 > HIDE_EDGES_MIN);
      measure('build', 'dg:build:start');
      // The page stays free while software WebGL compiles the shaders for the warm-up frame.
      performance.mark('dg:warm:start');
      await r.warmed(WARM_MAX_MS);
      measure('warm', 'dg:warm:start');
      await backgroundTask();
      if (!live) return;
      performance.mark('dg:sigma:start');
      r.el.style.display = '';
      r.sigma.setGraph(g);
      measure('sigma', 'dg:sigma:start');
      // Drawn means on the screen: the frame after the next has begun, so the one with the graph
      // has been composited (without a GPU, compositing waits for the software WebGL to finish
      // drawing it: most of the cost of a first frame is paid there, not in setGraph).
      await nextFrame();
      await nextFrame();
      if (!live) return;
      measure('frame', 'dg:sigma:start');
      // For the benchmark (bench/perf/serve.ts): the graph's first frame is on the screen.
      performance.mark('dg:graph:drawn');
      setDrawn(true);
      callbacks.current.onReady();
      job.drawn();
      unsubscribe = job.onRefined((x, y) =>
        g.updateEachNodeAttributes((_id, a) => ({ ...a, x: x[a.i] ?? a.x, y: y[a.i] ?? a.y })),
      );
    })().catch((e: unknown) => {
      // No WebGL (or a context the browser refused).
      if (!live) return;
      setFailed(e instanceof Error ? e.message : String(e));
      callbacks.current.onReady();
    });
    return () => {
      live = false;
      unsubscribe();
      renderer?.sigma.kill();
      renderer?.el.remove();
    };
  }, [graph, go, job]);

  return (
    <div>
      {failed !== null && (
        <p className="muted">
          The graph could not be drawn in this browser ({failed}); the indicators and members below carry the
          same links.
        </p>
      )}
      <div className="graph-box" ref={box} hidden={failed !== null}>
        {!drawn && failed === null && <p className="muted graph-pending">Drawing the graph…</p>}
      </div>
      {graph !== null && <Legend graph={graph} />}
    </div>
  );
}

function Legend({ graph }: { graph: LaidOutGraph }) {
  const kinds = [...new Set(graph.kinds)];
  const drawnLinks = graph.edges.length / 2;
  return (
    <p className="legend">
      {kinds.map((k) => (
        <span key={k}>
          <span className="dot" style={{ background: KIND_COLORS[k] ?? '#888' }} /> {KIND_NAMES[k] ?? k}
        </span>
      ))}
      <span className="muted">
        {`${graph.nodeCount.toLocaleString('en-US')} nodes, ${graph.edgeCount.toLocaleString('en-US')} links`}
        {graph.perAccount !== null
          ? ` (${drawnLinks.toLocaleString('en-US')} drawn: each account's ${graph.perAccount} least-shared artifacts, every artifact at least once)`
          : ''}
        {graph.nodeCount > LABELS_MAX_NODES ? ' · labels on hover' : ''}
        {graph.truncated > 0 ? ` · ${graph.truncated} more shared artifacts left out` : ''}
        {' · artifacts shown: held by ≥ 2 members, mostly by members · click an account to open it'}
      </span>
    </p>
  );
}
