/**
 * Shapes of the API's JSON replies: the contract between `src/server` and the dashboard in
 * `web/` (which imports these types only). No runtime code and no Node imports here.
 */

export type Role = 'viewer' | 'analyst' | 'admin';
export type VerdictKind = 'clear' | 'watch' | 'throttle' | 'block';
export type ReviewStatus = 'confirmed' | 'dismissed';
export type TrustValue = 'known_customer' | 'partner' | 'none';
export type EnforcementAction = 'allow' | 'throttle' | 'step_up' | 'degrade' | 'block';

export interface ApiErrorBody {
  error: { code: string; message: string; issues?: { field: string; code: string; reason: string }[] };
}

export interface SessionInfo {
  user: string;
  role: Role;
  /** Echo in the x-csrf-token header of every mutation (null for API tokens). */
  csrf: string | null;
  /** Whether this role receives raw prompt text. */
  rawText: boolean;
}

export interface EvidenceItem {
  signal: string;
  value: number | string;
  baseline: number | string | null;
  weight: number;
  /** The detector's own sentence (with context such as cluster composition). */
  detail: string;
  /** Words from src/explain for the code, value and baseline. */
  words: string;
}

/** Analyst decisions on a target, as currently in force. */
export interface Decisions {
  status: ReviewStatus | null;
  trust: TrustValue | null;
  action: EnforcementAction | null;
  updated_at: string | null;
  updated_by: string | null;
}

export interface Overview {
  exchanges: number;
  accounts: number;
  period: { first: string; last: string } | null;
  textMode: 'raw' | 'fingerprint' | 'none';
  verdictCounts: Record<VerdictKind, number>;
  campaigns: number;
  accountsInCampaigns: number;
  outputTokensInCampaigns: number;
  scoreHistogram: { bins: number; counts: Record<VerdictKind, number[]> };
  /** Exchanges per UTC day, all accounts and accounts in campaigns. */
  volume: { days: string[]; all: number[]; campaigns: number[] };
  /** Capability mix over all campaigns, weighted by exchanges. */
  capabilityMix: Record<string, number>;
  releases: { model: string; released_at: string }[];
  findings: { dir: string; loadedAt: string; badLines: number; exchangeVerdicts: boolean };
  indexes: { status: 'building' | 'ready' | 'failed'; seconds?: number; message?: string };
  alerts: { file: string | null };
}

export interface CampaignSummary {
  campaign_id: string;
  score: number;
  accounts: number;
  exchanges: number;
  output_tokens: number;
  first_seen: string;
  last_seen: string;
  capabilities: Record<string, number>;
  indicatorCounts: Record<string, number>;
  topEvidence: string | null;
  decisions: Decisions;
}

export interface CampaignList {
  total: number;
  items: CampaignSummary[];
}

export interface MemberRow {
  account_id: string;
  score: number | null;
  verdict: VerdictKind | null;
  exchanges: number;
  output_tokens: number;
  decisions: Decisions;
}

export interface CampaignDetail extends Omit<CampaignSummary, 'accounts'> {
  accounts: number;
  members: MemberRow[];
  indicators: Record<string, string[]>;
  evidence: EvidenceItem[];
}

export interface GraphNode {
  id: string;
  kind: 'account' | string;
  label: string;
  /** Accounts: score; artifacts: members holding it. */
  weight: number;
  /** Artifact listed among the campaign's shared indicators. */
  indicator: boolean;
}

export interface CampaignGraph {
  nodes: GraphNode[];
  /** [account node id, artifact node id]. */
  edges: [string, string][];
  /** Artifacts left out beyond the cap (fewest members first). */
  truncated: number;
}

export interface Timeline {
  days: string[];
  /** Exchanges per day, per model. */
  models: Record<string, number[]>;
  /** Per-account daily exchanges, largest accounts first (at most `limit`). */
  accounts: { account_id: string; counts: number[] }[];
  totalAccounts: number;
  releases: { model: string; released_at: string }[];
}

export interface PromptView {
  /** Raw text: only for roles that may read it (null otherwise, or when the store has none). */
  prompt: string | null;
  /** The prompt's template skeleton (numbers, names, quotes, code masked). */
  skeleton: string | null;
  /** 64-bit dgfp1 fingerprint (stored, or computed from the text). */
  fingerprint: string | null;
  truncated: boolean;
}

export interface SampleRow extends PromptView {
  account_id: string;
  ts: string;
  model: string | null;
  request_id: string | null;
}

export interface Samples {
  redacted: boolean;
  items: SampleRow[];
}

export interface MetricRow {
  metric: string;
  value: number | null;
  /** Median over accounts of the same size class (exchanges within the same power of two). */
  peerMedian: number | null;
}

export interface LinkedAccount {
  account_id: string;
  shared: number;
  kinds: string[];
  score: number | null;
  verdict: VerdictKind | null;
  campaign_id: string | null;
}

export interface AccountDetail {
  account_id: string;
  info: Record<string, string | number | boolean | null> | null;
  verdict: { score: number; verdict: VerdictKind; campaign_id: string | null } | null;
  evidence: EvidenceItem[];
  metrics: MetricRow[];
  peers: { sizeClass: string; accounts: number } | null;
  linked: LinkedAccount[];
  decisions: Decisions;
}

export interface ExchangeRow extends PromptView {
  ts: string;
  request_id: string | null;
  ip: string;
  end_user_id: string | null;
  user_agent: string | null;
  model: string | null;
  endpoint: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  status: number | null;
  reasoning: boolean | null;
  /** Per-exchange verdict of a multi-user account (exchange_verdicts.jsonl), if any. */
  flagged: boolean | null;
  system_prompt_md5: string | null;
}

export interface ExchangePage {
  redacted: boolean;
  items: ExchangeRow[];
  /** Pass as `before` for the next (older) page; null at the end. */
  next: number | null;
}

export interface SearchHit {
  account_id: string;
  matches: number;
  score: number | null;
  verdict: VerdictKind | null;
  campaign_id: string | null;
}

export interface SearchResult {
  kind: string;
  query: string;
  /** What was actually matched (e.g. the template key of a pasted prompt, a CIDR range). */
  matched: string;
  hits: SearchHit[];
  /** More matches exist than were returned, or the candidate scan was capped. */
  partial: boolean;
}

export interface AlertItem {
  ts: string;
  account_id: string;
  verdict: VerdictKind;
  score: number;
  campaign_id: string | null;
  evidence: EvidenceItem[];
}

export interface AuditEntry {
  seq: number;
  ts: string;
  actor: string;
  role: Role;
  target: { kind: 'campaign' | 'account' | 'user' | 'token'; id: string };
  field: 'status' | 'trust' | 'action' | 'user' | 'token';
  value: string | null;
  previous: string | null;
  reason: string;
}

export interface AuditPage {
  total: number;
  items: AuditEntry[];
}
