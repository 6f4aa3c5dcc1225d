/**
 * What both renderers show, computed once: the limits that keep the report small, the
 * score histogram and the top flagged accounts (one pass over all verdicts), campaign
 * timelines on a common day axis, and number/time formatting. All pure and deterministic:
 * no clock, no locale (thousands separators are written by hand, times are always UTC).
 */
import type { Campaign, Verdict } from '../formats/index.js';
import { CAPABILITIES } from '../formats/index.js';
import type { ReportInput } from './types.js';

/** Size limits. The report must open instantly for 200k verdicts and 500 campaigns, and an
 * analyst reads a ranked list from the top: what is cut is counted ("+N more") and is in
 * `verdicts.jsonl` / `campaigns.jsonl` in full. */
export const LIMITS = {
  /** Rows of the flagged-accounts table (the brief of the report: top 200 by score). */
  flaggedRows: 200,
  /** Rows of the campaigns table: one line each, ~1.5 kB of HTML, so 500 rows ≈ 0.75 MB. */
  campaignRows: 500,
  /** Campaigns given a full section (timeline, indicators, evidence, members): ~15 kB of
   * HTML each at most, so 100 keep the file within a few MB. */
  campaignSections: 100,
  /** Member accounts listed per campaign. */
  members: 50,
  /** Values listed per indicator kind. */
  indicatorValues: 10,
  /** Evidence items per campaign section (campaigns carry a handful; this only bounds abuse). */
  evidence: 50,
  /** Evidence items quoted in one row of the campaigns / flagged-accounts tables. */
  campaignRowEvidence: 3,
  accountRowEvidence: 2,
  /** Score histogram bins of width 0.05. */
  histogramBins: 20,
  /** Bars in a timeline chart: a year of days fits; longer spans are binned by several days. */
  timelineBars: 400,
  /** Characters of a Markdown sparkline (fits a terminal and a GitHub page). */
  sparkline: 60,
  /** Model releases listed under the summary. */
  releases: 20,
  /** Characters kept of an id, an indicator value and an evidence text in tables. Ids are at
   * most 512 by the format; nobody reads more than this in a table cell. */
  idChars: 80,
  textChars: 200,
} as const;

export const VERDICT_KINDS = ['clear', 'watch', 'throttle', 'block'] as const;
export type Kind = (typeof VERDICT_KINDS)[number];

export function assertNever(x: never): never {
  throw new Error(`unexpected value: ${String(x)}`);
}

// ---- one pass over the verdicts -------------------------------------------------------

export interface HistogramBin {
  lo: number;
  hi: number;
  total: number;
  byKind: Record<Kind, number>;
}
export interface VerdictScan {
  bins: HistogramBin[];
  maxBin: number;
  scored: number;
  /** Accounts whose verdict is not `clear`, all of them (for the "of N" count). */
  flaggedTotal: number;
  /** The top `LIMITS.flaggedRows` flagged accounts, score desc then account id. */
  topFlagged: Verdict[];
}

function byScoreThenId(a: Verdict, b: Verdict): number {
  const d = safeScore(b.score) - safeScore(a.score);
  if (d !== 0) return d;
  return a.account_id < b.account_id ? -1 : a.account_id > b.account_id ? 1 : 0;
}

function safeScore(s: number): number {
  return Number.isFinite(s) ? s : -1;
}

export function scanVerdicts(verdicts: readonly Verdict[]): VerdictScan {
  const nb = LIMITS.histogramBins;
  const totals = new Array<number>(nb).fill(0);
  const kinds = VERDICT_KINDS.map(() => new Array<number>(nb).fill(0));
  const flagged: Verdict[] = [];
  for (const v of verdicts) {
    const s = Number.isFinite(v.score) ? Math.min(1, Math.max(0, v.score)) : 0;
    const b = Math.min(nb - 1, Math.floor(s * nb));
    totals[b] = (totals[b] ?? 0) + 1;
    const k = VERDICT_KINDS.indexOf(v.verdict);
    const row = kinds[k];
    if (row !== undefined) row[b] = (row[b] ?? 0) + 1;
    if (v.verdict !== 'clear') flagged.push(v);
  }
  flagged.sort(byScoreThenId);
  const bins: HistogramBin[] = totals.map((total, i) => ({
    lo: i / nb,
    hi: (i + 1) / nb,
    total,
    byKind: {
      clear: kinds[0]?.[i] ?? 0,
      watch: kinds[1]?.[i] ?? 0,
      throttle: kinds[2]?.[i] ?? 0,
      block: kinds[3]?.[i] ?? 0,
    },
  }));
  return {
    bins,
    maxBin: Math.max(0, ...totals),
    scored: verdicts.length,
    flaggedTotal: flagged.length,
    topFlagged: flagged.slice(0, LIMITS.flaggedRows),
  };
}

