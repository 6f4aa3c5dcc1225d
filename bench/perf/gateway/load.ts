/**
 * Load shapes of the gateway overhead benchmark, on undici (the same client the gateway uses
 * upstream, so the generator costs the same whichever target it drives):
 * - sequential: one connection per target, one request at a time (the latency a single caller
 *   adds up), targets interleaved in short blocks;
 * - fixed rate: an open loop that sends on schedule whatever the answers do, latency measured from
 *   the scheduled send time (so a stalled server is not hidden: "coordinated omission", G. Tene,
 *   "How NOT to Measure Latency", 2015);
 * - closed loop: `c` callers each sending as soon as their previous answer is complete.
 * A response counts when its body has been read to the end (the last byte of a stream).
 */
import { Client, Pool } from 'undici';

export interface Target {
  name: string;
  origin: string;
  path: string;
  headers: Record<string, string>;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? Number.NaN;
}

export interface Stats {
  n: number;
  errors: number;
  p50: number;
  p99: number;
  rps: number;
}

function stats(lat: number[], errors: number, seconds: number): Stats {
  lat.sort((a, b) => a - b);
  return {
    n: lat.length,
    errors,
    p50: percentile(lat, 50),
    p99: percentile(lat, 99),
    rps: lat.length / seconds,
  };
}

async function once(d: Client | Pool, t: Target, body: string): Promise<boolean> {
  const r = await d.request({ path: t.path, method: 'POST', headers: t.headers, body });
  await r.body.arrayBuffer();
  return r.statusCode === 200;
}

/**
 * Sequential latency of several targets measured side by side: one persistent connection per
 * target (opened, and the target warmed, before the clock starts), then `rounds` rounds in which
 * each target in turn gets `block` requests, the order of targets rotating from round to round.
 * Short blocks finely interleaved put every target under the same drift of a shared machine
 * (another job starting, a CPU's frequency changing) rather than one target's whole run.
 * Latencies in ms per target name.
 */
export async function sequentialInterleaved(
  targets: readonly Target[],
  body: string,
  opts: { warmup: number; rounds: number; block: number },
): Promise<Record<string, number[]>> {
  const clients = targets.map((t) => new Client(t.origin, { pipelining: 1 }));
  const lat: Record<string, number[]> = {};
  try {
    for (const [i, t] of targets.entries()) {
      lat[t.name] = [];
      const c = clients[i] as Client;
      for (let k = 0; k < opts.warmup; k++)
        if (!(await once(c, t, body))) throw new Error(`${t.name}: non-200 answer`);
    }
    for (let r = 0; r < opts.rounds; r++)
      for (let j = 0; j < targets.length; j++) {
        const i = (r + j) % targets.length;
        const t = targets[i] as Target;
        const c = clients[i] as Client;
        const out = lat[t.name] as number[];
        for (let k = 0; k < opts.block; k++) {
          const t0 = performance.now();
          if (!(await once(c, t, body))) throw new Error(`${t.name}: non-200 answer`);
          out.push(performance.now() - t0);
        }
      }
  } finally {
    await Promise.all(clients.map((c) => c.close()));
  }
  return lat;
}

/** In-flight requests beyond this mean the target cannot keep up with the rate: the rest of the
 * run is counted as errors rather than piling up sockets. */
const MAX_IN_FLIGHT = 1_000;
/** Connections opened (by one request each) before a fixed-rate run is timed. */
const WARM_CONNECTIONS = 32;

export async function fixedRate(t: Target, body: string, rps: number, seconds: number): Promise<Stats> {
  const pool = new Pool(t.origin, { connections: 256, pipelining: 1 });
  // Open connections before the clock starts, as a long-running client would have them.
  await Promise.all(Array.from({ length: WARM_CONNECTIONS }, () => once(pool, t, body).catch(() => false)));
  const total = Math.round(rps * seconds);
  const lat: number[] = [];
  let errors = 0;
  let inFlight = 0;
  const start = performance.now();
  const pending: Promise<void>[] = [];
  let sent = 0;
  await new Promise<void>((resolve) => {
    // Sleeps until the next send is due (timers fire within ~1 ms; a late tick sends everything
    // due, and the lateness counts in the latency); spinning on setImmediate instead would burn a
    // core the servers need.
    const tick = () => {
      const now = performance.now();
      while (sent < total && start + (sent * 1000) / rps <= now) {
        const due = start + (sent * 1000) / rps;
        sent++;
        if (inFlight >= MAX_IN_FLIGHT) {
          errors++;
          continue;
        }
        inFlight++;
        pending.push(
          once(pool, t, body).then(
            (ok) => {
              inFlight--;
              if (ok) lat.push(performance.now() - due);
              else errors++;
            },
            () => {
              inFlight--;
              errors++;
            },
          ),
        );
      }
      if (sent >= total) resolve();
      else setTimeout(tick, Math.max(0, start + (sent * 1000) / rps - performance.now()));
    };
    tick();
  });
  await Promise.all(pending);
  const elapsed = (performance.now() - start) / 1000;
  await pool.close();
  return stats(lat, errors, elapsed);
}

export async function closedLoop(
  t: Target,
  body: string,
  concurrency: number,
  seconds: number,
): Promise<Stats> {
  const pool = new Pool(t.origin, { connections: concurrency, pipelining: 1 });
  const lat: number[] = [];
  let errors = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const t0 = performance.now();
        try {
          if (await once(pool, t, body)) lat.push(performance.now() - t0);
          else errors++;
        } catch {
          errors++;
        }
      }
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  await pool.close();
  return stats(lat, errors, elapsed);
}
