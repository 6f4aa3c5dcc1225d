/**
 * The Redis adapter of the StateStore port: several gateway replicas share token buckets (one Lua
 * script per take, so a take is atomic) and verdict updates (a hash holds the latest update per
 * account/campaign for replicas that start late; pub/sub delivers new ones at once, and a replica
 * that lost its connection reloads the hash when it is back).
 *
 * Commands are never queued while Redis is unreachable (`enableOfflineQueue: false`): a take then
 * rejects at once and the gateway applies its fail-open/fail-closed rule instead of waiting.
 */
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { EnforceError } from './errors.js';
import {
  BUCKET_IDLE_MARGIN_MS,
  type BucketLimits,
  type StateStore,
  type UpdateListener,
  updateKey,
} from './state.js';
import type { VerdictUpdate } from './verdict-book.js';

/** KEYS[1] bucket; ARGV rate per ms, burst, now ms, cost, ttl ms → {1, remaining} | {0, retry ms}.
 * Same arithmetic as `refill` in state.ts. */
const TAKE_LUA = `
local v = redis.call('HMGET', KEYS[1], 't', 'ts')
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local cost = tonumber(ARGV[4])
local tokens = tonumber(v[1])
local last = tonumber(v[2])
if tokens == nil or last == nil then
  tokens = burst
  last = now
elseif now > last then
  tokens = math.min(burst, tokens + (now - last) * rate)
  last = now
end
local ok = 0
if tokens >= cost then
  tokens = tokens - cost
  ok = 1
end
redis.call('HSET', KEYS[1], 't', tostring(tokens), 'ts', tostring(last))
redis.call('PEXPIRE', KEYS[1], ARGV[5])
if ok == 1 then return {1, math.floor(tokens)} end
return {0, math.ceil((cost - tokens) / rate)}
`;
const TAKE_SHA = createHash('sha1').update(TAKE_LUA).digest('hex');

/** A command that takes longer than this counts as a failure (Redis on the same network answers
 * in well under a millisecond; 250 ms means it is stuck, and a request should not wait longer). */
export const REDIS_COMMAND_TIMEOUT_MS = 250;
/** Reconnection back-off: 100 ms more per attempt, at most this. */
export const REDIS_MAX_RECONNECT_DELAY_MS = 2_000;

export interface RedisStateOptions {
  /** Key and channel prefix, so that several deployments can share one Redis. */
  prefix?: string;
  /** Resolve only once connected (default true); with false a gateway can start while Redis is down. */
  waitForReady?: boolean;
}

function isUpdate(v: unknown): v is VerdictUpdate {
  return (
    typeof v === 'object' &&
    v !== null &&
    'kind' in v &&
    'record' in v &&
    (v.kind === 'verdict' || v.kind === 'campaign' || v.kind === 'alert')
  );
}

function parseUpdate(s: string): VerdictUpdate | null {
  try {
    const v: unknown = JSON.parse(s);
    return isUpdate(v) ? v : null;
  } catch {
    return null;
  }
}

export async function openRedisState(url: string, opts: RedisStateOptions = {}): Promise<StateStore> {
  const prefix = opts.prefix ?? 'distillguard:';
  const hashKey = `${prefix}updates`;
  const channel = `${prefix}updates`;
  const common = {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    retryStrategy: (times: number) => Math.min(times * 100, REDIS_MAX_RECONNECT_DELAY_MS),
  };
  let redis: Redis;
  try {
    redis = new Redis(url, common);
  } catch (e) {
    throw new EnforceError('bad_config', `--redis: not a Redis URL: ${url} (${(e as Error).message})`);
  }
  const sub = redis.duplicate({ ...common, commandTimeout: undefined });
  // Errors surface as unhealthy state and rejected takes; the event must have a listener.
  redis.on('error', () => {});
  sub.on('error', () => {});
  const listeners = new Set<UpdateListener>();
  let subscribedOnce = false;

  async function snapshot(): Promise<VerdictUpdate[]> {
    const all = await redis.hvals(hashKey);
    return all.map(parseUpdate).filter((u): u is VerdictUpdate => u !== null);
  }

  sub.on('message', (ch: string, msg: string) => {
    if (ch !== channel) return;
    const u = parseUpdate(msg);
    if (u !== null) for (const l of listeners) l(u);
  });
  sub.on('ready', () => {
    // Back after an outage: what was published meanwhile is in the hash.
    if (!subscribedOnce) return;
    snapshot()
      .then((us) => {
        for (const u of us) for (const l of listeners) l(u);
      })
      .catch(() => {});
  });

  const connect = Promise.all([
    redis.connect(),
    sub.connect().then(async () => {
      await sub.subscribe(channel);
      subscribedOnce = true;
    }),
  ]);
  if (opts.waitForReady ?? true) {
    try {
      await connect;
    } catch (e) {
      redis.disconnect();
      sub.disconnect();
      throw new EnforceError('state_unreachable', `cannot reach Redis at ${url}: ${(e as Error).message}`);
    }
  } else connect.catch(() => {});

  return {
    kind: 'redis',
    healthy: () => redis.status === 'ready',
    async take(key: string, limits: BucketLimits, nowMs: number, cost = 1) {
      const ttl = Math.ceil((limits.burst / limits.ratePerSec) * 1000 + BUCKET_IDLE_MARGIN_MS);
      const k = `${prefix}bucket:${key}`;
      const rate = limits.ratePerSec / 1000;
      let r: unknown;
      try {
        r = await redis.evalsha(TAKE_SHA, 1, k, rate, limits.burst, nowMs, cost, ttl);
      } catch (e) {
        if (!String((e as Error).message).startsWith('NOSCRIPT')) throw e;
        r = await redis.eval(TAKE_LUA, 1, k, rate, limits.burst, nowMs, cost, ttl);
      }
      const [ok, n] = r as [number, number];
      return ok === 1 ? { ok: true, remaining: n } : { ok: false, retryAfterMs: n };
    },
    async publish(u) {
      const s = JSON.stringify(u);
      await redis.multi().hset(hashKey, updateKey(u), s).publish(channel, s).exec();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    snapshot,
    async close() {
      listeners.clear();
      await Promise.allSettled([redis.quit(), sub.quit()]);
      redis.disconnect();
      sub.disconnect();
    },
  };
}
