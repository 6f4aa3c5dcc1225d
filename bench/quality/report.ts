/**
 * Assembles every section into one `ScoreReport` (what `--json` writes, keys turned into
 * snake_case) and the notes that make each convention visible in the output: no number is
 * a silent zero.
 */
import { type AccountsReport, type ArchetypeRow, scoreAccounts, scoreArchetypes } from './accounts.js';
import { type CampaignsReport, campaignsFromVerdicts, scoreCampaigns } from './campaigns.js';
import {
  type ExchangeRow,
  type ExchangesReport,
  type ExchangeVerdictRow,
  indexExchangeVerdicts,
  scoreExchanges,
} from './exchanges.js';
import { type CampaignRow, type JoinInput, joinTruth, type Truth, type UnknownAccounts } from './truth.js';

export const REPORT_SCHEMA = 'distillguard.score/1';

/** A bad input line, as reported (file:line, stable code, reason). */
export interface InputIssue {
  file: string;
  line: number;
  code: string;
  reason: string;
}

/** How many bad lines the report lists one by one (all are counted). */
export const ISSUES_LISTED = 20;

export interface ScoreReport {
  schema: typeof REPORT_SCHEMA;
  inputs: Record<string, string | null>;
  notes: string[];
  issues: { total: number; byFile: Record<string, number>; first: InputIssue[] };
  unknown: { verdicts: UnknownAccounts; campaigns: UnknownAccounts; alerts: UnknownAccounts };
  accounts: AccountsReport;
  archetypes: ArchetypeRow[];
  campaigns: CampaignsReport;
  /** Null without an exchanges file. */
  exchanges: ExchangesReport | null;
}

export interface ScoreInput extends JoinInput {
  exchanges?: Iterable<ExchangeRow> | undefined;
  exchangeVerdicts?: readonly ExchangeVerdictRow[] | undefined;
}

export interface ReportExtras {
  inputs?: Record<string, string | null>;
  issues?: readonly InputIssue[];
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function notesOf(t: Truth, r: Omit<ScoreReport, 'notes' | 'schema' | 'inputs'>): string[] {
  const notes: string[] = [];
  if (t.missingVerdicts > 0) {
    notes.push(`${plural(t.missingVerdicts, 'labelled account')} had no verdict: counted as score 0 / clear`);
  }
  for (const k of ['verdicts', 'campaigns', 'alerts'] as const) {
    const u = t.unknown[k];
    if (u.records > 0) {
      notes.push(
        `${k}: ${plural(u.records, 'record')} name ${plural(u.accounts, 'account')} not in labels (e.g. ${u.examples.join(', ')}): ignored (--allow-unknown)`,
      );
    }
  }
  if (r.accounts.rocAuc === null) notes.push('ROC-AUC and recall at FPR n/a: labels hold a single class');
  if (r.issues.total > 0) {
    const files = Object.entries(r.issues.byFile)
      .map(([f, n]) => `${f}: ${n}`)
      .join(', ');
    notes.push(`${plural(r.issues.total, 'bad input line')} skipped (${files}); first listed under "issues"`);
  }
  const x = r.exchanges;
  if (x === null) {
    notes.push('reseller and live sections need --exchanges (and live also --alerts)');
    return notes;
  }
  if (x.unlabelled > 0) notes.push(`${plural(x.unlabelled, 'exchange')} of accounts not in labels: left out`);
  if (x.reseller.harvestExchanges + x.reseller.genuineExchanges === 0) {
    notes.push('reseller: no exchange carries the `harvest` ground truth, so reseller metrics are n/a');
  } else if (x.reseller.source === 'account_verdicts') {
    notes.push(
      "reseller: no --exchange-verdicts; each exchange of a harvest-mixing account inherits its account's verdict",
    );
  } else if (x.reseller.uncovered > 0) {
    notes.push(
      `reseller: ${plural(x.reseller.uncovered, 'harvest-mixing exchange')} had no exchange verdict: counted as not flagged`,
    );
  }
  if (x.exchangeVerdictsUnused > 0) {
    notes.push(`${plural(x.exchangeVerdictsUnused, 'exchange verdict')} matched no exchange`);
  }
  if (x.live === null) notes.push('live section needs --alerts');
  else if (x.live.clearAlertsIgnored > 0) {
    notes.push(`live: ${plural(x.live.clearAlertsIgnored, 'alert')} with verdict clear ignored`);
  }
  return notes;
}

/** Builds the report from a joined truth and an exchanges pass already made (or null). */
export function assembleReport(
  t: Truth,
  input: Pick<JoinInput, 'verdicts' | 'campaigns'>,
  exchanges: ExchangesReport | null,
  extras: ReportExtras = {},
): ScoreReport {
  const detected: readonly CampaignRow[] = input.campaigns ?? campaignsFromVerdicts(input.verdicts);
  const issues = extras.issues ?? [];
  const byFile: Record<string, number> = {};
  for (const i of issues) byFile[i.file] = (byFile[i.file] ?? 0) + 1;
  const body = {
    issues: { total: issues.length, byFile, first: issues.slice(0, ISSUES_LISTED) },
    unknown: t.unknown,
    accounts: scoreAccounts(t),
    archetypes: scoreArchetypes(t),
    campaigns: scoreCampaigns(t, detected, input.campaigns === undefined ? 'verdicts' : 'campaigns_file'),
    exchanges,
  };
  return { schema: REPORT_SCHEMA, inputs: extras.inputs ?? {}, notes: notesOf(t, body), ...body };
}

/** Scores in-memory records: every section the inputs allow. Throws ScoreError on mismatched inputs. */
export function scoreAll(input: ScoreInput, extras: ReportExtras = {}): ScoreReport {
  const t = joinTruth(input);
  const ev = input.exchangeVerdicts === undefined ? undefined : indexExchangeVerdicts(input.exchangeVerdicts);
  const x = input.exchanges === undefined ? null : scoreExchanges(t, input.exchanges, ev, input.alerts);
  return assembleReport(t, input, x, extras);
}

function snake(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** The report as written by --json: the same numbers, keys in snake_case like every wire format. */
export function reportJson(r: ScoreReport): unknown {
  const walk = (v: unknown, keepKeys: boolean): unknown => {
    if (Array.isArray(v)) return v.map((x) => walk(x, false));
    if (v === null || typeof v !== 'object') return v;
    return Object.fromEntries(
      // file names (inputs, issues.byFile) are data, not field names: kept as they are
      Object.entries(v).map(([k, x]) => [keepKeys ? k : snake(k), walk(x, k === 'byFile' || k === 'inputs')]),
    );
  };
  return walk(r, false);
}
