/**
 * Score stage: signals and links → a score in [0, 1], a verdict and the evidence behind it.
 *
 * The model is additive in log-odds, so that every piece of evidence has a weight a person
 * can read: logit = BASE_LOGIT + Σ weight(signal) × strength(signal) + cluster term, score =
 * sigmoid(logit). The weights are priors from the threat model (how specific each hallmark
 * is to harvesting, and how often genuine heavy users show it), checked on the tuning seed's
 * simulated traffic and never fitted to labels. Cluster term: an account in a candidate
 * cluster whose members, on their own evidence, look like harvesting gets up to
 * CLUSTER_BONUS × coordination(size); coordination alone (a NAT, a shared cloud egress)
 * adds nothing. `trust` lowers an account's own evidence, never its cluster's.
 */
import { type Evidence, isTrusted, type VerdictKind } from '../formats/index.js';
import type { AccountProfile, Signal, SignalCode } from '../signals/index.js';

/** Prior log-odds of an account with no evidence: about 1 in 400. */
export const BASE_LOGIT = -6;

/** Log-odds added by a signal at full strength. */
export const SIGNAL_WEIGHT: Readonly<Record<SignalCode, number>> = {
  // Trace elicitation is the defining act of reasoning harvest; a genuine user almost never
  // asks for complete internal reasoning in most of their prompts.
  'text.strong_elicitation': 5.5,
  // Weak forms ("think step by step") are standard in evaluation harnesses: little weight.
  'text.elicitation': 1,
  'text.harvest_capability': 1.5,
  // Licensed synthetic-data jobs are templated too.
  'text.template_concentration': 0.5,
  'behaviour.output_ratio': 0.8,
  // Extended reasoning on most requests, far beyond the account's peers (binomial z ≥ 8): what
  // a reasoning harvester needs on every call; genuine reasoning-model users raise their peers'
  // baseline instead.
  'behaviour.reasoning_share': 1.5,
  'behaviour.scripted_timing': 0.8,
  'behaviour.machine_pace': 0.4,
  'behaviour.peak_rate': 0.3,
  // Evaluation harnesses also move to new models at once.
  'behaviour.pivot': 1.2,
  'account.new_and_heavy': 0.8,
  'account.pathway': 0.4,
  'account.unverified': 0.3,
  'geo.rhythm_mismatch': 1,
  'infra.ip_rotation': 0.8,
};

/** Largest log-odds a harvesting cluster adds to each member. */
export const CLUSTER_BONUS = 6;
/** Cluster term starts when the members' mean own log-odds reach CLUSTER_FROM and is full at
 * CLUSTER_FULL: between an unremarkable account (≈ BASE_LOGIT + 1) and one with clear
 * harvesting behaviour of its own. */
export const CLUSTER_FROM = -4.5;
export const CLUSTER_FULL = -1.5;
/** Coordination saturates at this many accounts (the "campaigns of ≥ 20 accounts"). */
export const COORDINATION_FULL_SIZE = 20;
/**
 * How much of its cluster's term a member receives: all of it when its own *content* already
 * harvests (BASE_LOGIT + its text signals ≥ MEMBER_FULL) or when it shares operator-specific
 * artifacts (payment instrument, API key, address, system prompt) worth SPECIFIC_FULL with
 * the other members; none when it only shares habits or software with them (a genuine agent
 * running the same framework) or public task items (an evaluation harness sending the
 * GSM8K items a campaign also wraps). Behaviour alone does not open the door: bursts,
 * pivots and machine pace are what evaluation harnesses do too.
 */
// SPECIFIC_FULL: the summed weights of distinct operator-specific artifacts shared with other
// members — e.g. a payment instrument and an address, or several proxy addresses. One shared
// address or system prompt is not enough: on the tuning seed at reported-2026 scale 0.1, genuine
// users met a hydra cluster through one shared cloud IP or a common app system prompt.
export const MEMBER_FROM = BASE_LOGIT + 1.5;
export const MEMBER_FULL = BASE_LOGIT + 3.5;
export const SPECIFIC_FULL = 4;

/**
 * Prompt-profile links (link/profile.ts: the member's own prompts follow the template other
 * members use) count towards the door at this rate of their weight: content, like the member's
 * text signals, but read from fingerprints, so weaker than an operator-specific artifact.
 */
