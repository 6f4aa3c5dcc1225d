/**
 * Ranking and classification metrics over (score, is-positive) pairs, with the conventions
 * named so that every number can be recomputed by hand:
 *
 * - ROC-AUC is the Mann–Whitney U statistic divided by P·N: the probability that a random
 *   positive scores above a random negative, a tie counting 1/2 (Mann & Whitney 1947,
 *   "On a test of whether one of two random variables is stochastically larger than the
 *   other"; Hanley & McNeil 1982, "The meaning and use of the area under a ROC curve").
 *   All scores tied → 0.5.
 * - Average precision (PR-AUC) is scikit-learn's `average_precision_score`:
 *   AP = Σₙ (Rₙ − Rₙ₋₁)·Pₙ over the distinct score thresholds taken from high to low, a
 *   threshold flagging every account whose score is ≥ it (so tied scores enter together);
 *   a step function, no interpolation.
 * - Recall at a false-positive budget uses the conservative convention: a threshold is one
 *   of the distinct scores and flags every account scoring ≥ it, so tied accounts are
 *   flagged together or not at all (a threshold cannot split a tie). We take the lowest
 *   such threshold whose FPR stays within the budget; when a tie group straddles the
 *   budget it is left out whole, so the reported recall is one a real threshold achieves.
 *   When even the highest score group exceeds the budget, nothing is flagged (recall 0).
 *
 * Undefined values (a metric over an empty class) are `null`, never 0.
 */

export interface Scored {
  score: number;
  positive: boolean;
}

interface TieGroup {
  score: number;
  pos: number;
  neg: number;
}

/** Groups by distinct score, highest first. */
function tieGroups(items: readonly Scored[]): TieGroup[] {
  const sorted = [...items].sort((a, b) => b.score - a.score);
  const groups: TieGroup[] = [];
  for (const it of sorted) {
    const last = groups[groups.length - 1];
    const g = last !== undefined && last.score === it.score ? last : { score: it.score, pos: 0, neg: 0 };
    if (g !== last) groups.push(g);
    if (it.positive) g.pos++;
    else g.neg++;
  }
  return groups;
}

function counts(items: readonly Scored[]): { pos: number; neg: number } {
  let pos = 0;
  for (const it of items) if (it.positive) pos++;
  return { pos, neg: items.length - pos };
}

/** ROC-AUC via Mann–Whitney U with ties counted 1/2; null when a class is empty. */
export function rocAuc(items: readonly Scored[]): number | null {
  const { pos, neg } = counts(items);
  if (pos === 0 || neg === 0) return null;
  // Walk from the lowest score up: each positive beats the negatives below its group and
  // ties half of those inside it. Sums of integers and halves: exact in doubles.
  const groups = tieGroups(items).reverse();
  let negBelow = 0;
  let u = 0;
  for (const g of groups) {
    u += g.pos * (negBelow + g.neg / 2);
    negBelow += g.neg;
  }
  return u / (pos * neg);
}

/** Average precision as scikit-learn's `average_precision_score`; null with no positive. */
export function averagePrecision(items: readonly Scored[]): number | null {
  const { pos } = counts(items);
  if (pos === 0) return null;
  let tp = 0;
  let fp = 0;
  let prevRecall = 0;
  let ap = 0;
  for (const g of tieGroups(items)) {
    tp += g.pos;
    fp += g.neg;
    const recall = tp / pos;
    ap += (recall - prevRecall) * (tp / (tp + fp));
    prevRecall = recall;
  }
  return ap;
}

export interface RecallAtFpr {
  /** The false-positive budget asked for, as a share of negatives (0.001 = 0.1 %). */
  fprBudget: number;
  /** Recall of the chosen threshold; null with no positive. */
  recall: number | null;
  /** FPR the chosen threshold really has (≤ fprBudget). */
  achievedFpr: number;
  /** Flag when score ≥ threshold; null = flag nothing (even the top tie group is over budget). */
  threshold: number | null;
  truePositives: number;
  falsePositives: number;
}

/** Comparisons of a count against budget·N tolerate float error in the product. */
const EPS = 1e-9;

/** Best recall within a false-positive budget, ties kept whole (see the header); null with no negative. */
export function recallAtFpr(items: readonly Scored[], fprBudget: number): RecallAtFpr | null {
  const { pos, neg } = counts(items);
  if (neg === 0) return null;
  const allowedFp = fprBudget * neg + EPS;
  let tp = 0;
  let fp = 0;
  let best = { threshold: null as number | null, tp: 0, fp: 0 };
  for (const g of tieGroups(items)) {
    tp += g.pos;
    fp += g.neg;
    // FP only grows as the threshold falls: the first group over budget ends the search.
    if (fp > allowedFp) break;
    best = { threshold: g.score, tp, fp };
  }
  return {
    fprBudget,
    recall: pos === 0 ? null : best.tp / pos,
    achievedFpr: best.fp / neg,
    threshold: best.threshold,
    truePositives: best.tp,
    falsePositives: best.fp,
  };
}

export interface Confusion {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
  /** tp / (tp + fp); null when nothing is flagged. */
  precision: number | null;
  /** tp / (tp + fn); null with no positive. */
  recall: number | null;
  /** 2tp / (2tp + fp + fn), the harmonic mean of the two; null when tp + fp + fn = 0. */
  f1: number | null;
  /** fp / (fp + tn); null with no negative. */
  fpr: number | null;
}

export function ratio(num: number, den: number): number | null {
  return den === 0 ? null : num / den;
}

/** Precision, recall, F1 and FPR of hard decisions (`flagged`) against the truth. */
export function confusion(items: readonly { flagged: boolean; positive: boolean }[]): Confusion {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  for (const it of items) {
    if (it.positive) {
      if (it.flagged) tp++;
      else fn++;
    } else if (it.flagged) fp++;
    else tn++;
  }
  return {
    tp,
    fp,
    fn,
    tn,
    precision: ratio(tp, tp + fp),
    recall: ratio(tp, tp + fn),
    f1: ratio(2 * tp, 2 * tp + fp + fn),
    fpr: ratio(fp, fp + tn),
  };
}
