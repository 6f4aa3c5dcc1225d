/**
 * The analyst feedback file (`feedback.json`, docs/feedback.md): what analysts decided in the
 * dashboard, as a document that `hunt`, `watch` and the gateway read. Written by
 * `distillguard serve` (a projection of its append-only journal), never edited by hand in
 * normal use; validated here with zod at the edge like every other input (STYLE.md §8).
 */
import { z } from 'zod';
import { TRUST } from '../formats/index.js';

export const FEEDBACK_VERSION = 1;

/** Enforcement actions, least to most severe (the same names as the gateway's policy). */
export const ENFORCEMENT_ACTIONS = ['allow', 'throttle', 'step_up', 'degrade', 'block'] as const;
export type EnforcementAction = (typeof ENFORCEMENT_ACTIONS)[number];

/** confirmed: analysts agree it harvests; dismissed: a false positive. */
export const REVIEW_STATUSES = ['confirmed', 'dismissed'] as const;
export type ReviewStatus = (typeof REVIEW_STATUSES)[number];

export type Trust = (typeof TRUST)[number];

const rfc3339 = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/, 'must be UTC RFC 3339');
const id = z.string().min(1).max(512);

/** Who decided last, when and why (the full history is in the server's journal). */
const Provenance = z.object({
  updated_at: rfc3339,
  updated_by: z.string().min(1).max(128),
  reason: z.string().max(2000),
});

export const AccountFeedback = Provenance.extend({
  status: z.enum(REVIEW_STATUSES).optional(),
  trust: z.enum(TRUST).optional(),
  action: z.enum(ENFORCEMENT_ACTIONS).optional(),
});
export type AccountFeedback = z.infer<typeof AccountFeedback>;

export const CampaignFeedback = Provenance.extend({
  status: z.enum(REVIEW_STATUSES).optional(),
  action: z.enum(ENFORCEMENT_ACTIONS).optional(),
  /** Members when the last decision was taken: campaign ids change when the data does, so the
   * file carries what the decision was about. */
  accounts: z.array(id),
  /** Shared indicators (kind → values, as in campaigns.jsonl) when the last decision was taken. */
  indicators: z.record(z.string().min(1), z.array(z.string())),
});
export type CampaignFeedback = z.infer<typeof CampaignFeedback>;

export const FeedbackFile = z.object({
  version: z.literal(FEEDBACK_VERSION),
  generated_at: rfc3339,
  accounts: z.record(id, AccountFeedback),
  campaigns: z.record(id, CampaignFeedback),
});
export type FeedbackFile = z.infer<typeof FeedbackFile>;

export function emptyFeedback(generatedAt = new Date().toISOString()): FeedbackFile {
  return { version: FEEDBACK_VERSION, generated_at: generatedAt, accounts: {}, campaigns: {} };
}

/** One problem of a feedback file: where (a JSON path) and why, with a stable code. */
export interface FeedbackIssue {
  path: string;
  code: string;
  message: string;
}

export type FeedbackParse =
  | { success: true; data: FeedbackFile }
  | { success: false; issues: FeedbackIssue[] };

export function parseFeedback(value: unknown): FeedbackParse {
  const r = FeedbackFile.safeParse(value);
  if (r.success) return { success: true, data: r.data };
  return {
    success: false,
    issues: r.error.issues.map((i) => ({
      path: i.path.map(String).join('.') || '(root)',
      code: i.code,
      message: i.message,
    })),
  };
}