export const PROFILE_TIE_FACTOR = 0.5;
/**
 * A quiet account whose own prompts match the pooled prompt profile of a harvesting cluster's
 * flagged members (link/profile.ts poolMatches) counts as tied to the cluster by prompt-profile
 * links of this weight: enough for the whole term (SPECIFIC_FULL / PROFILE_TIE_FACTOR), as for an
 * account with five or more pair links. The match is the stronger test of the two — one
 * comparison with an almost noiseless profile, at a family-wise error of 1 %, against many
 * comparisons of two noisy ones — and it passes on the cluster's evidence, never makes it.
 */
export const POOL_MATCH_TIE = SPECIFIC_FULL / PROFILE_TIE_FACTOR;

/**
 * A cluster joined through prompt-profile links passes on its harvesting part's term in
 * proportion to the share of its members already in harvesting clusters, in full from this
 * share: a template cohort mostly made of harvesters is one operation seen twice; a large cohort
 * of genuine users of one public scaffold that touches a single harvesting account is not.
 */
export const PROFILE_COHORT_FULL = 0.5;

export function cohortShare(harvestingShare: number): number {
  return Math.min(1, Math.max(0, harvestingShare / PROFILE_COHORT_FULL));
}

export function memberShare(contentLogit: number, specificLinks: number, profileLinks = 0): number {
  const own = (contentLogit - MEMBER_FROM) / (MEMBER_FULL - MEMBER_FROM);
  const spec = (specificLinks + PROFILE_TIE_FACTOR * profileLinks) / SPECIFIC_FULL;
  return Math.min(1, Math.max(0, own, spec));
}

/** Log-odds removed from the own evidence of a `known_customer` or `partner` account. */
export const TRUST_DISCOUNT = 3;

/**
 * Analysts' reviews (the dashboard's feedback file, docs/feedback.md): an account they confirmed
 * as harvesting (itself or through a campaign listing it) gains ANALYST_CONFIRMED log-odds, one
 * they dismissed as a false positive loses ANALYST_DISMISSED — like trust, from its own
 * evidence only, so a dismissed account that joins a harvesting cluster is still flagged by
 * it. 3 log-odds is about the weight of a strong hallmark: a review moves a borderline
 * account, not one with overwhelming evidence.
 */
export const ANALYST_CONFIRMED = 3;
export const ANALYST_DISMISSED = 3;
export type Review = 'confirmed' | 'dismissed' | null;

/**
 * Verdict thresholds on the score. WATCH was set on the tuning seed (7) so that about 0.1% of
 * genuine accounts reach it (the target false-positive rate); THROTTLE and BLOCK ask
 * for progressively more certainty before costing a customer anything.
 */
export const WATCH_AT = 0.5;
export const THROTTLE_AT = 0.75;
export const BLOCK_AT = 0.92;

export const THRESHOLDS = [
  {
    name: 'watch',
    value: WATCH_AT,
    reason: 'about 0.1% of genuine accounts at or above it on the tuning seed',
  },
  {
    name: 'throttle',
    value: THROTTLE_AT,
    reason: 'log-odds +1.1 above watch: two independent hallmarks or a harvesting cluster',
  },
  {
    name: 'block',
    value: BLOCK_AT,
    reason: 'log-odds +2.4 above watch: strong own evidence and a harvesting cluster',
  },
] as const;

export const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

export function verdictOf(score: number): VerdictKind {
  if (score >= BLOCK_AT) return 'block';
  if (score >= THROTTLE_AT) return 'throttle';
  if (score >= WATCH_AT) return 'watch';
  return 'clear';
}

export interface OwnScore {
  logit: number;
  /** BASE_LOGIT + the text signals only (what the account's prompts say). */
  contentLogit: number;
  /** Contributions of the signals (weight × strength), strongest first, zeros dropped. */
  contributions: { signal: Signal; weight: number }[];
  trusted: boolean;
  review: Review;
}

