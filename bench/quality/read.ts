/**
 * File-reading wrappers: labels and exchanges through the project's readers
 * (`openRecords`), detector outputs (verdicts, campaigns, alerts, exchange verdicts) as
 * JSON Lines (plain or .gz) through `readLines` + the zod schemas of formats.md. A bad line
 * is counted and reported with file:line and reason, and never stops the run (STYLE.md §7);
 * a missing file throws FormatError('file_not_found').
 */
import { z } from 'zod';
import { Alert, Campaign, openRecords, parseTimestamp, readLines, Verdict } from '../../src/formats/index.js';
import { ScoreError } from './errors.js';
import { ExchangeTally, type ExchangeVerdictRow, indexExchangeVerdicts } from './exchanges.js';
import { assembleReport, type InputIssue, type ScoreReport } from './report.js';
import { type AlertRow, type CampaignRow, joinTruth, type LabelRow, type VerdictRow } from './truth.js';

/** exchange_verdicts.jsonl (docs/scoring.md): an additive output format, per exchange or per end user. */
export const ExchangeVerdictIn = z.union([
  z.object({
    request_id: z.string().min(1),
    flagged: z.boolean(),
    score: z.number().min(0).max(1).optional(),
  }),
  z.object({ account_id: z.string().min(1), end_user_id: z.string().min(1), flagged: z.boolean() }),
]);

/** What a record mapper returns to reject a line that passed the schema. */
export class Reject {
  constructor(readonly reason: string) {}
}

export interface Read<T> {
  records: T[];
  issues: InputIssue[];
}

function zodReason(err: z.ZodError): string {
  const i = err.issues[0];
  if (i === undefined) return 'invalid record';
  const field = i.path.length > 0 ? `${i.path.join('.')}: ` : '';
  return `${field}${i.message}`;
}

/** Reads JSON Lines validated by `schema`, then mapped by `map` (which may reject with a reason). */
export async function readJsonLines<S extends z.ZodType, T>(
  path: string,
  schema: S,
  map: (v: z.output<S>) => T | Reject,
): Promise<Read<T>> {
  const out: Read<T> = { records: [], issues: [] };
  for await (const b of readLines(path)) {
    for (const i of b.issues) out.issues.push({ file: i.file, line: i.line, code: i.code, reason: i.reason });
    for (let k = 0; k < b.lines.length; k++) {
      const line = b.lineNos[k]!;
      let obj: unknown;
      try {
        obj = JSON.parse(b.lines[k]!);
      } catch (err) {
        out.issues.push({ file: path, line, code: 'bad_json', reason: `not valid JSON (${String(err)})` });
        continue;
      }
      const v = schema.safeParse(obj);
      if (!v.success) {
        out.issues.push({ file: path, line, code: 'bad_record', reason: zodReason(v.error) });
        continue;
      }
      const m = map(v.data);
      if (m instanceof Reject) {
        out.issues.push({ file: path, line, code: 'bad_record', reason: m.reason });
        continue;
      }
      out.records.push(m);
    }
  }
  return out;
}

export async function readLabels(path: string): Promise<Read<LabelRow>> {
  const out: Read<LabelRow> = { records: [], issues: [] };
  for await (const b of openRecords(path, 'labels')) {
    out.records.push(...b.records);
    for (const i of b.issues) out.issues.push({ file: i.file, line: i.line, code: i.code, reason: i.reason });
  }
  return out;
}

export function readVerdicts(path: string): Promise<Read<VerdictRow>> {
  return readJsonLines(path, Verdict, (v) => v);
}

export function readCampaigns(path: string): Promise<Read<CampaignRow>> {
  return readJsonLines(path, Campaign, (c) => c);
}

export function readAlerts(path: string): Promise<Read<AlertRow>> {
  return readJsonLines(path, Alert, (a): AlertRow | Reject => {
    const ts = parseTimestamp(a.ts);
    return Number.isNaN(ts)
      ? new Reject(`ts: not a valid timestamp: ${a.ts}`)
      : { ts, account_id: a.account_id, verdict: a.verdict };
  });
}

export function readExchangeVerdicts(path: string): Promise<Read<ExchangeVerdictRow>> {
  return readJsonLines(path, ExchangeVerdictIn, (v): ExchangeVerdictRow => v);
}

export interface ScorePaths {
  labels: string;
  verdicts: string;
  campaigns?: string | undefined;
  alerts?: string | undefined;
  exchanges?: string | undefined;
  exchangeVerdicts?: string | undefined;
  allowUnknown?: boolean | undefined;
}

/**
 * Scores files: every section their presence allows. Exchanges are streamed, never held.
 * Throws FormatError for a missing or unreadable file, ScoreError for files that disagree.
 */
export async function scoreFiles(p: ScorePaths): Promise<ScoreReport> {
  const labels = await readLabels(p.labels);
  const verdicts = await readVerdicts(p.verdicts);
  const campaigns = p.campaigns === undefined ? undefined : await readCampaigns(p.campaigns);
  const alerts = p.alerts === undefined ? undefined : await readAlerts(p.alerts);
  const exVerdicts =
    p.exchangeVerdicts === undefined ? undefined : await readExchangeVerdicts(p.exchangeVerdicts);
  const issues = [labels, verdicts, campaigns, alerts, exVerdicts].flatMap((r) => r?.issues ?? []);
  const input = {
    labels: labels.records,
    verdicts: verdicts.records,
    campaigns: campaigns?.records,
    alerts: alerts?.records,
    allowUnknown: p.allowUnknown,
  };
  const truth = joinTruth(input);
  const ev = exVerdicts === undefined ? undefined : indexExchangeVerdicts(exVerdicts.records);
  let exchanges = null;
  if (p.exchanges !== undefined) {
    const tally = new ExchangeTally(truth, ev, alerts?.records);
    let read = 0;
    for await (const b of openRecords(p.exchanges, 'exchanges')) {
      for (const ex of b.records) tally.add(ex);
      read += b.records.length;
      for (const i of b.issues) {
        if (i.action === 'rejected' || i.action === 'file') {
          issues.push({ file: i.file, line: i.line, code: i.code, reason: i.reason });
        }
      }
    }
    if (read === 0) throw new ScoreError('empty_exchanges', `${p.exchanges}: no valid exchange`);
    exchanges = tally.finish();
  }
  const inputs: Record<string, string | null> = {
    labels: p.labels,
    verdicts: p.verdicts,
    campaigns: p.campaigns ?? null,
    alerts: p.alerts ?? null,
    exchanges: p.exchanges ?? null,
    exchange_verdicts: p.exchangeVerdicts ?? null,
  };
  return assembleReport(truth, input, exchanges, { inputs, issues });
}
