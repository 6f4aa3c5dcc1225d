/**
 * `simulate(options)`: builds a scenario's accounts and actors, writes releases, accounts and
 * labels, then streams exchanges in time order through a heap of actors (engine.ts): on this
 * thread alone, or with a worker thread running a share of the actors (shard-worker.ts) whose
 * time-ordered lines this thread merges with its own, numbering request ids in the merged order.
 * Both give the same bytes.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { JsonlWriter } from '../src/formats/index.js';
import { ARCHETYPES } from './archetypes.js';
import { type Chunk, ExchangeEncoder, META, newChunk, resetOut, ShardRun, shardOf } from './encode.js';
import { ActorHeap, type ExchangeStats, Out, RequestIds, type SimAccount, stats } from './engine.js';
import { checkOptions, type Prepared, prepare, scaledCount } from './prepare.js';
import type { ShardWorkerData } from './shard-worker.js';

export { SimulateError, type SimulateErrorCode, scaledCount } from './prepare.js';

export interface SimulateOptions {
  scenario: string;
  seed: number;
  /** Output directory (created when missing). */
  out: string;
  /** Multiplies every archetype's count (accounts and volume), default 1. */
  scale?: number;
  /** Write `.jsonl.gz` instead of `.jsonl`. */
  gzip?: boolean;
  /** Called every `progressEvery` exchanges and at the end. */
  onProgress?: (p: ProgressInfo) => void;
  progressEvery?: number;
  /**
   * Threads generating traffic: 1, or 2 (this thread runs ~42% of the actors and merges, a worker
   * thread the rest). Default: 2 on 4 cores or more when the run is large enough to pay for
   * starting the worker (which loads the pools and builds every actor again), else 1. The bytes
   * do not depend on it. Where the worker script cannot run (the TypeScript sources under vitest)
   * both shards run in turn on this thread.
   */
  threads?: number;
}

export interface ProgressInfo {
  /** Share of the simulated period done, 0..1. */
  fraction: number;
  exchanges: number;
  /** Simulated time reached (epoch ms). */
  simTime: number;
}

export interface ArchetypeSummary {
  archetype: string;
  label: 'legit' | 'attack';
  accounts: number;
  exchanges: number;
}

export interface SimulateSummary {
  scenario: string;
  seed: number;
  scale: number;
  gzip: boolean;
  privacy: boolean;
  period: { start: string; end: string };
  files: string[];
  accounts: number;
  exchanges: number;
  attackAccounts: number;
  attackExchanges: number;
  /** Exchanges flagged `harvest: true` (reseller accounts mixing harvest and resold traffic). */
  harvestExchanges: number;
  archetypes: ArchetypeSummary[];
  seconds: number;
  exchangesPerSecond: number;
}

/** The exchanges writer's buffer. Small enough to stay in the CPU cache while lines are encoded
 * into it (buffers are recycled once written): 256 KiB measured ~15% faster than 4 MiB. */
const EXCHANGE_BUFFER_BYTES = 256 << 10;
/** Bytes the exchanges writer lets the file system (or zlib) lag behind before the loop waits
 * (it resumes at half): enough to ride out the file system's stalls when other processes share
 * the cores. Every buffer in flight was once a fresh one (page faults), so not more: 8 MiB
 * measured at least as fast as 32 MiB. */
const EXCHANGE_HIGH_WATER_MARK = 8 << 20;
/** Below this many units (accounts, apps, slots… at the run's scale) the default is one thread:
 * starting generator threads (each loads the pools and builds every actor) would cost more than
 * it saves. */
const MIN_UNITS_FOR_THREADS = 2000;
/** Two generating threads plus the file system's thread oversubscribe a 2-core machine: measured
 * there under other jobs' load (load average 3–6), 2 threads cost ~25% more CPU per exchange and
 * ran 0.75–0.95× as fast as 1, and 1.2× as fast only when the cores were nearly free. So the
 * default uses them from 4 cores on; `threads: 2` asks for them anywhere. */
