import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../rng/index.js';
import { promptFingerprint } from '../text/index.js';
import { buildLinkGraph, STRONG_EDGE } from './graph.js';
import { ownBitCounts, PROFILE_LINK_Z, profileLinks, selfConcentration } from './profile.js';

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