/** The verdict kind with most accounts in a bin (ties to the more severe), for its colour. */
export function dominantKind(bin: HistogramBin): Kind {
  let best: Kind = 'clear';
  for (const k of VERDICT_KINDS) if (bin.byKind[k] >= bin.byKind[best]) best = k;
  return best;
}

// ---- timelines ------------------------------------------------------------------------

export const DAY_MS = 86_400_000;

/** 'YYYY-MM-DD' → UTC midnight in ms, NaN when not a day. */
export function parseDay(day: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (m === null) return Number.NaN;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return new Date(ms).toISOString().startsWith(day) ? ms : Number.NaN;
}

export function floorDay(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

export interface Release {
  model: string;
  ms: number;
}

/** Releases with a valid time, in time order (then by model). */
export function parseReleases(releases: ReportInput['releases']): Release[] {
  return releases
    .map((r) => ({ model: r.model, ms: Date.parse(r.released_at) }))
    .filter((r) => Number.isFinite(r.ms))
    .sort((a, b) => a.ms - b.ms || (a.model < b.model ? -1 : a.model > b.model ? 1 : 0));
}

/** Releases inside the report's period (all of them when the period is unknown). */
export function releasesInPeriod(period: ReportInput['period'], releases: readonly Release[]): Release[] {
  if (period === null) return [...releases];
  const first = Date.parse(period.first);
  const last = Date.parse(period.last);
  if (!Number.isFinite(first) || !Number.isFinite(last)) return [...releases];
  return releases.filter((r) => r.ms >= first && r.ms <= last);
}

export interface Series {
  /** UTC midnight of the first day on the axis. */
  start: number;
  /** Days on the axis (the span is `days * DAY_MS`). */
  days: number;
  /** Days per bar. */
  binDays: number;
  values: number[];
  max: number;
  total: number;
  /** Releases inside the span, with their position along it in [0, 1]. */
  releases: { model: string; ms: number; at: number }[];
}

export function timelineOf(input: ReportInput, campaignId: string): { day: string; exchanges: number }[] {
  return Object.hasOwn(input.timelines, campaignId) ? (input.timelines[campaignId] ?? []) : [];
}

/**
 * A campaign's daily counts on the report's period (so that charts of different
 * campaigns line up), widened to cover days outside it; binned to at most
 * `LIMITS.timelineBars` bars. Null when there is nothing to draw.
 */
export function buildSeries(
  period: ReportInput['period'],
  timeline: readonly { day: string; exchanges: number }[],
  releases: readonly Release[],
  maxBars: number = LIMITS.timelineBars,
): Series | null {
  const points: { ms: number; n: number }[] = [];
  for (const p of timeline) {
    const ms = parseDay(p.day);
    if (Number.isFinite(ms) && Number.isFinite(p.exchanges) && p.exchanges > 0) {
      points.push({ ms, n: p.exchanges });
    }
  }
  if (points.length === 0) return null;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const p of points) {
    lo = Math.min(lo, p.ms);
    hi = Math.max(hi, p.ms);
  }
  if (period !== null) {
    const first = Date.parse(period.first);
    const last = Date.parse(period.last);
    if (Number.isFinite(first) && Number.isFinite(last) && first <= last) {
      lo = Math.min(lo, floorDay(first));
      hi = Math.max(hi, floorDay(last));
    }
  }
  const days = Math.round((hi - lo) / DAY_MS) + 1;
  const binDays = Math.max(1, Math.ceil(days / Math.max(1, maxBars)));
  const values = new Array<number>(Math.ceil(days / binDays)).fill(0);
  for (const p of points) {
    const i = Math.floor(Math.round((p.ms - lo) / DAY_MS) / binDays);
    values[i] = (values[i] ?? 0) + p.n;
  }
  let max = 0;
  let total = 0;
  for (const v of values) {
    max = Math.max(max, v);
    total += v;
  }
  const span = days * DAY_MS;
  const inside = releases
    .filter((r) => r.ms >= lo && r.ms < lo + span)
    .map((r) => ({ model: r.model, ms: r.ms, at: (r.ms - lo) / span }));
  return { start: lo, days, binDays, values, max, total, releases: inside };
}

