/**
 * The StateStore port (docs/architecture.md): what several gateway replicas must share —
 * token buckets and the verdict updates pushed to any one of them. Adapters: memory (one process;
 * handles on one MemoryBackend share it) and Redis (redis-state.ts). Both pass the contract suite
 * in test-support/state-contract.ts.
 *
 * Token bucket (the classic leaky/token bucket of traffic shaping, e.g. RFC 2697's committed
 * burst): `burst` tokens at most, refilled at `ratePerSec`; a request takes one. Time is passed in
 * by the caller (an injected clock), so tests are deterministic and replicas agree as long as
 * their clocks do (a bucket never moves backwards in time: an earlier `now` refills nothing).
 */
import type { VerdictUpdate } from './verdict-book.js';

export interface BucketLimits {
  /** Tokens added per second. */
  ratePerSec: number;
  /** Bucket size: requests that may pass at once after a quiet period. */
  burst: number;
}

export type TakeResult = { ok: true; remaining: number } | { ok: false; retryAfterMs: number };

export type UpdateListener = (u: VerdictUpdate) => void;

export interface StateStore {
  readonly kind: 'memory' | 'redis';
  /** False while the backend is unreachable (the gateway then fails open or closed). */
  healthy(): boolean;
  /** Takes `cost` tokens from bucket `key` at time `nowMs`. Rejects when the backend is unreachable. */
  take(key: string, limits: BucketLimits, nowMs: number, cost?: number): Promise<TakeResult>;
  /** Stores an update and delivers it to every subscriber of every handle on the same backend. */
  publish(u: VerdictUpdate): Promise<void>;
  /** Updates published to other handles (and this one) from now on; returns an unsubscribe. */
  subscribe(listener: UpdateListener): () => void;
  /** Every update stored so far, latest per account/campaign: what a replica that starts late loads. */
  snapshot(): Promise<VerdictUpdate[]>;
  close(): Promise<void>;
}

/** The key an update is stored under: one entry per account or campaign, the latest wins. */
export function updateKey(u: VerdictUpdate): string {
  return u.kind === 'campaign' ? `campaign:${u.record.campaign_id}` : `account:${u.record.account_id}`;
}

/** Token bucket arithmetic shared by the memory adapter and (in Lua) the Redis one. */
export function refill(
  tokens: number,
  lastMs: number,
  nowMs: number,
  limits: BucketLimits,
): { tokens: number; lastMs: number } {
  if (nowMs <= lastMs) return { tokens, lastMs };
  return {
    tokens: Math.min(limits.burst, tokens + ((nowMs - lastMs) * limits.ratePerSec) / 1000),
    lastMs: nowMs,
  };
}

/** Idle buckets are forgotten after the time to refill completely, plus this margin. */
export const BUCKET_IDLE_MARGIN_MS = 60_000;

/** What memory handles share: create one per process (or per test) and pass it to each handle. */
export class MemoryBackend {
  readonly buckets = new Map<string, { tokens: number; lastMs: number; expiresMs: number }>();
  readonly updates = new Map<string, VerdictUpdate>();
  readonly listeners = new Set<UpdateListener>();
}

/** Buckets swept per take beyond this count, so that memory stays bounded without a timer. */
const SWEEP_ABOVE = 100_000;

export function memoryState(backend: MemoryBackend = new MemoryBackend()): StateStore {
  const own = new Set<UpdateListener>();
  return {
    kind: 'memory',
    healthy: () => true,
    async take(key, limits, nowMs, cost = 1) {
      const b = backend.buckets;
      if (b.size > SWEEP_ABOVE) for (const [k, v] of b) if (v.expiresMs < nowMs) b.delete(k);
      const cur = b.get(key);
      const { tokens, lastMs } =
        cur === undefined || cur.expiresMs < nowMs
          ? { tokens: limits.burst, lastMs: nowMs }
          : refill(cur.tokens, cur.lastMs, nowMs, limits);
      const expiresMs = nowMs + (limits.burst / limits.ratePerSec) * 1000 + BUCKET_IDLE_MARGIN_MS;
      if (tokens >= cost) {
        b.set(key, { tokens: tokens - cost, lastMs, expiresMs });
        return { ok: true, remaining: Math.floor(tokens - cost) };
      }
      b.set(key, { tokens, lastMs, expiresMs });
      return { ok: false, retryAfterMs: Math.ceil(((cost - tokens) * 1000) / limits.ratePerSec) };
    },
    async publish(u) {
      backend.updates.set(updateKey(u), u);
      for (const l of backend.listeners) l(u);
    },
    subscribe(listener) {
      backend.listeners.add(listener);
      own.add(listener);
      return () => {
        backend.listeners.delete(listener);
        own.delete(listener);
      };
    },
    async snapshot() {
      return [...backend.updates.values()];
    },
    async close() {
      for (const l of own) backend.listeners.delete(l);
      own.clear();
    },
  };
}
