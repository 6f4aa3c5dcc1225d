/**
 * The output directory of `distillguard hunt`: verdicts.jsonl, campaigns.jsonl and, when
 * present, exchange_verdicts.jsonl (formats.md). Read whole (tens of MB at the largest scale we
 * run) and validated line by line: a bad line is counted and skipped, never fatal. Re-read when
 * hunt rewrites the files (checked at most every FINDINGS_CHECK_MS).
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Campaign, readLines, Verdict } from '../../formats/index.js';
import type { DuckReader } from './duck.js';
import { lit } from './duck.js';

/** How often the files' modification times are compared (a cheap stat; hunt runs take minutes). */
export const FINDINGS_CHECK_MS = 5_000;
/** Bins of the score histogram on the overview ([0, 0.05), …, [0.95, 1]). */
export const SCORE_BINS = 20;
/** Bad lines kept (with their line numbers) for the overview; the rest are only counted. */
const KEPT_ISSUES = 20;

export interface FindingsIssue {
  file: string;
  line: number;
  reason: string;
}

export interface Findings {
  dir: string;
  loadedAt: string;
  verdicts: Map<string, Verdict>;
  /** Strongest first (score, then exchanges). */
  campaigns: Campaign[];
  campaignById: Map<string, Campaign>;
  verdictCounts: Record<Verdict['verdict'], number>;
  /** Accounts per score bin, per verdict. */
  scoreHistogram: { bins: number; counts: Record<Verdict['verdict'], number[]> };
  /** exchange_verdicts.jsonl was present (and loaded into memory.xv). */
  exchangeVerdicts: boolean;
  issues: FindingsIssue[];
  badLines: number;
}

async function readJsonl<T>(
  path: string,
  parse: (
    v: unknown,
  ) =>
    | { success: true; data: T }
    | { success: false; error: { issues: { message: string; path: PropertyKey[] }[] } },
  out: { issues: FindingsIssue[]; bad: number },
): Promise<T[]> {
  const items: T[] = [];
  if (!existsSync(path)) return items;
  for await (const batch of readLines(path)) {
    for (const i of batch.issues) {
      out.bad++;
      if (out.issues.length < KEPT_ISSUES) out.issues.push({ file: path, line: i.line, reason: i.reason });
    }
    batch.lines.forEach((line, k) => {
      let v: unknown;
      try {
        v = JSON.parse(line);
      } catch {
        out.bad++;
        if (out.issues.length < KEPT_ISSUES)
          out.issues.push({ file: path, line: batch.lineNos[k] ?? 0, reason: 'not JSON' });
        return;
      }
      const r = parse(v);
      if (r.success) items.push(r.data);
      else {
        out.bad++;
        const e = r.error.issues[0];
        if (out.issues.length < KEPT_ISSUES)
          out.issues.push({
            file: path,
            line: batch.lineNos[k] ?? 0,
            reason: `${e?.path.map(String).join('.') ?? ''}: ${e?.message ?? 'invalid'}`,
          });
      }
    });
  }
  return items;
}

export async function loadFindings(dir: string, db: DuckReader): Promise<Findings> {
  const out = { issues: [] as FindingsIssue[], bad: 0 };
  const verdictList = await readJsonl(join(dir, 'verdicts.jsonl'), (v) => Verdict.safeParse(v), out);
  const campaigns = await readJsonl(join(dir, 'campaigns.jsonl'), (v) => Campaign.safeParse(v), out);
  campaigns.sort(
    (a, b) => b.score - a.score || b.exchanges - a.exchanges || (a.campaign_id < b.campaign_id ? -1 : 1),
  );
  const verdicts = new Map<string, Verdict>();
  const verdictCounts = { clear: 0, watch: 0, throttle: 0, block: 0 };
  const counts = {
    clear: new Array<number>(SCORE_BINS).fill(0),
    watch: new Array<number>(SCORE_BINS).fill(0),
    throttle: new Array<number>(SCORE_BINS).fill(0),
    block: new Array<number>(SCORE_BINS).fill(0),
  };
  for (const v of verdictList) {
    verdicts.set(v.account_id, v);
    verdictCounts[v.verdict]++;
    const bin = Math.min(SCORE_BINS - 1, Math.floor(v.score * SCORE_BINS));
    counts[v.verdict][bin] = (counts[v.verdict][bin] ?? 0) + 1;
  }
  const xv = join(dir, 'exchange_verdicts.jsonl');
  const exchangeVerdicts = existsSync(xv);
  // Per-exchange verdicts of multi-user accounts: up to millions of lines, so kept in DuckDB and
  // joined to the exchanges an account page lists, not held as JS objects.
  await db.run(
    exchangeVerdicts
      ? `CREATE OR REPLACE TABLE memory.xv AS SELECT request_id, bool_or(flagged) AS flagged
           FROM read_json(${lit(xv)}, format = 'newline_delimited',
             columns = {request_id: 'VARCHAR', flagged: 'BOOLEAN'}, ignore_errors = true)
           WHERE request_id IS NOT NULL GROUP BY request_id`
      : 'CREATE OR REPLACE TABLE memory.xv (request_id VARCHAR, flagged BOOLEAN)',
  );
  return {
    dir,
    loadedAt: new Date().toISOString(),
    verdicts,
    campaigns,
    campaignById: new Map(campaigns.map((c) => [c.campaign_id, c])),
    verdictCounts,
    scoreHistogram: { bins: SCORE_BINS, counts },
    exchangeVerdicts,
    issues: out.issues,
    badLines: out.bad,
  };
}

const mtimeOf = (p: string): number => {
  try {
    return statSync(p).mtimeMs;
  } catch {
    return 0;
  }
};

/** The current findings, re-read when hunt rewrites them. */
export class FindingsSource {
  private current: Promise<Findings>;
  private stamp: string;
  private checked: number;

  constructor(
    readonly dir: string,
    private readonly db: DuckReader,
    private readonly now: () => number = Date.now,
  ) {
    this.stamp = this.mtimes();
    this.checked = now();
    this.current = loadFindings(dir, db);
  }

  private mtimes(): string {
    return ['verdicts.jsonl', 'campaigns.jsonl', 'exchange_verdicts.jsonl']
      .map((f) => mtimeOf(join(this.dir, f)))
      .join(':');
  }

  get(): Promise<Findings> {
    const t = this.now();
    if (t - this.checked >= FINDINGS_CHECK_MS) {
      this.checked = t;
      const stamp = this.mtimes();
      if (stamp !== this.stamp) {
        this.stamp = stamp;
        const next = loadFindings(this.dir, this.db);
        // Keep serving the old findings if the new ones cannot be read.
        const old = this.current;
        this.current = next.catch(() => old);
      }
    }
    return this.current;
  }
}