/** An account's log-odds from its own signals (and the analysts' review of it, if any). */
export function ownScore(p: AccountProfile, review: Review = null): OwnScore {
  let logit = BASE_LOGIT;
  let contentLogit = BASE_LOGIT;
  const contributions: { signal: Signal; weight: number }[] = [];
  for (const s of p.signals) {
    const w = SIGNAL_WEIGHT[s.code] * s.strength;
    if (w <= 0) continue;
    logit += w;
    if (s.code.startsWith('text.')) contentLogit += w;
    contributions.push({ signal: s, weight: w });
  }
  const trusted = isTrusted(p.info?.trust);
  if (trusted) {
    logit -= TRUST_DISCOUNT;
    contentLogit -= TRUST_DISCOUNT;
  }
  if (review === 'confirmed') logit += ANALYST_CONFIRMED;
  if (review === 'dismissed') {
    logit -= ANALYST_DISMISSED;
    contentLogit -= ANALYST_DISMISSED;
  }
  contributions.sort((a, b) => b.weight - a.weight);
  return { logit, contentLogit, contributions, trusted, review };
}

/** Coordination factor of a cluster of `size` accounts, 0 (alone) … 1 (≥ COORDINATION_FULL_SIZE). */
export function coordination(size: number): number {
  if (size < 2) return 0;
  return Math.min(1, Math.log(size) / Math.log(COORDINATION_FULL_SIZE));
}

/**
 * Shared operator infrastructure counts as coordination evidence on its own: billing accounts
 * sharing an API key, or accounts each reached from several addresses of one proxy pool
 * (EvilCohort's observation: a bot farm reaches each account from many IPs, a NAT reaches
 * many accounts from one or two). A shared payment instrument links accounts but is not such
 * evidence by itself: companies and universities pay for several accounts with one card. `infraShare` is the share of members
 * showing it; it stands in for the members' harvesting evidence, scaled by INFRA_FACTOR.
 */
export const INFRA_FACTOR = 1;
/** IPs shared with other accounts from which a member must be seen to count as proxy-pool use. */
export const PROXY_MIN_SHARED_IPS = 3;
// (Offices measured on the tuning seed reach their accounts from at most 2 shared addresses.)

/** The log-odds a cluster adds to its members, from their own mean log-odds, the share of
 * members on shared operator infrastructure, and its size. */
export function clusterTerm(memberLogits: readonly number[], infraShare = 0): number {
  if (memberLogits.length < 2) return 0;
  // The mean of the members' own log-odds, each capped so that one glaring member cannot
  // carry a cluster of innocents.
  let sum = 0;
  for (const l of memberLogits) sum += Math.min(l, CLUSTER_FULL + 2);
  const mean = sum / memberLogits.length;
  const harvest = Math.min(1, Math.max(0, (mean - CLUSTER_FROM) / (CLUSTER_FULL - CLUSTER_FROM)));
  const infra = Math.min(1, Math.max(0, infraShare * INFRA_FACTOR));
  return CLUSTER_BONUS * Math.max(harvest, infra) * coordination(memberLogits.length);
}

export type EvidenceText = (code: string, value: number | string, baseline: number | string | null) => string;

const r6 = (x: number): number => Math.round(x * 1e6) / 1e6;

/** Evidence items of an account, strongest first, at most `max`. */
export function evidenceOf(
  own: OwnScore,
  cluster: { term: number; size: number; detail: string } | null,
  explain: EvidenceText,
  max = 8,
): Evidence[] {
  const out: Evidence[] = own.contributions.map((c) => ({
    signal: c.signal.code,
    value: typeof c.signal.value === 'number' ? r6(c.signal.value) : c.signal.value,
    baseline: typeof c.signal.baseline === 'number' ? r6(c.signal.baseline) : c.signal.baseline,
    weight: r6(c.weight),
    detail: explain(c.signal.code, c.signal.value, c.signal.baseline),
  }));
  if (cluster !== null && cluster.term > 0)
    out.push({
      signal: 'link.harvesting_cluster',
      value: cluster.size,
      baseline: 2,
      weight: r6(cluster.term),
      detail: cluster.detail,
    });
  if (own.trusted)
    out.push({
      signal: 'account.trusted',
      value: 'yes',
      baseline: null,
      weight: r6(-TRUST_DISCOUNT),
      detail: explain('account.trusted', 'yes', null),
    });
  if (own.review !== null) {
    const code = own.review === 'confirmed' ? 'analyst.confirmed' : 'analyst.dismissed';
    out.push({
      signal: code,
      value: own.review,
      baseline: null,
      weight: own.review === 'confirmed' ? ANALYST_CONFIRMED : -ANALYST_DISMISSED,
      detail: explain(code, own.review, null),
    });
  }
  out.sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight));
  return out.slice(0, max);
}
