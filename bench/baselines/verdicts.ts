/**
 * What every baseline returns, and how its verdicts are written (formats.md "verdicts": one
 * line for every account, score in [0,1], evidence strongest first).
 */
import { writeFile } from 'node:fs/promises';
import type { AccountId, CampaignId, Evidence, Verdict, VerdictKind } from '../../src/formats/index.js';

export interface BaselineInput {
  exchanges: string;
  accounts: string;
}

export interface BaselineResult {
  verdicts: Verdict[];
  /** Sizes worth reporting (edges, candidate accounts, thresholds used…). */
  stats: Record<string, number | string>;
}

export interface Baseline {
  /** Short stable name: the column header and directory name. */
  name: string;
  /** The paper or deployed practice it implements, and the parameters chosen. */
  method: string;
  run(input: BaselineInput, seed: number): Promise<BaselineResult>;
}

/** Rounds a score for output: six digits keep the ordering of any realistic set of accounts. */
export function roundScore(x: number): number {
  if (!Number.isFinite(x) || x <= 0) return 0;
  if (x >= 1) return 1;
  return Math.round(x * 1e6) / 1e6;
}

export function evidence(
  signal: string,
  value: number | string,
  baseline: number | string | null,
  weight: number,
  detail: string,
): Evidence {
  const r = (v: number | string | null) => (typeof v === 'number' ? Math.round(v * 1e6) / 1e6 : v);
  return {
    signal,
    value: r(value) ?? 0,
    baseline: r(baseline),
    weight: Math.round(weight * 1e6) / 1e6,
    detail,
  };
}

export function verdict(
  account_id: string,
  score: number,
  kind: VerdictKind,
  campaign_id: string | null,
  ev: Evidence[],
): Verdict {
  const sorted = [...ev].sort((a, b) => b.weight - a.weight);
  // Identifiers come from the input files' own account ids and our campaign numbering.
  return {
    account_id: account_id as AccountId,
    score: roundScore(score),
    verdict: kind,
    campaign_id: campaign_id as CampaignId | null,
    evidence: sorted,
  };
}

export async function writeVerdicts(path: string, verdicts: readonly Verdict[]): Promise<void> {
  await writeFile(
    path,
    verdicts.map((v) => JSON.stringify(v)).join('\n') + (verdicts.length > 0 ? '\n' : ''),
  );
}
