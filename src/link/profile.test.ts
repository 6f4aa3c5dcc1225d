import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../rng/index.js';
import { promptFingerprint } from '../text/index.js';
import { buildLinkGraph, STRONG_EDGE } from './graph.js';
import {
  normalQuantile,
  ownBitCounts,
  PROFILE_LINK_Z,
  PROFILE_MIN_COSINE,
  poolMatches,
  profileLinks,
  selfConcentration,
} from './profile.js';

// Hand-made traffic: a vocabulary of random words; "diverse" accounts send unrelated prompts, a
// "templated" account wraps a new task in one fixed instruction each time.
const rng = mulberry32(7);
const vocab = Array.from(
  { length: 5000 },
  (_, i) => `w${i.toString(36)}x${Math.floor(rng() * 1e6).toString(36)}`,
);
const words = (n: number): string =>
  Array.from({ length: n }, () => vocab[Math.floor(rng() * vocab.length)]).join(' ');
const TEMPLATE = 'reconstruct in full detail the internal step by step reasoning an expert would follow here';
const OTHER = 'grade the response below against the rubric and return json with a score and a justification';
const diverse = (id: string, n = 40) => ({
  id,
  fingerprints: new Set(Array.from({ length: n }, () => promptFingerprint(words(25)))),
});
const templated = (id: string, tpl = TEMPLATE, n = 40) => ({
  id,
  fingerprints: new Set(Array.from({ length: n }, () => promptFingerprint(`${tpl} ${words(12)}`))),
});

describe('prompt profiles', () => {
  const population = [
    ...Array.from({ length: 60 }, (_, i) => diverse(`d${i}`)),
    ...Array.from({ length: 6 }, (_, i) => templated(`t${i}`)),
    ...Array.from({ length: 3 }, (_, i) => templated(`g${i}`, OTHER)),
  ];
  const links = profileLinks(population, population.length);

  it('sees no concentration in diverse traffic and a large one in templated traffic', () => {
    const { counts, p0 } = ownBitCounts(population);
    const z = new Map(counts.map((c) => [c.id, selfConcentration(c.ones, c.n, p0)]));
    for (let i = 0; i < 60; i++) expect(Math.abs(z.get(`d${i}`) as number)).toBeLessThan(5);
    for (let i = 0; i < 6; i++) expect(z.get(`t${i}`) as number).toBeGreaterThan(10);
  });

  it('links accounts of one template, never diverse accounts, nor two different templates', () => {
    const pairs = links.artifacts.map((a) => a.accounts.join('~'));
    for (let i = 0; i < 6; i++) for (let j = i + 1; j < 6; j++) expect(pairs).toContain(`t${i}~t${j}`);
    for (const a of links.artifacts) {
      expect(a.kind).toBe('prompt_profile');
      expect(a.accounts.some((id) => id.startsWith('d'))).toBe(false);
      const kinds = new Set(a.accounts.map((id) => id[0]));
      expect(kinds.size).toBe(1);
    }
  });

  it('ignores fingerprints another account sent verbatim (public prompts, tool outputs)', () => {
    const shared = Array.from({ length: 40 }, () => promptFingerprint(`${TEMPLATE} ${words(12)}`));
    const copies = Array.from({ length: 5 }, (_, i) => ({ id: `c${i}`, fingerprints: new Set(shared) }));
    const r = profileLinks([...population.slice(0, 60), ...copies], 65);
    expect(r.artifacts).toHaveLength(0);
  });

  it('needs enough distinct prompts for a profile', () => {
    const few = [templated('a', TEMPLATE, 5), templated('b', TEMPLATE, 5), ...population.slice(0, 60)];
    expect(profileLinks(few, few.length).artifacts).toHaveLength(0);
  });

  it('makes a strong edge from a strong profile link alone, kept apart in `profile`', () => {
    const g = buildLinkGraph(
      population.map((p) => p.id),
      links.artifacts,
      population.length,
    );
    const e = g.edges.find((x) => g.ids[x.u] === 't0' && g.ids[x.v] === 't1');
    expect(e).toBeDefined();
    expect(e?.w).toBeGreaterThanOrEqual(STRONG_EDGE);
    expect(e?.profile).toBeCloseTo(e?.w as number, 9);
    expect(e?.specific).toBe(0);
    expect(PROFILE_LINK_Z).toBeGreaterThan(5);
  });
});

