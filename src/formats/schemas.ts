/**
 * Zod schemas of `spec/formats.md`, version 1: the contract with users, the simulator
 * and the benchmark. Inputs are validated here and nowhere else; inside the project the
 * inferred types are used as they are (STYLE.md §8).
 *
 * Wire values are normalised on the way in: timestamps become epoch milliseconds,
 * IP addresses are checked (and IPv6 lower-cased), unknown fields are kept in `extra`
 * so that they can be passed through to storage (formats.md: "Unknown fields are kept").
 */
import { isIP } from 'node:net';
import { z } from 'zod';

/** Earliest and latest instants accepted as a real event time. An LLM API log older than
 * 2015 or later than 2100 is a unit error (seconds for milliseconds) or corruption. */
export const MIN_TS_MS = Date.UTC(2015, 0, 1);
export const MAX_TS_MS = Date.UTC(2100, 0, 1);

/** Prompts longer than this are cut on ingest (and the cut reported): a 10 MB prompt is a
 * real thing a log can hold, but nothing the detector does needs more than its start. */
export const MAX_TEXT_CHARS = 64 * 1024;

export const AccountId = z.string().min(1).max(512).brand<'AccountId'>();
export type AccountId = z.infer<typeof AccountId>;
export const CampaignId = z.string().min(1).max(512).brand<'CampaignId'>();
export type CampaignId = z.infer<typeof CampaignId>;
export const RequestId = z.string().min(1).max(512).brand<'RequestId'>();
export type RequestId = z.infer<typeof RequestId>;

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

/** Parses an RFC 3339 string or epoch milliseconds; returns NaN when impossible. */
export function parseTimestamp(v: unknown): number {
  if (typeof v === 'number') return Number.isFinite(v) ? v : Number.NaN;
  if (typeof v !== 'string') return Number.NaN;
  const m = RFC3339.exec(v);
  if (m === null) {
    // epoch milliseconds written as a string (CSV carries everything as text)
    if (/^\d{10,16}$/.test(v)) return Number(v);
    return Number.NaN;
  }
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = Number(m[6]);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return Number.NaN;
  }
  const ms = Date.parse(v.replace(' ', 'T'));
  if (!Number.isFinite(ms)) return Number.NaN;
  // Date.parse rolls 31 Feb over to 3 Mar: reject days that do not exist in that month.
  const daysInMonth = new Date(Date.UTC(Number(m[1]), month, 0)).getUTCDate();
  return day > daysInMonth ? Number.NaN : ms;
}

/** Timestamp on the wire (RFC 3339 or epoch ms) → epoch ms inside. */
export const Timestamp = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const ms = parseTimestamp(v);
  if (Number.isNaN(ms)) {
    ctx.addIssue({
      code: 'custom',
      message: 'not an RFC 3339 timestamp or epoch milliseconds',
      params: { dg: 'bad_timestamp' },
    });
    return z.NEVER;
  }
  if (ms < MIN_TS_MS || ms > MAX_TS_MS) {
    ctx.addIssue({
      code: 'custom',
      message: `timestamp ${String(v)} is outside 2015..2100 (seconds instead of milliseconds?)`,
      params: { dg: 'impossible_timestamp' },
    });
    return z.NEVER;
  }
  return ms;
});

export const IpAddress = z.string().transform((v, ctx) => {
  const s = v.trim();
  const family = isIP(s);
  if (family === 0) {
    ctx.addIssue({
      code: 'custom',
      message: `not an IPv4 or IPv6 address: ${JSON.stringify(v.slice(0, 60))}`,
      params: { dg: 'bad_ip' },
    });
    return z.NEVER;
  }
  return family === 6 ? s.toLowerCase() : s;
});

const count = z.number().int().nonnegative();
const optText = z.string().max(MAX_TEXT_CHARS);

export const FINGERPRINT_RE = /^[0-9a-f]{16}$/;

export const EXCHANGE_FIELDS = [
  'ts',
  'account_id',
  'ip',
  'request_id',
  'api_key_id',
  'end_user_id',
  'user_agent',
  'tls_fingerprint',
  'forwarded_for',
  'endpoint',
  'model',
  'input_tokens',
  'output_tokens',
  'status',
  'latency_ms',
  'turns',
  'tool_count',
  'reasoning',
  'max_tokens',
  'temperature',
  'system_prompt',
  'prompt',
  'prompt_fingerprint',
] as const;

export const ExchangeIn = z.object({
  ts: Timestamp,
  account_id: AccountId,
  ip: IpAddress,
  request_id: RequestId.optional(),
  api_key_id: z.string().max(512).optional(),
  end_user_id: z.string().max(512).optional(),
  user_agent: z.string().max(2048).optional(),
  tls_fingerprint: z.string().max(512).optional(),
  forwarded_for: z.string().max(2048).optional(),
  endpoint: z.string().max(256).optional(),
  model: z.string().max(256).optional(),
  input_tokens: count.optional(),
  output_tokens: count.optional(),
  status: z.number().int().min(100).max(599).optional(),
  latency_ms: z.number().nonnegative().optional(),
  turns: z.number().int().min(1).optional(),
  tool_count: count.optional(),
  reasoning: z.boolean().optional(),
  max_tokens: z.number().int().optional(),
  temperature: z.number().optional(),
  system_prompt: optText.optional(),
  prompt: optText.optional(),
  prompt_fingerprint: z.string().toLowerCase().regex(FINGERPRINT_RE, 'must be 16 hex digits').optional(),
  // Ground truth the simulator writes into reseller traffic (formats.md "Ground truth");
  // carried for scoring only, never read by detection.
  harvest: z.boolean().optional(),
});
export type ExchangeIn = z.input<typeof ExchangeIn>;
/** An exchange inside the project: `ts` in epoch ms; fields outside the spec in `extra`. */
export type Exchange = z.output<typeof ExchangeIn> & { extra?: Record<string, unknown> };