// ---- campaigns --------------------------------------------------------------------------

export interface CapabilityShare {
  name: string;
  share: number;
  /** Index into CAPABILITIES, -1 for a name outside the vocabulary. */
  index: number;
}

/** Capability shares, largest first (ties in vocabulary order), zero shares dropped. */
export function capabilityMix(c: Campaign): CapabilityShare[] {
  const out: CapabilityShare[] = [];
  for (const [name, share] of Object.entries(c.capabilities)) {
    if (typeof share !== 'number' || !Number.isFinite(share) || share <= 0) continue;
    out.push({ name, share, index: (CAPABILITIES as readonly string[]).indexOf(name) });
  }
  const rank = (x: CapabilityShare) => (x.index < 0 ? CAPABILITIES.length : x.index);
  return out.sort(
    (a, b) => b.share - a.share || rank(a) - rank(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
}

/** The first `limit` items and how many were left out. */
export function head<T>(items: readonly T[], limit: number): { shown: readonly T[]; more: number } {
  return items.length <= limit
    ? { shown: items, more: 0 }
    : { shown: items.slice(0, limit), more: items.length - limit };
}

// ---- formatting -------------------------------------------------------------------------

export function fmtInt(n: number): string {
  if (!Number.isFinite(n)) return '—';
  const s = String(Math.abs(Math.round(n))).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return n < 0 && Math.round(n) !== 0 ? `-${s}` : s;
}

/** A measured value: integers grouped, others to 3 significant digits. */
export function fmtNum(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Number.isInteger(n) || Math.abs(n) >= 1000) return fmtInt(n);
  return String(Number(n.toPrecision(3)));
}

/** A configured number, shown exactly (a threshold of 0.8125 is not 0.813). */
export function fmtExact(n: number): string {
  return Number.isInteger(n) ? fmtInt(n) : String(n);
}

export function fmtScore(s: number): string {
  return Number.isFinite(s) ? s.toFixed(3) : '—';
}

export function fmtPct(share: number): string {
  const p = share * 100;
  if (p > 0 && p < 1) return '<1%';
  return `${Math.round(p)}%`;
}

export function fmtSeconds(s: number): string {
  return Number.isFinite(s) ? s.toFixed(2) : '—';
}

/** Evidence value or baseline as text (still to be escaped: strings are data). */
export function fmtValue(v: number | string | null): string {
  if (v === null) return '—';
  return typeof v === 'number' ? fmtNum(v) : v;
}

/** RFC 3339 → 'YYYY-MM-DD HH:MM' UTC, or null when it does not parse (show the raw string). */
export function fmtTime(s: string): string | null {
  const ms = Date.parse(s);
  if (!Number.isFinite(ms)) return null;
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

export function fmtDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The text mode in words. */
export function textModeText(mode: ReportInput['textMode']): string {
  switch (mode) {
    case 'raw':
      return 'raw prompt text was available';
    case 'fingerprint':
      return 'only prompt fingerprints were available (no raw text), so content signals ran on fingerprints';
    case 'none':
      return 'neither prompt text nor fingerprints were available, so content signals could not run';
    default:
      return assertNever(mode);
  }
}

/**
 * The summary paragraph, shared by both formats. `esc` escapes data strings for the
 * output format; `em` marks a figure as emphasised.
 */
export function summaryText(
  input: ReportInput,
  esc: (s: string) => string,
  em: (s: string) => string,
): string {
  const c = input.counts;
  const time = (s: string) => {
    const t = fmtTime(s);
    return t === null ? esc(s) : `${t} UTC`;
  };
  const period =
    input.period === null ? '' : ` between ${time(input.period.first)} and ${time(input.period.last)}`;
  const vc = input.verdictCounts;
  const flagged = `${em(fmtInt(c.flagged))} flagged (${fmtInt(vc.block)} block, ${fmtInt(vc.throttle)} throttle, ${fmtInt(vc.watch)} watch)`;
  return (
    `${em(fmtInt(c.exchanges))} exchanges from ${em(fmtInt(c.accounts))} accounts${period}. ` +
    `${flagged}; ${em(fmtInt(c.campaigns))} ${c.campaigns === 1 ? 'campaign' : 'campaigns'} detected. ` +
    `Text mode: ${input.textMode} — ${textModeText(input.textMode)}.`
  );
}
