import { describe, expect, it } from 'vitest';
import { mulberry32 as rng } from '../rng/index.js';
import { fastExchange } from './fast-exchange.js';
import { validateRecord } from './validate.js';

const base = {
  ts: '2026-02-01T10:00:00.123Z',
  account_id: 'acct_1',
  ip: '2001:DB8::1',
  request_id: 'req_1',
  api_key_id: 'key_1',
  end_user_id: 'u1',
  user_agent: 'anthropic-python/0.40.0',
  tls_fingerprint: 't13d1516h2_8daaf6152771_b0da82dd1658',
  forwarded_for: '198.51.100.1',
  endpoint: 'messages',
  model: 'm-1',
  input_tokens: 10,
  output_tokens: 20,
  status: 200,
  latency_ms: 12.5,
  turns: 1,
  tool_count: 0,
  reasoning: true,
  max_tokens: 1024,
  temperature: 0.7,
  system_prompt: 'You are helpful.',
  prompt: 'What is 2+2?',
  prompt_fingerprint: '0123456789ABCDEF',
  harvest: false,
};

/** Values that probe every rule: wrong types, edges, out of range, unicode. */
const probes: unknown[] = [
  null,
  undefined,
  '',
  ' ',
  'x',
  0,
  -1,
  1,
  1.5,
  99,
  100,
  599,
  600,
  Number.MAX_SAFE_INTEGER,
  2 ** 60,
  Number.NaN,
  true,
  false,
  [],
  {},
  '1.2.3.4',
  ' 1.2.3.4',
  '::1',
  '1.2.3',
  '2026-02-30T00:00:00Z',
  '2026-02-01T10:00:00+08:00',
  '2026-02-01 10:00:00Z',
  1_770_000_000_000,
  1_700_000_000,
  '1770000000000',
  'x'.repeat(600),
  '0123456789abcdeg',
  'a\u0000b',
  'ÿ',
  '🙂',
];

describe('fastExchange agrees with the zod schema', () => {
  it('accepts exactly what validateRecord accepts, with the same output', () => {
    const r = rng(42);
    const keys = [...Object.keys(base), 'unknown_field'];
    let fastHits = 0;
    for (let i = 0; i < 20_000; i++) {
      const obj: Record<string, unknown> = { ...base };
      const mutations = Math.floor(r() * 3);
      for (let m = 0; m < mutations; m++) {
        const key = keys[Math.floor(r() * keys.length)]!;
        const v = probes[Math.floor(r() * probes.length)];
        if (v === undefined) delete obj[key];
        else obj[key] = v;
      }
      const slow = validateRecord('exchanges', structuredClone(obj), 'f', 1);
      const fast = fastExchange(obj);
      if (fast !== undefined) {
        fastHits++;
        expect(slow.ok, JSON.stringify(obj)).toBe(true);
        if (slow.ok) {
          expect(slow.repairs).toEqual([]);
          expect(fast).toEqual(slow.record);
        }
      }
    }
    // the fast path must carry the common case, or it is pointless
    expect(fastHits).toBeGreaterThan(5_000);
  });

  it('keeps a "__proto__" field as data, without touching any prototype', () => {
    const obj = JSON.parse(
      '{"ts":1770000000000,"account_id":"a","ip":"192.0.2.1","__proto__":{"polluted":1}}',
    ) as Record<string, unknown>;
    const slow = validateRecord('exchanges', structuredClone(obj), 'f', 1);
    const fast = fastExchange(obj);
    expect(slow.ok).toBe(true);
    expect(Object.getPrototypeOf(fast?.extra)).toBe(Object.prototype);
    expect(Object.keys(fast?.extra ?? {})).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    if (slow.ok) expect(Object.keys(slow.record.extra ?? {})).toEqual(['__proto__']);
  });
});

describe('parseIsoMillisUtc', () => {
  it('agrees with Date.parse on valid instants and refuses the impossible', async () => {
    const { parseIsoMillisUtc } = await import('./fast-exchange.js');
    const r = rng(7);
    for (let i = 0; i < 5000; i++) {
      const ms = Math.floor(Date.UTC(2015, 0, 1) + r() * 3e12);
      const iso = new Date(ms).toISOString();
      expect(parseIsoMillisUtc(iso)).toBe(ms);
    }
    for (const bad of [
      '2026-02-30T00:00:00.000Z',
      '2026-13-01T00:00:00.000Z',
      '2026-01-01T24:00:00.000Z',
      '2026-01-01T00:00:60.000Z',
      '2026-01-01T00:00:00.000+',
      '2026-0a-01T00:00:00.000Z',
    ]) {
      expect(parseIsoMillisUtc(bad)).toBeNaN();
    }
  });
});
