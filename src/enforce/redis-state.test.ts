import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRedisState } from './redis-state.js';
import { type RedisServer, startRedisServer } from './test-support/redis-server.js';
import { runStateContract, until } from './test-support/state-contract.js';

let server: RedisServer;
let n = 0;

beforeAll(async () => {
  server = await startRedisServer();
});
afterAll(async () => {
  await server.stop();
});

runStateContract({
  name: 'redis',
  open: async () => {
    // A fresh key prefix per test: one server, independent backends.
    const prefix = `t${++n}:`;
    return {
      a: await openRedisState(server.url, { prefix }),
      b: await openRedisState(server.url, { prefix }),
    };
  },
});

describe('Redis state outages', () => {
  it('rejects a take at once and turns unhealthy when Redis dies, healthy again when it is back', async () => {
    const own = await startRedisServer();
    const s = await openRedisState(own.url, { prefix: 'outage:' });
    try {
      expect((await s.take('k', { ratePerSec: 1, burst: 1 }, 1)).ok).toBe(true);
      await own.kill();
      await until(() => !s.healthy());
      await expect(s.take('k', { ratePerSec: 1, burst: 1 }, 2)).rejects.toThrow();
    } finally {
      await s.close();
    }
  });

  it('fails to open with a typed error when asked to wait for an unreachable Redis', async () => {
    await expect(openRedisState('redis://127.0.0.1:1', { prefix: 'x:' })).rejects.toMatchObject({
      code: 'state_unreachable',
    });
  });
});
