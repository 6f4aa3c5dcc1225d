/**
 * The `FeatureSource` port: the bulk reads the batch detector (`hunt`) asks of a store.
 * Each call is one pass that a columnar store computes in SQL far faster than a row scan
 * in JS (ARCHITECTURE.md: "SQL pushed into the store where that is faster"): per-account
 * aggregates, the account–artifact pairs of the link graph, and a bounded sample of each
 * account's prompts for the text stage.
 *
 * Only fields of the input formats are read: never labels, never the simulator's
 * ground-truth `harvest` flag.
 */

import type { Account } from '../formats/index.js';
import type { HourBits } from '../link/synchrony.js';

/** Gaps under this are machine-fast (a person does not send two prompts within 2 s). */
export const FAST_GAP_MS = 2_000;
/** Post-release window of the pivot signal: the reports saw half a campaign's traffic move within 24 h. */
export const PIVOT_WINDOW_MS = 86_400_000;
/** Exchanges an account must send inside a post-release window for its share to count. */
export const PIVOT_MIN_EXCHANGES = 5;

/** /24 of an IPv4 address, /48 of an IPv6 one: the `subnet` artifact (SUBNET_SQL in SQL). */
export function subnetOf(ip: string): string {
  if (ip.includes(':')) return `${ip.split(':').slice(0, 3).join(':')}::/48`;
  return `${ip.slice(0, ip.lastIndexOf('.'))}.0/24`;
}

/** Per-account behaviour over the whole stored period (one row per account with exchanges). */
export interface AccountAggregate {
  account_id: string;
  exchanges: number;
  first_ts: number;
  last_ts: number;
  /** Distinct clock hours / days (UTC) with at least one exchange. */
  active_hours: number;
  active_days: number;
  /** Most exchanges in one clock hour. */
  peak_hour: number;
  input_tokens: number;
  output_tokens: number;
  /** Shares over the exchanges that carry the field (NaN when none does). */
  single_turn_share: number;
  mean_turns: number;
  tool_share: number;
  reasoning_share: number;
  error_share: number;
  distinct_ips: number;
  distinct_subnets: number;
  distinct_user_agents: number;
  distinct_tls: number;
  distinct_keys: number;
  distinct_end_users: number;
  /** Share of exchanges that declare an end user. */
  end_user_share: number;
  distinct_models: number;
  distinct_system_prompts: number;
  /** Median requested max_tokens (NaN when absent). */
  max_tokens: number;
  /** Most used endpoint ('' when absent). */
  endpoint: string;
  /** Exchanges per hour of day (UTC), 24 entries. */
  hours: number[];
  /** The clock hours it was active in, over its latest ~six weeks (link/synchrony.ts); absent
   * when not known (synchrony links are then not searched for the account). */
  hour_bits?: HourBits;
  /** Inter-arrival gaps: median (ms), coefficient of variation of log gaps, share under 2 s. */
  gap_median_ms: number;
  gap_log_cv: number;
  gap_fast_share: number;
  /** Hours from release to first use of the model released last before or during the period
   * (NaN when never used); largest share of a 24 h post-release window on the new model. */
  pivot_share: number;
  pivot_lag_hours: number;
  pivot_model: string;
}

/** One account's record from the accounts file (all optional but the id). */
export interface AccountInfo {
  account_id: string;
  created_at: number | null;
  pathway: string | null;
  country: string | null;
  email_domain: string | null;
  payment_fingerprint: string | null;
  verified: boolean | null;
  trust: string | null;
}

/** The `AccountInfo` of a validated accounts record (absent fields as null). */
export function accountInfoOf(a: Account): AccountInfo {
  return {
    account_id: a.account_id,
    created_at: a.created_at ?? null,
    pathway: a.pathway ?? null,
    country: a.country ?? null,
    email_domain: a.email_domain ?? null,
    payment_fingerprint: a.payment_fingerprint ?? null,
    verified: a.verified ?? null,
    trust: a.trust ?? null,
  };
}

export const ARTIFACT_KINDS = [
  'ip',
  'subnet',
  'payment_fingerprint',
  'tls_fingerprint',
  'user_agent',
  'email_domain',
  'system_prompt',
  'api_key',
] as const;
export type ArtifactKind = (typeof ARTIFACT_KINDS)[number];

/** An artifact held by at least two accounts, and the accounts that hold it. */
export interface SharedArtifact {
  kind: ArtifactKind;
  value: string;
  accounts: string[];
}

/** One sampled exchange of the text stage. */
export interface TextSampleRow {
  account_id: string;
  ts: number;
  end_user_id: string | null;
  prompt: string | null;
  system_prompt: string | null;
  prompt_fingerprint: string | null;
  tool_count: number;
}

/** What the deployment ships: which columns hold anything at all. */
export interface ColumnPresence {
  prompt: number;
  prompt_fingerprint: number;
  system_prompt: number;
  end_user_id: number;
  tls_fingerprint: number;
  user_agent: number;
  model: number;
  turns: number;
  reasoning: number;
  output_tokens: number;
}

export interface DailyCount {
  account_id: string;
  day: string;
  exchanges: number;
  output_tokens: number;
}

/** One exchange of an account whose traffic is judged exchange by exchange (resellers). */
export interface UnitExchangeRow {
  request_id: string | null;
  account_id: string;
  end_user_id: string | null;
  prompt: string | null;
  system_prompt: string | null;
  prompt_fingerprint: string | null;
  tool_count: number;
}

export type YardstickQuery = 'count' | 'distinct_ips' | 'gaps';

export interface FeatureSource {
  /** Exchanges stored and the columns a deployment actually fills (1 when any exchange
   * carries the field, 0 when none does). */
  presence(): Promise<{ exchanges: number; filled: ColumnPresence }>;
  accountAggregates(): Promise<AccountAggregate[]>;
  accountInfo(): Promise<AccountInfo[]>;
  releases(): Promise<{ model: string; released_at: number }[]>;
  /** Artifacts shared by 2..maxAccounts accounts (larger ones carry no linking weight). */
  sharedArtifacts(maxAccounts: number): Promise<{ shared: SharedArtifact[]; tooCommon: number }>;
  /** About `perAccount` exchanges per account (of `only` accounts, when given), chosen by a
   * hash of their key — deterministic, and a larger sample contains a smaller one — in batches
   * ordered by account then time (an account's rows may span batches). */
  textSample(perAccount: number, only?: readonly string[]): AsyncIterable<TextSampleRow[]>;
  /** Every exchange of the given accounts (for per-exchange verdicts), in batches ordered by
   * account then time (an account's rows may span batches). */
  unitExchanges(accounts: readonly string[]): AsyncIterable<UnitExchangeRow[]>;
  /** Exchanges and output tokens per account per UTC day, for the given accounts. */
  daily(accounts: readonly string[]): Promise<DailyCount[]>;
  /** A bare `GROUP BY account_id` count over the same table: the speed yardstick; or, for the
   * benchmark's reading of it, one of two irreducible pieces of what the detector must compute
   * (distinct addresses per account, the spread of its inter-arrival gaps). */
  bareGroupBy(what?: YardstickQuery): Promise<number>;
}