export const PATHWAYS = ['self_serve', 'education', 'startup', 'research', 'enterprise', 'reseller'] as const;
export const TRUST = ['known_customer', 'partner', 'none'] as const;
/** Whether an accounts-file `trust` puts the account on the provider's allow-list (its score is
 * discounted; the gateway never matches it to a campaign by its artifacts). */
export function isTrusted(trust: string | null | undefined): boolean {
  return trust === 'known_customer' || trust === 'partner';
}

export const ACCOUNT_FIELDS = [
  'account_id',
  'created_at',
  'pathway',
  'country',
  'email_domain',
  'payment_fingerprint',
  'verified',
  'org_name',
  'trust',
] as const;

export const AccountIn = z.object({
  account_id: AccountId,
  created_at: Timestamp.optional(),
  pathway: z.enum(PATHWAYS).optional(),
  country: z
    .string()
    .regex(/^[A-Za-z]{2}$/, 'must be an ISO 3166-1 alpha-2 code')
    .toUpperCase()
    .optional(),
  email_domain: z.string().max(256).optional(),
  payment_fingerprint: z.string().max(512).optional(),
  verified: z.boolean().optional(),
  org_name: z.string().max(512).optional(),
  trust: z.enum(TRUST).optional(),
});
export type Account = z.output<typeof AccountIn> & { extra?: Record<string, unknown> };

export const RELEASE_FIELDS = ['model', 'released_at'] as const;
export const ReleaseIn = z.object({ model: z.string().min(1).max(256), released_at: Timestamp });
export type Release = z.output<typeof ReleaseIn> & { extra?: Record<string, unknown> };

export const LABEL_FIELDS = ['account_id', 'label', 'campaign_id', 'archetype'] as const;
export const LabelIn = z.object({
  account_id: AccountId,
  label: z.enum(['legit', 'attack']),
  campaign_id: CampaignId.nullable(),
  archetype: z.string().min(1),
});
export type Label = z.output<typeof LabelIn> & { extra?: Record<string, unknown> };

// ---- outputs -------------------------------------------------------------------------

export const Evidence = z.object({
  signal: z.string().min(1),
  value: z.union([z.number(), z.string()]),
  baseline: z.union([z.number(), z.string()]).nullable(),
  weight: z.number(),
  detail: z.string(),
});
export type Evidence = z.infer<typeof Evidence>;

export const VERDICTS = ['clear', 'watch', 'throttle', 'block'] as const;
export const VerdictKind = z.enum(VERDICTS);
export type VerdictKind = z.infer<typeof VerdictKind>;

const score01 = z.number().min(0).max(1);
const rfc3339Out = z.string().regex(RFC3339, 'must be an RFC 3339 timestamp');

export const Verdict = z.object({
  account_id: AccountId,
  score: score01,
  verdict: VerdictKind,
  campaign_id: CampaignId.nullable(),
  evidence: z.array(Evidence),
});
export type Verdict = z.infer<typeof Verdict>;

export const CAPABILITIES = [
  'reasoning',
  'coding',
  'tool_use',
  'data_analysis',
  'math',
  'vision',
  'grading',
  'policy_rewrite',
  'creative',
  'general_chat',
  'other',
] as const;
export const Capability = z.enum(CAPABILITIES);
export type Capability = z.infer<typeof Capability>;

export const Campaign = z.object({
  campaign_id: CampaignId,
  accounts: z.array(AccountId),
  exchanges: count,
  output_tokens: count,
  first_seen: rfc3339Out,
  last_seen: rfc3339Out,
  capabilities: z.partialRecord(Capability, score01),
  indicators: z.record(z.string(), z.array(z.string())),
  evidence: z.array(Evidence),
  score: score01,
});
export type Campaign = z.infer<typeof Campaign>;

export const Alert = z.object({
  ts: rfc3339Out,
  account_id: AccountId,
  verdict: VerdictKind,
  score: score01,
  campaign_id: CampaignId.nullable(),
  evidence: z.array(Evidence),
});
export type Alert = z.infer<typeof Alert>;

/** The record kinds a reader can be asked for. */
export const RECORD_SCHEMAS = {
  exchanges: { schema: ExchangeIn, fields: EXCHANGE_FIELDS },
  accounts: { schema: AccountIn, fields: ACCOUNT_FIELDS },
  releases: { schema: ReleaseIn, fields: RELEASE_FIELDS },
  labels: { schema: LabelIn, fields: LABEL_FIELDS },
} as const;
export type RecordKind = keyof typeof RECORD_SCHEMAS;
export interface RecordOf {
  exchanges: Exchange;
  accounts: Account;
  releases: Release;
  labels: Label;
}

/** epoch ms → RFC 3339 (UTC, millisecond precision), the form every writer emits. */
export function toRfc3339(ms: number): string {
  return new Date(ms).toISOString();
}
