/**
 * Answers about a feedback file, in O(1) per question: the gateway asks on every request, hunt
 * once per account or artifact. Pure: build once with `indexFeedback(file)`, no I/O.
 *
 * Precedence (docs/feedback.md): a decision about the account itself wins over one about a
 * campaign that lists it; among campaigns, a confirmed one wins over a dismissed one and the
 * most severe action wins. An indicator listed by a confirmed campaign counts as confirmed even
 * if a dismissed campaign lists it too (shared infrastructure that served a confirmed campaign
 * is not cleared by a false positive elsewhere).
 */
import {
  type AccountFeedback,
  type CampaignFeedback,
  ENFORCEMENT_ACTIONS,
  type EnforcementAction,
  type FeedbackFile,
  type ReviewStatus,
  type Trust,
} from './schema.js';

/**
 * Multipliers hunt applies to the linking weight of an indicator. A dismissed campaign's shared
 * infrastructure was judged innocent once: halving its weight still lets it link accounts that
 * share it with other evidence, but no longer alone. A confirmed campaign's indicators are
 * proven harvesting infrastructure: 1.5× makes a new account that shares them cross the
 * clustering threshold with one artifact fewer. Both are priors to tune on the quality
 * benchmark, not fitted values.
 */
export const DISMISSED_INDICATOR_WEIGHT = 0.5;
export const CONFIRMED_INDICATOR_WEIGHT = 1.5;

export type FeedbackTarget = { kind: 'account'; id: string } | { kind: 'campaign'; id: string };

export interface ReviewAnswer {
  status: ReviewStatus;
  /** Where the answer comes from: the account's own review or a campaign listing it. */
  from: 'account' | 'campaign';
  campaign_id: string | null;
}

export interface ActionAnswer {
  action: EnforcementAction;
  from: 'account' | 'campaign';
  campaign_id: string | null;
}

const SEVERITY: Readonly<Record<EnforcementAction, number>> = Object.fromEntries(
  ENFORCEMENT_ACTIONS.map((a, i) => [a, i]),
) as Record<EnforcementAction, number>;

const indicatorKey = (kind: string, value: string): string => `${kind}\u0000${value}`;

export interface FeedbackIndex {
  readonly file: FeedbackFile;
  /** The analysts' trust override of an account, or null when they set none. */
  trustOf(account: string): Trust | null;
  /** Review of an account (its own, else the strongest of the campaigns listing it) or of a campaign. */
  statusOf(target: FeedbackTarget): ReviewAnswer | null;
  /** Enforcement action set by analysts (the account's own, else the most severe of its campaigns'). */
  actionOf(target: FeedbackTarget): ActionAnswer | null;
  /** True when only dismissed campaigns list this indicator (kind as in campaigns.jsonl). */
  isDismissed(indicator: { kind: string; value: string }): boolean;
  isConfirmed(indicator: { kind: string; value: string }): boolean;
  /** DISMISSED_INDICATOR_WEIGHT, CONFIRMED_INDICATOR_WEIGHT or 1. */
  indicatorWeight(indicator: { kind: string; value: string }): number;
}

export function indexFeedback(file: FeedbackFile): FeedbackIndex {
  const accounts = new Map<string, AccountFeedback>(Object.entries(file.accounts));
  const campaigns = new Map<string, CampaignFeedback>(Object.entries(file.campaigns));
  /** account → campaigns (with a decision) that list it, in id order for deterministic answers. */
  const memberOf = new Map<string, string[]>();
  const confirmed = new Set<string>();
  const dismissed = new Set<string>();
  for (const id of [...campaigns.keys()].sort()) {
    const c = campaigns.get(id) as CampaignFeedback;
    for (const a of c.accounts) {
      const list = memberOf.get(a) ?? [];
      list.push(id);
      memberOf.set(a, list);
    }
    const into = c.status === 'confirmed' ? confirmed : c.status === 'dismissed' ? dismissed : null;
    if (into !== null)
      for (const [kind, values] of Object.entries(c.indicators))
        for (const v of values) into.add(indicatorKey(kind, v));
  }

  const campaignReview = (id: string): ReviewAnswer | null => {
    const s = campaigns.get(id)?.status;
    return s === undefined ? null : { status: s, from: 'campaign', campaign_id: id };
  };
  const campaignAction = (id: string): ActionAnswer | null => {
    const a = campaigns.get(id)?.action;
    return a === undefined ? null : { action: a, from: 'campaign', campaign_id: id };
  };

  return {
    file,
    trustOf: (account) => accounts.get(account)?.trust ?? null,
    statusOf(target) {
      if (target.kind === 'campaign') return campaignReview(target.id);
      const own = accounts.get(target.id)?.status;
      if (own !== undefined) return { status: own, from: 'account', campaign_id: null };
      let best: ReviewAnswer | null = null;
      for (const c of memberOf.get(target.id) ?? []) {
        const r = campaignReview(c);
        if (r !== null && (best === null || (r.status === 'confirmed' && best.status === 'dismissed')))
          best = r;
      }
      return best;
    },
    actionOf(target) {
      if (target.kind === 'campaign') return campaignAction(target.id);
      const own = accounts.get(target.id)?.action;
      if (own !== undefined) return { action: own, from: 'account', campaign_id: null };
      let best: ActionAnswer | null = null;
      for (const c of memberOf.get(target.id) ?? []) {
        const a = campaignAction(c);
        if (a !== null && (best === null || SEVERITY[a.action] > SEVERITY[best.action])) best = a;
      }
      return best;
    },
    isDismissed: (i) =>
      !confirmed.has(indicatorKey(i.kind, i.value)) && dismissed.has(indicatorKey(i.kind, i.value)),
    isConfirmed: (i) => confirmed.has(indicatorKey(i.kind, i.value)),
    indicatorWeight(i) {
      const k = indicatorKey(i.kind, i.value);
      if (confirmed.has(k)) return CONFIRMED_INDICATOR_WEIGHT;
      return dismissed.has(k) ? DISMISSED_INDICATOR_WEIGHT : 1;
    },
  };
}
