/**
 * Load shapes of the gateway overhead benchmark, on undici (the same client the gateway uses
 * upstream, so the generator costs the same whichever target it drives):
 * - sequential: one connection, one request at a time (the latency a single caller adds up);
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

/** `n` requests one after the other on one connection; latencies in ms. */
export async function sequential(t: Target, body: string, n: number): Promise<number[]> {
  const c = new Client(t.origin, { pipelining: 1 });
  const lat: number[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      if (!(await once(c, t, body))) throw new Error(`${t.name}: non-200 answer`);
      lat.push(performance.now() - t0);
    }
  } finally {
    await c.close();
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
