/**
 * Two gateway replicas sharing a real Redis: one token bucket per campaign across replicas,
 * verdicts pushed to one replica enforced by the other, and the fail-open / fail-closed rules
 * when Redis dies in the middle of the test.
 */
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyTable } from './callers.js';
import { type MockUpstream, startMockUpstream } from './mock-upstream.js';
import { openRedisState } from './redis-state.js';
import { type Harness, startHarness } from './test-support/harness.js';
import { verdict } from './test-support/records.js';
import { type RedisServer, startRedisServer } from './test-support/redis-server.js';
import { until } from './test-support/state-contract.js';

const KEYS = keyTable({
  keys: [
    { account_id: 'acct_a', key: 'sk-a' },
    { account_id: 'acct_b', key: 'sk-b' },
    { account_id: 'acct_c', key: 'sk-c' },
  ],
});

let upstream: MockUpstream;
let redis: RedisServer;

beforeAll(async () => {
  upstream = await startMockUpstream({ keep: false });
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis.stop();
  await upstream.close();
});

async function replica(prefix: string, failMode: 'open' | 'closed'): Promise<Harness> {
  const state = await openRedisState(redis.url, { prefix });
  return startHarness(
    { state, keys: KEYS, failMode, throttle: { ratePerSec: 0.001, burst: 3 } },
    { upstream, adminToken: 'tok' },
  );
}

async function call(h: Harness, key: string): Promise<number> {
  const r = await request(`${h.gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x' }] }),
  });
  await r.body.dump();
  return r.statusCode;
}

describe('gateway replicas on Redis', () => {
  it('share verdicts and one bucket per campaign', async () => {
    const a = await replica('shared1:', 'open');
    const b = await replica('shared1:', 'open');
    try {
      // pushed to replica A over its admin route …
      const lines = [verdict('acct_a', 'throttle', 'dgc-r'), verdict('acct_b', 'throttle', 'dgc-r')]
        .map((v) => JSON.stringify(v))
        .join('\n');
      const r = await request(`${a.gw.url}/_distillguard/v1/updates`, {
        method: 'POST',
        headers: { authorization: 'Bearer tok' },
        body: lines,
      });
      expect(await r.body.json()).toMatchObject({ applied: 2 });
      // … enforced by replica B
      await until(() => b.enforcer.book.account('acct_b')?.verdict === 'throttle');
      const statuses = [
        await call(a, 'sk-a'),
        await call(b, 'sk-b'),
        await call(a, 'sk-b'),
        await call(b, 'sk-a'),
      ];
      expect(statuses).toEqual([200, 200, 200, 429]);
      expect(await call(a, 'sk-c')).toBe(200); // not in the campaign
      // a replica started later loads what was pushed before it
      const c = await replica('shared1:', 'open');
      expect(c.enforcer.book.account('acct_a')?.verdict).toBe('throttle');
      await c.close();
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('when Redis dies: fail-open serves (skipping buckets), fail-closed answers 503; nothing is sent twice', async () => {
    const own = await startRedisServer();
    const mk = async (failMode: 'open' | 'closed') =>
      startHarness(
        {
          state: await openRedisState(own.url, { prefix: 'kill:' }),
          keys: KEYS,
          failMode,
          throttle: { ratePerSec: 0.001, burst: 100 },
        },
        { upstream },
      );
    const open = await mk('open');
    const closed = await mk('closed');
    try {
      await open.enforcer.update({ kind: 'verdict', record: verdict('acct_a', 'throttle') });
      await until(() => closed.enforcer.book.account('acct_a') !== undefined);
      expect(await call(open, 'sk-a')).toBe(200);
      expect(await call(closed, 'sk-a')).toBe(200);
      await own.kill();
      await until(() => !open.enforcer.state.healthy() && !closed.enforcer.state.healthy());
      const before = upstream.count();
      expect(await call(open, 'sk-a')).toBe(200);
      expect(await call(open, 'sk-c')).toBe(200);
      expect(await call(closed, 'sk-a')).toBe(503);
      expect(await call(closed, 'sk-c')).toBe(503);
      expect(upstream.count() - before).toBe(2);
      expect(open.enforcer.stats().fail_open).toBe(1);
      expect(closed.enforcer.stats().unavailable).toBe(2);
    } finally {
      await open.close();
      await closed.close();
    }
  });
});
