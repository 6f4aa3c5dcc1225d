/**
 * Account-level detection quality: ranking (ROC-AUC, PR-AUC, recall at a fixed FPR of
 * genuine accounts) from the scores, and precision/recall/F1 at the detector's own
 * verdicts; then the same per archetype, so that every hard negative is seen on its own.
 */
import {
  averagePrecision,
  type Confusion,
  confusion,
  type RecallAtFpr,
  ratio,
  recallAtFpr,
  rocAuc,
  type Scored,
} from './metrics.js';
import { flaggedOf, scoreOf, type Truth } from './truth.js';

/** FPR budgets of genuine accounts: 1 % is a tolerable review queue, 0.1 % what an automatic
 * block could afford on a platform with hundreds of thousands of genuine accounts. */
export const FPR_BUDGETS = [0.001, 0.01] as const;

export interface AccountsReport {
  labelled: number;
  attack: number;
  legit: number;
  /** Labelled accounts with a verdict. */
  withVerdict: number;
  /** Labelled accounts with no verdict, scored as score 0 / clear. */
  missingVerdicts: number;
  /** Verdicts naming accounts absent from labels (only with --allow-unknown), ignored. */
  unknownVerdicts: number;
  rocAuc: number | null;
  prAuc: number | null;
  atVerdicts: Confusion & { flagged: number };
  recallAtFpr: RecallAtFpr[];
}

export function scoreAccounts(t: Truth): AccountsReport {
  const scored: Scored[] = [];
  const decided: { flagged: boolean; positive: boolean }[] = [];
  for (const [id, l] of t.labels) {
    const positive = l.label === 'attack';
    scored.push({ score: scoreOf(t, id), positive });
    decided.push({ flagged: flaggedOf(t, id), positive });
  }
  const c = confusion(decided);
  const attack = decided.filter((d) => d.positive).length;
  return {
    labelled: t.labels.size,
    attack,
    legit: t.labels.size - attack,
    withVerdict: t.verdicts.size,
    missingVerdicts: t.missingVerdicts,
    unknownVerdicts: t.unknown.verdicts.records,
    rocAuc: rocAuc(scored),
    prAuc: averagePrecision(scored),
    atVerdicts: { ...c, flagged: c.tp + c.fp },
    recallAtFpr: FPR_BUDGETS.map((b) => recallAtFpr(scored, b)).filter((r): r is RecallAtFpr => r !== null),
  };
}

export interface ArchetypeRow {
  archetype: string;
  label: 'legit' | 'attack';
  accounts: number;
  flagged: number;
  /** flagged / accounts: the false-positive rate of a genuine archetype, the recall of an attack one. */
  rate: number | null;
  rateKind: 'fpr' | 'recall';
  missingVerdicts: number;
  meanScore: number | null;
}

/** One row per (label, archetype), genuine first, then by name. */
export function scoreArchetypes(t: Truth): ArchetypeRow[] {
  const rows = new Map<string, ArchetypeRow & { scoreSum: number }>();
  for (const [id, l] of t.labels) {
    const key = `${l.label}\u0000${l.archetype}`;
    let r = rows.get(key);
    if (r === undefined) {
      r = {
        archetype: l.archetype,
        label: l.label,
        accounts: 0,
        flagged: 0,
        rate: null,
        rateKind: l.label === 'attack' ? 'recall' : 'fpr',
        missingVerdicts: 0,
        meanScore: null,
        scoreSum: 0,
      };
      rows.set(key, r);
    }
    r.accounts++;
    if (flaggedOf(t, id)) r.flagged++;
    if (!t.verdicts.has(id)) r.missingVerdicts++;
    r.scoreSum += scoreOf(t, id);
  }
  return [...rows.values()]
    .map(({ scoreSum, ...r }) => ({
      ...r,
      rate: ratio(r.flagged, r.accounts),
      meanScore: ratio(scoreSum, r.accounts),
    }))
    .sort((a, b) =>
      a.label === b.label
        ? a.archetype < b.archetype
          ? -1
          : a.archetype > b.archetype
            ? 1
            : 0
        : a.label === 'legit'
          ? -1
          : 1,
    );
}
