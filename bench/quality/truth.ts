/**
 * The joined view every section scores from: labels keyed by account, each labelled
 * account's verdict (or none), and the accounts other files name that labels do not know.
 * Built once by `joinTruth`, which throws a ScoreError when the files cannot describe the
 * same accounts (duplicates, empty files, unknown accounts without --allow-unknown).
 */
import { ScoreError } from './errors.js';

export type VerdictKind = 'clear' | 'watch' | 'throttle' | 'block';

/** The fields of a label the scorer reads (formats.md, ground truth). */
export interface LabelRow {
  account_id: string;
  label: 'legit' | 'attack';
  campaign_id: string | null;
  archetype: string;
}

/** The fields of a verdict the scorer reads (formats.md, outputs). */
export interface VerdictRow {
  account_id: string;
  score: number;
  verdict: VerdictKind;
  campaign_id: string | null;
}

/** A detected campaign: its id and member accounts. */
export interface CampaignRow {
  campaign_id: string;
  accounts: readonly string[];
}

/** An alert, `ts` in epoch milliseconds. */
export interface AlertRow {
  ts: number;
  account_id: string;
  verdict: VerdictKind;
}

/** Anything but `clear` is a flag: watch, throttle and block all say "this account is suspect". */
export function isFlagged(v: VerdictKind): boolean {
  return v !== 'clear';
}

/** How many example ids an error or note lists. */
export const EXAMPLES_SHOWN = 5;

export interface UnknownAccounts {
  /** Records of that source naming an account not in labels. */
  records: number;
  /** Distinct unknown account ids. */
  accounts: number;
  examples: string[];
}

export interface Truth {
  labels: ReadonlyMap<string, LabelRow>;
  /** Verdicts of labelled accounts only. */
  verdicts: ReadonlyMap<string, VerdictRow>;
  /** Labelled accounts with no verdict: scored as score 0, clear. */
  missingVerdicts: number;
  unknown: { verdicts: UnknownAccounts; campaigns: UnknownAccounts; alerts: UnknownAccounts };
}

export interface JoinInput {
  labels: readonly LabelRow[];
  verdicts: readonly VerdictRow[];
  campaigns?: readonly CampaignRow[] | undefined;
  alerts?: readonly AlertRow[] | undefined;
  /** Count and ignore records naming accounts absent from labels instead of failing. */
  allowUnknown?: boolean | undefined;
}

function duplicates(ids: Iterable<string>): string[] {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) dup.add(id);
    seen.add(id);
  }
  return [...dup];
}

function examples(ids: readonly string[]): string {
  const shown = ids.slice(0, EXAMPLES_SHOWN).join(', ');
  return ids.length > EXAMPLES_SHOWN ? `${shown}, … (${ids.length} in all)` : shown;
}

function unknownOf(ids: Iterable<string>, labels: ReadonlyMap<string, LabelRow>): UnknownAccounts {
  let records = 0;
  const distinct = new Set<string>();
  for (const id of ids) {
    if (labels.has(id)) continue;
    records++;
    distinct.add(id);
  }
  return { records, accounts: distinct.size, examples: [...distinct].slice(0, EXAMPLES_SHOWN) };
}

export function joinTruth(input: JoinInput): Truth {
  if (input.labels.length === 0) throw new ScoreError('empty_labels', 'the labels file holds no valid label');
  const dupLabels = duplicates(input.labels.map((l) => l.account_id));
  if (dupLabels.length > 0) {
    throw new ScoreError('duplicate_labels', `labels repeat account ids: ${examples(dupLabels)}`);
  }
  if (input.verdicts.length === 0) {
    throw new ScoreError('empty_verdicts', 'the verdicts file holds no valid verdict: nothing to score');
  }
  const dupVerdicts = duplicates(input.verdicts.map((v) => v.account_id));
  if (dupVerdicts.length > 0) {
    throw new ScoreError(
      'duplicate_verdicts',
      `verdicts give two verdicts for the same account: ${examples(dupVerdicts)}`,
    );
  }
  const labels = new Map(input.labels.map((l) => [l.account_id, l] as const));
  const unknown = {
    verdicts: unknownOf(
      input.verdicts.map((v) => v.account_id),
      labels,
    ),
    campaigns: unknownOf(
      (input.campaigns ?? []).flatMap((c) => c.accounts),
      labels,
    ),
    alerts: unknownOf(
      (input.alerts ?? []).map((a) => a.account_id),
      labels,
    ),
  };
  if (input.allowUnknown !== true) {
    const parts = (['verdicts', 'campaigns', 'alerts'] as const)
      .filter((k) => unknown[k].records > 0)
      .map((k) => `${k}: ${unknown[k].accounts} account(s), e.g. ${unknown[k].examples.join(', ')}`);
    if (parts.length > 0) {
      throw new ScoreError(
        'unknown_accounts',
        `accounts not in the labels file (${parts.join('; ')}). Are the files from the same run? ` +
          'Pass --allow-unknown to count and ignore them.',
      );
    }
  }
  const verdicts = new Map<string, VerdictRow>();
  for (const v of input.verdicts) if (labels.has(v.account_id)) verdicts.set(v.account_id, v);
  return { labels, verdicts, missingVerdicts: labels.size - verdicts.size, unknown };
}

/** The score of a labelled account: its verdict's, or 0 (clear) when it has none. */
export function scoreOf(t: Truth, accountId: string): number {
  return t.verdicts.get(accountId)?.score ?? 0;
}

export function flaggedOf(t: Truth, accountId: string): boolean {
  const v = t.verdicts.get(accountId);
  return v !== undefined && isFlagged(v.verdict);
}
