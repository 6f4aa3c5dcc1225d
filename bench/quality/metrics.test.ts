import { describe, expect, it } from 'vitest';
import { averagePrecision, confusion, recallAtFpr, rocAuc, type Scored } from './metrics.js';

const pos = (...s: number[]): Scored[] => s.map((score) => ({ score, positive: true }));
const neg = (...s: number[]): Scored[] => s.map((score) => ({ score, positive: false }));
const many = (n: number, score: number): number[] => Array.from({ length: n }, () => score);

describe('rocAuc (Mann–Whitney U, ties 1/2)', () => {
  it('is 1 for a perfect ranking, 0 for an inverted one', () => {
    expect(rocAuc([...pos(0.9, 0.8), ...neg(0.2, 0.1)])).toBe(1);
    expect(rocAuc([...pos(0.1, 0.2), ...neg(0.8, 0.9)])).toBe(0);
  });
  it('is 0.5 when every score is tied', () => {
    expect(rocAuc([...pos(0.3, 0.3), ...neg(0.3, 0.3, 0.3)])).toBe(0.5);
  });
  it('matches the scikit-learn example (0.75) and counts a tie as 1/2', () => {
    // y = [0, 0, 1, 1], scores [0.1, 0.4, 0.35, 0.8]: 3 of 4 pairs ordered right
    expect(rocAuc([...neg(0.1, 0.4), ...pos(0.35, 0.8)])).toBe(0.75);
    // pairs (0.8 vs 0.8) = 1/2, (0.4 vs 0.8) = 0 → 0.5 / 2
    expect(rocAuc([...pos(0.8, 0.4), ...neg(0.8)])).toBe(0.25);
  });
  it('is null with one class only', () => {
    expect(rocAuc(pos(0.1, 0.9))).toBeNull();
    expect(rocAuc(neg(0.1))).toBeNull();
  });
});

describe('averagePrecision (scikit-learn average_precision_score)', () => {
  it('matches the scikit-learn example: 0.8333', () => {
    expect(averagePrecision([...neg(0.1, 0.4), ...pos(0.35, 0.8)])).toBeCloseTo(5 / 6, 12);
  });
  it('is 1 for a perfect ranking', () => {
    expect(averagePrecision([...pos(0.9, 0.8), ...neg(0.2)])).toBe(1);
  });
  it('enters tied scores together: all tied = prevalence', () => {
    expect(averagePrecision([...pos(0.5, 0.5), ...neg(0.5, 0.5)])).toBe(0.5);
    // 0.8 group: R 1/2, P 1/2 → 1/4; 0.4 group: R 1, P 2/3 → 1/3
    expect(averagePrecision([...pos(0.8, 0.4), ...neg(0.8)])).toBeCloseTo(1 / 4 + 1 / 3, 12);
  });
  it('inverted ranking: positives last', () => {
    // groups 0.9 (n), 0.8 (n), 0.2 (p): R 1/2 P 1/3, then 0.1 (p): R 1, P 1/2 → 1/6 + 1/4
    expect(averagePrecision([...neg(0.9, 0.8), ...pos(0.2, 0.1)])).toBeCloseTo(1 / 6 + 1 / 4, 12);
  });
  it('is null with no positive', () => {
    expect(averagePrecision(neg(0.1, 0.2))).toBeNull();
  });
});

describe('recallAtFpr (ties kept whole)', () => {
  // 200 negatives: 0.1 % allows 0.2 FP (none), 1 % allows 2 FP.
  const items = [...pos(0.9, 0.8, 0.8, 0.3), ...neg(0.8, 0.7, 0.5, ...many(197, 0.1))];
  it('at 0.1 %: the 0.8 tie holds a negative, so only the 0.9 account is flagged', () => {
    const r = recallAtFpr(items, 0.001);
    expect(r).toMatchObject({ recall: 0.25, threshold: 0.9, falsePositives: 0, achievedFpr: 0 });
  });
  it('at 1 %: threshold 0.7 (2 FP), recall 3/4', () => {
    const r = recallAtFpr(items, 0.01);
    expect(r).toMatchObject({ recall: 0.75, threshold: 0.7, falsePositives: 2, achievedFpr: 0.01 });
  });
  it('does not split a tie straddling the budget', () => {
    // 100 negatives, 1 % = 1 FP allowed; the 0.8 group has 2 negatives and a positive
    const r = recallAtFpr([...pos(0.9, 0.8), ...neg(0.8, 0.8, ...many(98, 0.1))], 0.01);
    expect(r).toMatchObject({ recall: 0.5, threshold: 0.9, falsePositives: 0 });
  });
  it('flags nothing when the top tie already exceeds the budget (all tied)', () => {
    const r = recallAtFpr([...pos(0.5, 0.5), ...neg(...many(10, 0.5))], 0.01);
    expect(r).toMatchObject({ recall: 0, threshold: null, falsePositives: 0 });
  });
  it('is null with no negative; recall null with no positive', () => {
    expect(recallAtFpr(pos(0.5), 0.01)).toBeNull();
    expect(recallAtFpr(neg(0.5), 0.01)?.recall).toBeNull();
  });
});

describe('confusion', () => {
  const truth = [true, true, false, false, false];
  it('every account flagged', () => {
    const c = confusion(truth.map((positive) => ({ positive, flagged: true })));
    expect(c).toMatchObject({ tp: 2, fp: 3, fn: 0, tn: 0, precision: 0.4, recall: 1, fpr: 1 });
    expect(c.f1).toBeCloseTo(4 / 7, 12);
  });
  it('none flagged: precision undefined (null), recall and F1 0', () => {
    const c = confusion(truth.map((positive) => ({ positive, flagged: false })));
    expect(c).toMatchObject({ tp: 0, fp: 0, fn: 2, tn: 3, precision: null, recall: 0, f1: 0, fpr: 0 });
  });
});
