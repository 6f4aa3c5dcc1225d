import { describe, expect, it } from 'vitest';
import { clusterAccounts } from './cluster.js';
import { artifactWeight, buildLinkGraph, KIND_PAIR_CAP, STRONG_EDGE, strongComponents } from './graph.js';

describe('artifact weights', () => {
  it('weigh rare artifacts fully and popular ones towards zero (FRAUDAR-style)', () => {
    expect(artifactWeight('payment_fingerprint', 2, 10_000)).toBeCloseTo(3, 6);
    expect(artifactWeight('payment_fingerprint', 40, 10_000)).toBeGreaterThan(1.5);
    expect(artifactWeight('ip', 5_000, 10_000)).toBeLessThan(0.2);
    expect(artifactWeight('ip', 1, 10_000)).toBe(0);
  });
});

describe('link graph', () => {
  const ids = ['a', 'b', 'c', 'd', 'e', 'f'];
  it('joins accounts sharing a payment instrument, not those sharing only a user agent', () => {
    const g = buildLinkGraph(
      ids,
      [
        { kind: 'payment_fingerprint', value: 'pm1', accounts: ['a', 'b', 'c'] },
        { kind: 'user_agent', value: 'OpenAI/Python', accounts: ['c', 'd', 'e', 'f'] },
      ],
      1_000,
    );
    const comps = strongComponents(g, () => true);
    expect(comps.map((c) => c.map((i) => ids[i]))).toEqual([['a', 'b', 'c']]);
    const ab = g.edges.find((e) => e.u === 0 && e.v === 1);
    expect(ab?.specific).toBeGreaterThanOrEqual(STRONG_EDGE);
  });
  it('caps each kind: many shared templates count like one strong template', () => {
    const many = Array.from({ length: 20 }, (_, k) => ({
      kind: 'prompt_template' as const,
      value: `t${k}`,
      accounts: ['a', 'b'],
    }));
    const g = buildLinkGraph(ids, many, 1_000);
    expect(g.edges).toHaveLength(1);
    expect(g.edges[0]?.w).toBeCloseTo(KIND_PAIR_CAP.prompt_template, 6);
    expect(g.edges[0]?.specific).toBe(0);
  });
  it('links a very popular artifact as a chain (same components, linear edges)', () => {
    const big = Array.from({ length: 300 }, (_, i) => `x${i}`);
    const g = buildLinkGraph(big, [{ kind: 'api_key', value: 'k', accounts: big }], 100_000);
    expect(g.edges.length).toBe(299);
    expect(strongComponents(g, () => true)[0]).toHaveLength(300);
  });
  it('clusters deterministically for a seed, splitting a large bridged component (Louvain)', () => {
    const left = Array.from({ length: 300 }, (_, i) => `l${i}`);
    const right = Array.from({ length: 300 }, (_, i) => `r${i}`);
    const all = [...left, ...right];
    const arts = [
      ...Array.from({ length: 75 }, (_, k) => ({
        kind: 'payment_fingerprint' as const,
        value: `pl${k}`,
        accounts: left.slice(k * 4, k * 4 + 8),
      })),
      ...Array.from({ length: 75 }, (_, k) => ({
        kind: 'payment_fingerprint' as const,
        value: `pr${k}`,
        accounts: right.slice(k * 4, k * 4 + 8),
      })),
      { kind: 'ip' as const, value: 'bridge', accounts: ['l0', 'r0'] },
    ];
    const g = buildLinkGraph(all, arts, 10_000);
    const c1 = clusterAccounts(g, () => true, 7);
    const c2 = clusterAccounts(g, () => true, 7);
    expect(c1).toEqual(c2);
    expect(c1.length).toBeGreaterThanOrEqual(2);
    for (const c of c1) {
      const names = c.map((i) => all[i] as string);
      expect(names.every((n) => n.startsWith('l')) || names.every((n) => n.startsWith('r'))).toBe(true);
    }
  });
});
