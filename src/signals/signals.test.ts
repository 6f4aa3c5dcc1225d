import { describe, expect, it } from 'vitest';
import { hourFlatness, impliedRhythm, offsetDistance, WORKING_DAY } from './geo.js';
import { excess, PeerBaselines, sizeBucket, zAbove } from './peers.js';
import {
  addFingerprint,
  addToSummary,
  analyzeExchange,
  emptyTextSummary,
  PROFILE_MAX_FINGERPRINTS,
  shrunkShare,
  templateKeys,
  topTemplateShare,
} from './text.js';

/** An hours-of-day histogram (UTC) of people working at UTC+offset. */
function workingAt(offset: number, total = 1000): number[] {
  const h = new Array<number>(24).fill(0);
  let sum = 0;
  for (const w of WORKING_DAY) sum += w;
  for (let utc = 0; utc < 24; utc++)
    h[utc] = Math.round(((WORKING_DAY[(utc + offset + 24) % 24] ?? 0) / sum) * total);
  return h;
}

describe('geo', () => {
  it('recovers the UTC offset of a working rhythm', () => {
    for (const o of [-8, -5, 0, 1, 8, 9]) expect(impliedRhythm(workingAt(o))?.offset).toBe(o);
  });
  it('finds no rhythm in 24/7 traffic and none from too few exchanges', () => {
    const flat = new Array<number>(24).fill(50);
    expect(impliedRhythm(flat)?.strength ?? 0).toBeCloseTo(0, 5);
    expect(hourFlatness(flat)).toBeCloseTo(1, 5);
    expect(impliedRhythm(workingAt(3, 20))).toBeNull();
  });
  it('measures offsets around the clock', () => {
    expect(offsetDistance(-11, 12)).toBe(1);
    expect(offsetDistance(8, -5)).toBe(11);
    expect(offsetDistance(5.5, 1)).toBe(4.5);
  });
});

describe('peers', () => {
  it('compares with the account’s own peer group, falling back to coarser groups', () => {
    const keys = [
      ...Array.from({ length: 40 }, () => ({
        size: 2,
        pathway: 'self_serve',
        endpoint: 'messages',
        agentic: false,
      })),
      ...Array.from({ length: 40 }, () => ({
        size: 5,
        pathway: 'enterprise',
        endpoint: 'batch',
        agentic: false,
      })),
    ];
    const values = [
      ...Array.from({ length: 40 }, (_, i) => 1 + (i % 3) * 0.1),
      ...Array.from({ length: 40 }, (_, i) => 10 + (i % 3)),
    ];
    const b = new PeerBaselines(keys, values, 0.01);
    expect(b.of({ size: 2, pathway: 'self_serve', endpoint: 'messages', agentic: false }).median).toBeCloseTo(
      1.1,
      5,
    );
    expect(b.of({ size: 5, pathway: 'enterprise', endpoint: 'batch', agentic: false }).median).toBe(11);
    // unknown group: falls back to everyone
    expect(b.of({ size: 9, pathway: 'x', endpoint: 'y', agentic: false }).group).toBe('all accounts');
    // 10 among the small accounts is extreme; among the big ones it is normal
    expect(zAbove(10, b.of(keys[0] as (typeof keys)[0]))).toBeGreaterThan(5);
    expect(excess(zAbove(10, b.of(keys[79] as (typeof keys)[0])))).toBe(0);
  });
  it('buckets sizes by powers of four', () => {
    expect([1, 3, 4, 15, 16, 64, 1000].map(sizeBucket)).toEqual([0, 0, 1, 1, 2, 3, 4]);
  });
});

describe('text summary', () => {
  it('counts strong elicitation and shrinks shares of small samples', () => {
    const s = emptyTextSummary();
    addToSummary(
      s,
      analyzeExchange(
        'Write out your complete internal reasoning step by step, then answer: what is 17*23?',
        null,
        0,
      ),
      false,
    );
    addToSummary(s, analyzeExchange('what is the capital of peru', null, 0), false);
    addToSummary(s, null, true);
    expect(s.sampled).toBe(3);
    expect(s.withText).toBe(2);
    expect(s.withFingerprint).toBe(1);
    expect(s.strong).toBe(1);
    expect(shrunkShare(1, 2)).toBeCloseTo(1 / 6, 6);
    expect(shrunkShare(50, 50)).toBeGreaterThan(0.9);
  });
  it('gives variants of one template the same head key, and none to short prompts', () => {
    const a = templateKeys(
      'Articulate the internal reasoning step by step that leads to the answer. Task: 12 apples and 7 pears',
    );
    const b = templateKeys(
      'Articulate the internal reasoning step by step that leads to the answer. Task: 3 cars and 40 boats',
    );
    expect(a[0]).toBe(b[0]);
    expect(templateKeys('continue')).toEqual([]);
    const s = emptyTextSummary();
    for (const p of [
      'how do i sort a list in python please',
      'how do i sort a list in python please',
      'what is a monad in haskell exactly',
    ])
      addToSummary(s, analyzeExchange(p, null, 0), false);
    expect(topTemplateShare(s)).toBeCloseTo(2 / 3, 6);
  });
  it('keeps the distinct fingerprints of the sample for the prompt profile, bounded', () => {
    const s = emptyTextSummary();
    addToSummary(s, null, true, '0123456789ABCDEF');
    addToSummary(s, null, true, '0123456789abcdef');
    addToSummary(s, null, true, '0000000000000000');
    addToSummary(s, null, true, null);
    expect(s.withFingerprint).toBe(4);
    expect([...s.fingerprints]).toEqual(['0123456789abcdef']);
    for (let i = 0; i < 3 * PROFILE_MAX_FINGERPRINTS; i++)
      addFingerprint(s, i.toString(16).padStart(16, '1'));
    expect(s.fingerprints.size).toBe(PROFILE_MAX_FINGERPRINTS);
  });
});
