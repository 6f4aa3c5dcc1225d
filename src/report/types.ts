import type { Campaign, Verdict } from '../formats/index.js';

/** Everything the `hunt` report shows. Built by the caller; rendering is pure (no clock, no I/O). */
export interface ReportInput {
  generatedAt: string; // RFC 3339
  source: string; // e.g. the database path
  command: string; // the command line that produced it
  period: { first: string; last: string } | null; // RFC 3339, of the exchanges
  counts: { exchanges: number; accounts: number; flagged: number; campaigns: number };
  /** What text the deployment shipped: raw prompts, only prompt_fingerprint, or neither. */
  textMode: 'raw' | 'fingerprint' | 'none';
  /** Signals the run could not compute, and why (e.g. no prompt text, no accounts file). */
  unavailableSignals: { signal: string; reason: string }[];
  /** Named thresholds in force, with where each number comes from. */
  thresholds: { name: string; value: number; reason: string }[];
  /** Every account scored (may be 200k+): tables show only the top flagged; the histogram uses all. */
  verdicts: Verdict[];
  campaigns: Campaign[]; // sorted by score desc
  /** Exchanges per UTC day per campaign (campaign_id → [{ day: 'YYYY-MM-DD', exchanges }]). */
  timelines: Record<string, { day: string; exchanges: number }[]>;
  releases: { model: string; released_at: string }[];
  /** Verdict counts by kind. */
  verdictCounts: Record<'clear' | 'watch' | 'throttle' | 'block', number>;
  timings?: { stage: string; seconds: number }[];
}