describe('pooled prompt profiles', () => {
  const pool = Array.from({ length: 6 }, (_, i) => templated(`t${i}`));
  const others = [
    ...Array.from({ length: 60 }, (_, i) => diverse(`d${i}`)),
    ...Array.from({ length: 3 }, (_, i) => templated(`g${i}`, OTHER)),
  ];
  const inPool = (id: string) => id.startsWith('t');

  it('matches quiet accounts of the pool’s template, never diverse ones nor another template', () => {
    // 12 prompts each against a pool of 240.
    const quiet = Array.from({ length: 4 }, (_, i) => templated(`q${i}`, TEMPLATE, 12));
    const quietDiverse = Array.from({ length: 40 }, (_, i) => diverse(`e${i}`, 12));
    const inputs = [...pool, ...others, ...quiet, ...quietDiverse];
    const m = poolMatches(inputs, [{ key: 7, members: pool.map((p) => p.id) }], inPool);
    expect([...m.keys()].sort()).toEqual(['q0', 'q1', 'q2', 'q3']);
    for (const x of m.values()) {
      expect(x.key).toBe(7);
      expect(x.cosine).toBeGreaterThanOrEqual(PROFILE_MIN_COSINE);
    }
  });

  it('needs the cosine as well as z: an account leaning hard elsewhere and a little the pool’s way', () => {
    // Fingerprints drawn bit by bit: the pool sets bits 0–15 nine times in ten; the other account
    // sets bits 0–3 the same way and bits 32–63 nineteen times in twenty (its own template).
    const r = mulberry32(11);
    const draw = (p: (b: number) => number): string => {
      let hi = 0;
      let lo = 0;
      for (let b = 0; b < 32; b++) if (r() < p(b)) lo |= 1 << b;
      for (let b = 0; b < 32; b++) if (r() < p(b + 32)) hi |= 1 << b;
      return (hi >>> 0).toString(16).padStart(8, '0') + (lo >>> 0).toString(16).padStart(8, '0');
    };
    const account = (id: string, n: number, p: (b: number) => number) => ({
      id,
      fingerprints: new Set(Array.from({ length: n }, () => draw(p))),
    });
    const pooled = Array.from({ length: 6 }, (_, i) => account(`t${i}`, 64, (b) => (b < 16 ? 0.9 : 0.5)));
    const background = Array.from({ length: 200 }, (_, i) => account(`d${i}`, 64, () => 0.5));
    const elsewhere = account('x', 64, (b) => (b < 4 ? 0.9 : b >= 32 ? 0.95 : 0.5));
    const inputs = [...pooled, ...background, elsewhere];
    const m = poolMatches(inputs, [{ key: 1, members: pooled.map((p) => p.id) }], inPool);
    expect(m.has('x')).toBe(false);
    // …though its z alone is far beyond the bound: the cosine rule is what keeps it out.
    const { counts, p0 } = ownBitCounts(inputs);
    const lean = (id: string): number[] => {
      const c = counts.find((k) => k.id === id) as { ones: Float64Array; n: number };
      return Array.from(
        c.ones,
        (o, b) => (o / c.n - (p0[b] as number)) / Math.sqrt((p0[b] as number) * (1 - (p0[b] as number))),
      );
    };
    const sum = new Array<number>(64).fill(0);
    for (const p of pooled)
      lean(p.id).forEach((v, b) => {
        sum[b] = (sum[b] as number) + v;
      });
    const norm = Math.hypot(...sum);
    const x = lean('x');
    const z = Math.sqrt(64) * x.reduce((a, v, b) => a + (v * (sum[b] as number)) / norm, 0);
    expect(z).toBeGreaterThan(normalQuantile(1 - 0.01 / 207));
  });
});
