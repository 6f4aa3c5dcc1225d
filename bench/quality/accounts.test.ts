import { describe, expect, it } from 'vitest';
import { scoreAccounts, scoreArchetypes } from './accounts.js';
import { scoreAll } from './report.js';
import { joinTruth, type LabelRow, type VerdictKind, type VerdictRow } from './truth.js';

const L = (account_id: string, label: 'legit' | 'attack', archetype: string): LabelRow => ({
  account_id,
  label,
  campaign_id: label === 'attack' ? 'c' : null,
  archetype,
});
const V = (account_id: string, score: number, verdict: VerdictKind = 'clear'): VerdictRow => ({
  account_id,
  score,
  verdict,
  campaign_id: null,
});

const labels = [
  L('e1', 'legit', 'eval_harness'),
  L('e2', 'legit', 'eval_harness'),
  L('i1', 'legit', 'indie_dev'),
  L('i2', 'legit', 'indie_dev'),
  L('i3', 'legit', 'indie_dev'),
  L('h1', 'attack', 'hydra_reseller'),
  L('h2', 'attack', 'hydra_reseller'),
];
// i3 has no verdict: score 0, clear
const verdicts = [
  V('e1', 0.9, 'throttle'),
  V('e2', 0.2),
  V('i1', 0.1),
  V('i2', 0.1),
  V('h1', 0.95, 'block'),
  V('h2', 0.6, 'watch'),
];

describe('scoreAccounts', () => {
  const t = joinTruth({ labels, verdicts });
  const a = scoreAccounts(t);
  it('counts a labelled account without verdict as score 0 / clear', () => {
    expect(a).toMatchObject({ labelled: 7, attack: 2, legit: 5, withVerdict: 6, missingVerdicts: 1 });
    const r = scoreAll({ labels, verdicts });
    expect(r.notes.some((n) => n.startsWith('1 labelled account had no verdict'))).toBe(true);
  });
  it('ROC-AUC and PR-AUC by hand', () => {
    // h1 (0.95) beats all 5 negatives; h2 (0.6) beats 4 of 5 (not e1 0.9) → 9/10
    expect(a.rocAuc).toBeCloseTo(0.9, 12);
    // 0.95: R 1/2 P 1; 0.9: no recall gain; 0.6: R 1, P 2/3 → 1/2 + 1/3
    expect(a.prAuc).toBeCloseTo(1 / 2 + 1 / 3, 12);
  });
  it('precision/recall/F1 at verdicts: anything but clear is flagged', () => {
    expect(a.atVerdicts).toMatchObject({ flagged: 3, tp: 2, fp: 1, fn: 0, tn: 4, recall: 1, fpr: 0.2 });
    expect(a.atVerdicts.precision).toBeCloseTo(2 / 3, 12);
    expect(a.atVerdicts.f1).toBeCloseTo(0.8, 12);
  });
  it('every account flagged / none flagged', () => {
    const all = scoreAccounts(
      joinTruth({ labels, verdicts: labels.map((l) => V(l.account_id, 0.5, 'watch')) }),
    );
    expect(all.atVerdicts).toMatchObject({ flagged: 7, precision: 2 / 7, recall: 1, fpr: 1 });
    expect(all.rocAuc).toBe(0.5);
    const none = scoreAccounts(joinTruth({ labels, verdicts: labels.map((l) => V(l.account_id, 0)) }));
    expect(none.atVerdicts).toMatchObject({ flagged: 0, precision: null, recall: 0, f1: 0, fpr: 0 });
    expect(none.rocAuc).toBe(0.5);
    expect(none.prAuc).toBeCloseTo(2 / 7, 12);
  });
  it('recall at FPR 0.1 % and 1 % of 5 genuine accounts: no FP allowed', () => {
    expect(a.recallAtFpr.map((r) => [r.fprBudget, r.recall, r.threshold])).toEqual([
      [0.001, 0.5, 0.95],
      [0.01, 0.5, 0.95],
    ]);
  });
});

describe('scoreArchetypes', () => {
  it('gives each genuine archetype its FPR and each attack archetype its recall', () => {
    const rows = scoreArchetypes(joinTruth({ labels, verdicts }));
    expect(
      rows.map((r) => [r.label, r.archetype, r.accounts, r.flagged, r.rateKind, r.rate, r.missingVerdicts]),
    ).toEqual([
      ['legit', 'eval_harness', 2, 1, 'fpr', 0.5, 0],
      ['legit', 'indie_dev', 3, 0, 'fpr', 0, 1],
      ['attack', 'hydra_reseller', 2, 2, 'recall', 1, 0],
    ]);
  });
});