const MIN_CORES_FOR_THREADS = 4;
/** Share of the actors this thread generates itself when it works beside one generator thread:
 * less than half, since it also merges and hands the output to the file system. */
const MAIN_SPLIT = 0.42;
const WORKER_URL = new URL('./shard-worker.js', import.meta.url);

/** The compiled worker script exists (not when running the TypeScript sources). */
function workerAvailable(): boolean {
  return import.meta.url.endsWith('.js') && existsSync(fileURLToPath(WORKER_URL));
}

export async function simulate(options: SimulateOptions): Promise<SimulateSummary> {
  const t0 = performance.now();
  const checked = checkOptions(options);
  let units = 0;
  for (const n of Object.values(checked.scenario.counts)) units += scaledCount(n, checked.scale);
  const auto =
    workerAvailable() && availableParallelism() >= MIN_CORES_FOR_THREADS && units >= MIN_UNITS_FOR_THREADS;
  const threads = (options.threads ?? (auto ? 2 : 1)) > 1 ? 2 : 1;
  // The generator thread starts first: it builds the scenario while this thread builds it too.
  const worker =
    threads > 1 && workerAvailable()
      ? new WorkerStream({
          build: { scenario: options.scenario, seed: options.seed, scale: checked.scale },
          shard: 1,
          split: MAIN_SPLIT,
        })
      : null;
  try {
    return await run(options, t0, threads, worker);
  } finally {
    await worker?.close();
  }
}

