/**
 * A generator thread: builds the scenario (the same actors as every thread), runs its shard of
 * them (encode.ts `ShardRun`) and posts chunks of lines to the main thread, which merges them and
 * hands each chunk back for reuse. At most `CHUNKS_IN_FLIGHT` chunks are out at once (bounded
 * memory; a fresh buffer per chunk would cost page faults). Messages:
 * in  `{ data, meta }` a chunk handed back;
 * out `{ kind: 'chunk', data, meta, n }`, then `{ kind: 'done', counts, harvest }` (`counts`:
 * exchanges per account, in build order).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type Chunk, newChunk, ShardRun } from './encode.js';
import { type BuildOptions, prepare } from './prepare.js';

export interface ShardWorkerData {
  build: BuildOptions;
  shard: number;
  /** Share of the actors in shard 0 (encode.ts `shardOf`). */
  split: number;
}

/** Chunks a generator may have out (being merged or queued) before it waits. */
const CHUNKS_IN_FLIGHT = 8;

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('shard-worker: not in a worker thread');
  const { build, shard, split } = workerData as ShardWorkerData;
  const prep = prepare(build);
  const run = new ShardRun(prep, shard, split);
  const free: Chunk[] = [];
  for (let i = 0; i < CHUNKS_IN_FLIGHT; i++) free.push(newChunk());
  let wake: (() => void) | null = null;
  port.on('message', (m: { data: ArrayBuffer; meta: ArrayBuffer }) => {
    free.push({ data: Buffer.from(m.data), meta: new Float64Array(m.meta), n: 0 });
    const w = wake;
    wake = null;
    w?.();
  });
  while (!run.done) {
    while (free.length === 0) {
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
    const c = free.pop() as Chunk;
    run.fill(c);
    const data = c.data.buffer as ArrayBuffer;
    const meta = c.meta.buffer as ArrayBuffer;
    port.postMessage({ kind: 'chunk', data, meta, n: c.n }, [data, meta]);
  }
  const counts = Float64Array.from(prep.accounts, (a) => a.exchanges);
  port.postMessage({ kind: 'done', counts, harvest: run.harvest }, [counts.buffer]);
  port.close();
}

await main();
