/**
 * A campaign graph's layout job on the page's side: one web worker per campaign opened, started by
 * the campaign view once the rest of the page is on the screen, so that fetching, parsing (2–3 MB
 * of JSON for thousands of accounts), thinning and laying out the graph happen off the main thread.
 */
import { ApiFailure, enc } from '../api.js';
import type { LaidOutGraph } from './layout.js';
import type { FromWorker, ToWorker } from './layout.worker.js';

export interface GraphJob {
  readonly campaignId: string;
  /** The graph to draw first. */
  readonly laidOut: Promise<LaidOutGraph>;
  /** Call once the first picture is drawn: large graphs are refined (ForceAtlas2) only then. */
  drawn(): void;
  /** The refined positions (by node index), when they come; at once if they came already. */
  onRefined(f: (x: Float32Array, y: Float32Array) => void): () => void;
  stop(): void;
}

let current: GraphJob | null = null;

/** The job of this campaign: the one already started, or a new one (any other is stopped). */
export function graphJob(campaignId: string): GraphJob {
  if (current !== null && current.campaignId === campaignId) return current;
  current?.stop();
  current = startJob(campaignId);
  return current;
}

function startJob(campaignId: string): GraphJob {
  const worker = new Worker(new URL('./layout.worker.ts', import.meta.url), { type: 'module' });
  const send = (m: ToWorker) => worker.postMessage(m);
  let refined: { x: Float32Array; y: Float32Array } | null = null;
  const listeners = new Set<(x: Float32Array, y: Float32Array) => void>();
  let stopped = false;
  const job: GraphJob = {
    campaignId,
    laidOut: new Promise<LaidOutGraph>((resolve, reject) => {
      worker.onmessage = (e: MessageEvent<FromWorker>) => {
        const m = e.data;
        if (m.type === 'laidout') {
          resolve(m.graph);
          if (!m.graph.refining) worker.terminate();
        } else if (m.type === 'refined') {
          refined = { x: m.x, y: m.y };
          for (const f of listeners) f(m.x, m.y);
          worker.terminate();
        } else reject(new ApiFailure(m.status, m.code, m.message, m.issues));
      };
      worker.onerror = (e) => reject(new ApiFailure(0, 'worker', e.message || 'the graph worker failed'));
    }),
    drawn: () => {
      if (!stopped) send({ type: 'refine' });
    },
    onRefined(f) {
      if (refined !== null) f(refined.x, refined.y);
      else listeners.add(f);
      return () => {
        listeners.delete(f);
      };
    },
    stop() {
      stopped = true;
      listeners.clear();
      worker.terminate();
      if (current === job) current = null;
    },
  };
  job.laidOut.catch(() => undefined);
  send({ type: 'start', url: `/api/campaigns/${enc(campaignId)}/graph` });
  return job;
}