async function run(
  options: SimulateOptions,
  t0: number,
  threads: number,
  worker: WorkerStream | null,
): Promise<SimulateSummary> {
  const prep = prepare(options);
  const { scenario, scale, privacy, period, releases, accounts } = prep;
  const gzip = options.gzip ?? false;

  await mkdir(options.out, { recursive: true });
  const ext = gzip ? '.jsonl.gz' : '.jsonl';
  const file = (name: string) => join(options.out, name + ext);
  const files = [file('exchanges'), file('accounts'), file('releases'), file('labels')];

  const rel = new JsonlWriter(file('releases'), { gzip });
  for (const r of releases.list)
    rel.write({ model: r.model, released_at: new Date(r.releasedAt).toISOString() });
  await rel.close();

  const sorted = accounts.slice();
  sorted.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  const acc = new JsonlWriter(file('accounts'), { gzip });
  const lab = new JsonlWriter(file('labels'), { gzip });
  for (const a of sorted) {
    const rec: Record<string, unknown> = {
      account_id: a.id,
      created_at: new Date(a.createdAt).toISOString(),
      pathway: a.pathway,
      country: a.country,
      email_domain: a.emailDomain,
      payment_fingerprint: a.payment,
      verified: a.verified,
    };
    if (a.orgName !== undefined) rec.org_name = a.orgName;
    if (a.trust !== undefined) rec.trust = a.trust;
    if (!acc.write(rec)) await acc.drain();
    if (!lab.write({ account_id: a.id, label: a.label, campaign_id: a.campaign, archetype: a.archetype }))
      await lab.drain();
  }
  await acc.close();
  await lab.close();

  // ---- exchanges, in time order ----
  const ex = new JsonlWriter(file('exchanges'), {
    gzip,
    bufferBytes: EXCHANGE_BUFFER_BYTES,
    highWaterMark: EXCHANGE_HIGH_WATER_MARK,
  });
  const ridRng = prep.root.fork('request-ids');
  const rids = new RequestIds(ridRng.u32(), ridRng.u32());
  // This thread runs every actor, or shard 0 beside a generator thread running shard 1 (on this
  // thread too, in turn, where the worker script cannot run).
  const split = threads > 1 ? MAIN_SPLIT : 1;
  const other: ShardStream | null =
    threads <= 1 ? null : (worker ?? new InlineStream(new ShardRun(prep, 1, split)));
  const done = await generate(prep, split, other, ex, rids, options);
  await ex.close();
  const count = done.count;
  options.onProgress?.({ fraction: 1, exchanges: count, simTime: period.end });

  const byArch = new Map<string, ArchetypeSummary>();
  let attackAccounts = 0;
  let attackExchanges = 0;
  for (const a of accounts) {
    let s = byArch.get(a.archetype);
    if (!s) {
      s = { archetype: a.archetype, label: a.label, accounts: 0, exchanges: 0 };
      byArch.set(a.archetype, s);
    }
    s.accounts++;
    s.exchanges += a.exchanges;
    if (a.label === 'attack') {
      attackAccounts++;
      attackExchanges += a.exchanges;
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  return {
    scenario: scenario.name,
    seed: options.seed,
    scale,
    gzip,
    privacy,
    period: { start: new Date(period.start).toISOString(), end: new Date(period.end).toISOString() },
    files,
    accounts: accounts.length,
    exchanges: count,
    attackAccounts,
    attackExchanges,
    harvestExchanges: done.harvest,
    archetypes: ARCHETYPES.map((x) => byArch.get(x.name)).filter(
      (x): x is ArchetypeSummary => x !== undefined,
    ),
    seconds,
    exchangesPerSecond: count / seconds,
  };
}

/**
 * Runs this thread's actors (all of them, or shard 0 when `split` < 1) and writes their lines
 * straight into the writer, merging in the other shard's lines by (time, actor index), the order
 * of the single-thread heap. Request ids are numbered in that merged order.
 */
async function generate(
  prep: Prepared,
  split: number,
  other: ShardStream | null,
  ex: JsonlWriter,
  rids: RequestIds,
  options: SimulateOptions,
): Promise<{ count: number; harvest: number }> {
  const { period } = prep;
  const end = period.end;
  const span = period.end - period.start;
  const heap = new ActorHeap();
  for (const a of prep.actors) if (split >= 1 || shardOf(a.idx, split) === 0) heap.push(a);
  const o = new Out();
  const st: ExchangeStats = { inputTokens: 0, outputTokens: 0, status: 200, latencyMs: 0 };
  const enc = new ExchangeEncoder(prep.privacy);
  const onProgress = options.onProgress;
  const every = onProgress ? (options.progressEvery ?? 65_536) : 0;
  let count = 0;
  let harvest = 0;
  // the other shard's current chunk, its next line and where that line starts
  let c: Chunk | null = other === null ? null : await nextChunk(other);
  let i = 0;
  let start = 0;
  for (;;) {
    const a = heap.peek();
    const own = a !== undefined && a.next < end;
    if (c !== null) {
      // copy the other shard's lines that come before this thread's next one
      const at = own ? a.next : Number.POSITIVE_INFINITY;
      const ai = own ? a.idx : 0;
      const meta = c.meta;
      const data = c.data;
      const n = c.n;
      while (i < n) {
        const m = i * META;
        const t = meta[m] as number;
        if (t > at || (t === at && (meta[m + 1] as number) > ai)) break;
        const e = meta[m + 2] as number;
        const len = e - start;
        const buf = ex.room(len);
        const p = ex.offset;
        buf.set(data.subarray(start, e - 1), p);
        rids.writeNext(buf, p + (meta[m + 3] as number) - start);
        start = e;
        i++;
        count++;
        if (every !== 0 && count % every === 0)
          onProgress?.({ fraction: (t - period.start) / span, exchanges: count, simTime: t });
        if (!ex.endLine(p + len - 1)) await ex.drain();
      }
      if (i >= n) {
        (other as ShardStream).release(c);
        c = await nextChunk(other as ShardStream);
        i = 0;
        start = 0;
        continue;
      }
    }
    if (!own) break;
    const t = a.next;
    resetOut(o);
    a.fill(o);
    stats(a.rng, o, st);
    a.advance();
    heap.fixTop();
    o.account.exchanges++;
    if (o.harvest === true) harvest++;
    count++;
    const buf = ex.room(enc.measure(t, o));
    const p = enc.write(buf, ex.offset, t, o, st, rids);
    if (every !== 0 && count % every === 0)
      onProgress?.({ fraction: (t - period.start) / span, exchanges: count, simTime: t });
    if (!ex.endLine(p)) await ex.drain();
  }
  if (other !== null) harvest += other.finish(prep.accounts);
  return { count, harvest };
}

/** The next chunk with lines, or null at the shard's end. */
async function nextChunk(s: ShardStream): Promise<Chunk | null> {
  for (;;) {
    const x = s.next();
    const c = x instanceof Promise ? await x : x;
    if (c === null || c.n > 0) return c;
    s.release(c);
  }
}

/** A shard's chunks, in order. */
interface ShardStream {
  /** The next chunk, or null when the shard has no more. */
  next(): Chunk | null | Promise<Chunk | null>;
  /** Gives a merged chunk back for reuse. */
  release(c: Chunk): void;
  /** Once done: adds the exchanges of the shard's accounts to `accounts` (build order) and
   * returns its harvest-flagged exchanges. */
  finish(accounts: SimAccount[]): number;
}

/** A shard run on this thread, a chunk at a time (where the worker script cannot run). */
class InlineStream implements ShardStream {
  private readonly spare: Chunk[] = [];
  constructor(private readonly run: ShardRun) {}
  next(): Chunk | null {
    if (this.run.done) return null;
    const c = this.spare.pop() ?? newChunk();
    this.run.fill(c);
    return c;
  }
  release(c: Chunk): void {
    this.spare.push(c);
  }
  /** Its actors share this thread's account objects: the counts are already there. */
  finish(): number {
    return this.run.harvest;
  }
}

type FromWorker =
  | { kind: 'chunk'; data: ArrayBuffer; meta: ArrayBuffer; n: number }
  | { kind: 'done'; counts: Float64Array; harvest: number };

/** A shard run by a generator thread (shard-worker.ts). */
class WorkerStream implements ShardStream {
  private readonly worker: Worker;
  private readonly queue: Chunk[] = [];
  private ended: { counts: Float64Array; harvest: number } | null = null;
  private failure: Error | null = null;
  private waiter: (() => void) | null = null;
  private closed = false;
  private exited = false;

  constructor(data: ShardWorkerData) {
    this.worker = new Worker(WORKER_URL, { workerData: data });
    this.worker.on('message', (m: FromWorker) => {
      if (m.kind === 'chunk')
        this.queue.push({ data: Buffer.from(m.data), meta: new Float64Array(m.meta), n: m.n });
      else this.ended = { counts: m.counts, harvest: m.harvest };
      this.wake();
    });
    this.worker.on('error', (e) => {
      this.failure ??= e;
      this.wake();
    });
    this.worker.on('exit', (code) => {
      this.exited = true;
      if (code !== 0 && !this.closed)
        this.failure ??= new Error(`simulate: a generator thread exited with code ${code}`);
      this.wake();
    });
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  next(): Chunk | null | Promise<Chunk | null> {
    const c = this.queue.shift();
    if (c !== undefined) return c;
    return this.wait();
  }

  private async wait(): Promise<Chunk | null> {
    for (;;) {
      const c = this.queue.shift();
      if (c !== undefined) return c;
      if (this.failure) throw this.failure;
      if (this.ended !== null) return null;
      if (this.exited) throw new Error('simulate: a generator thread stopped before its end');
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
      });
    }
  }

  release(c: Chunk): void {
    const data = c.data.buffer as ArrayBuffer;
    const meta = c.meta.buffer as ArrayBuffer;
    this.worker.postMessage({ data, meta }, [data, meta]);
  }

  finish(accounts: SimAccount[]): number {
    const end = this.ended;
    if (end === null) throw new Error('simulate: a generator thread did not finish');
    if (end.counts.length !== accounts.length)
      throw new Error('simulate: a generator thread built different accounts');
    accounts.forEach((a, i) => {
      a.exchanges += end.counts[i] as number;
    });
    return end.harvest;
  }

  /** Stops the thread (idempotent). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.worker.terminate();
  }
}
