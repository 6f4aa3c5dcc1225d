/**
 * The stages after reading, shared by both drivers: signals ─> own scores ─> link graph ─>
 * clusters ─> cluster term ─> verdicts ─> campaigns. A pure function of what the drivers
 * read (per-account aggregates and text summaries, shared artifacts): the batch driver
 * (`hunt`) reads them from the store in SQL, the incremental one (`watch`) keeps them per
 * account as exchanges arrive. Deterministic for a seed (Louvain's).
 */

import {
  buildCampaign,
  type CampaignMember,
  MIN_CAMPAIGN_ACCOUNTS,
  type SharedIndicator,
} from '../campaigns/index.js';
import { explainEvidence, sharedArtifacts } from '../explain/index.js';
import type { FeedbackIndex } from '../feedback/index.js';
import type { Campaign, Evidence, Verdict } from '../formats/index.js';
import { CAPABILITIES } from '../formats/index.js';
import {
  type Artifact,
  buildLinkGraph,
  clusterAccounts,
  type LinkGraph,
  type LinkKind,
  SPECIFIC_KINDS,
} from '../link/index.js';
import {
  clusterTerm,
  evidenceOf,
  memberShare,
  type OwnScore,
  ownScore,
  PROXY_MIN_SHARED_IPS,
  type Review,
  sigmoid,
  verdictOf,
  WATCH_AT,
} from '../score/index.js';
import {
  type AccountProfile,
  accountSignals,
  type SignalBaselines,
  type TextSummary,
} from '../signals/index.js';
import type { AccountAggregate, AccountInfo } from '../store/index.js';

export const JUDGE_STAGES = ['signals', 'link', 'score', 'campaigns'] as const;
export type JudgeStage = (typeof JUDGE_STAGES)[number];

export interface JudgeInput {
  aggregates: readonly AccountAggregate[];
  /** Every account on file (accounts without exchanges get a `clear` verdict). */
  infos: readonly AccountInfo[];
  texts: ReadonlyMap<string, TextSummary>;
  /** Artifacts held by 2+ accounts, prompt templates included. */
  artifacts: readonly Artifact[];
  seed: number;
  /** Peer baselines to score against (default: those of `aggregates`). */
  baselines?: SignalBaselines;
  /** The analysts' decisions (docs/feedback.md): trust overrides, reviews, indicator weights. */
  feedback?: FeedbackIndex;
}

export interface Judgement {
  profiles: AccountProfile[];
  own: OwnScore[];
  /** Score of profiles[i]. */
  scores: Float64Array;
  /** Log-odds profiles[i] received from its cluster. */
  received: Float64Array;
  graph: LinkGraph;
  clusters: number[][];
  verdicts: Verdict[];
  campaigns: Campaign[];
}

export function judge(input: JudgeInput, stage?: (name: JudgeStage) => void): Judgement {
  const { aggregates, texts, seed } = input;
  const fb = input.feedback;
  // Analysts' trust overrides replace the accounts file's; their reviews add to an account's own
  // evidence; the indicators of campaigns they confirmed or dismissed weigh more or less.
  const infoList =
    fb === undefined
      ? input.infos
      : input.infos.map((i) => {
          const t = fb.trustOf(i.account_id);
          return t === null ? i : { ...i, trust: t };
        });
  const reviewOf = (id: string): Review => fb?.statusOf({ kind: 'account', id })?.status ?? null;
  const artifacts =
    fb === undefined
      ? input.artifacts
      : input.artifacts.map((a) => {
          const factor = fb.indicatorWeight({ kind: a.kind, value: a.value });
          return factor === 1 ? a : { ...a, factor };
        });
  stage?.('signals');
  const infos = new Map<string, AccountInfo>(infoList.map((i) => [i.account_id, i]));
  const profiles = accountSignals({ aggregates, infos, texts }, input.baselines);
  const own = profiles.map((p) => ownScore(p, reviewOf(p.account_id)));

  stage?.('link');
  const ids = profiles.map((p) => p.account_id);
  const graph = buildLinkGraph(ids, artifacts, ids.length);
  const clusters = clusterAccounts(graph, () => true, seed);

  stage?.('score');
  const clusterOf = new Int32Array(ids.length).fill(-1);
  const onInfra = (i: number): boolean => {
    let ips = 0;
    for (const a of graph.artifactsOf.get(i) ?? []) {
      // One API key across billing accounts is operator infrastructure; a shared payment
      // instrument is not on its own (a company pays for its teams' accounts).
      if (a.kind === 'api_key') return true;
      if (a.kind === 'ip') ips++;
    }
    return ips >= PROXY_MIN_SHARED_IPS;
  };
  const terms = clusters.map((members, c) => {
    for (const i of members) clusterOf[i] = c;
    const infra = members.filter(onInfra).length / members.length;
    return clusterTerm(
      members.map((i) => (own[i] as OwnScore).logit),
      infra,
    );
  });
  // Operator-specific links of each member to the rest of its cluster: the weights of the
  // distinct payment instruments, keys, addresses and system prompts it shares with another
  // member — each counted once, however many members share it (one shared cloud address is
  // one clue, not one per account behind it).
  const specific = new Float64Array(ids.length);
  clusters.forEach((members) => {
    const holders = new Map<string, number>();
    for (const i of members)
      for (const a of graph.artifactsOf.get(i) ?? [])
        if (SPECIFIC_KINDS.has(a.kind))
          holders.set(`${a.kind}\u0000${a.value}`, (holders.get(`${a.kind}\u0000${a.value}`) ?? 0) + 1);
    for (const i of members)
      for (const a of graph.artifactsOf.get(i) ?? [])
        if (SPECIFIC_KINDS.has(a.kind) && (holders.get(`${a.kind}\u0000${a.value}`) ?? 0) >= 2)
          specific[i] = (specific[i] as number) + a.weight;
  });
  const scores = new Float64Array(ids.length);
  const received = new Float64Array(ids.length);
  for (let i = 0; i < ids.length; i++) {
    const c = clusterOf[i] as number;
    const o = own[i] as OwnScore;
    received[i] = c >= 0 ? (terms[c] as number) * memberShare(o.contentLogit, specific[i] as number) : 0;
    scores[i] = sigmoid(o.logit + (received[i] as number));
  }

  stage?.('campaigns');
  const campaigns: Campaign[] = [];
  const campaignOf = new Map<number, string>();
  const clusterEvidence = new Map<number, Evidence>();
  clusters.forEach((members, c) => {
    const term = terms[c] as number;
    if (term <= 0) return;
    const flagged = members.filter((i) => (scores[i] as number) >= WATCH_AT);
    const indicators = sharedIndicators(graph.artifactsOf, flagged);
    const ev: Evidence = {
      signal: 'link.harvesting_cluster',
      value: flagged.length,
      baseline: 2,
      weight: Math.round(term * 1e6) / 1e6,
      detail: clusterDetail(members.length, indicators),
    };
    for (const i of members)
      if ((received[i] as number) > 0)
        clusterEvidence.set(i, { ...ev, weight: Math.round((received[i] as number) * 1e6) / 1e6 });
    if (flagged.length < MIN_CAMPAIGN_ACCOUNTS) return;
    const cm: CampaignMember[] = flagged.map((i) =>
      memberOf(profiles[i] as AccountProfile, own[i] as OwnScore, scores[i] as number),
    );
    const campaign = buildCampaign(cm, indicators, CAPABILITIES, {
      ...ev,
      detail: `${flagged.length} coordinated accounts; ${ev.detail}`,
    });
    campaigns.push(campaign);
    for (const i of flagged) campaignOf.set(i, campaign.campaign_id);
  });
  campaigns.sort(
    (a, b) =>
      b.score - a.score ||
      b.accounts.length - a.accounts.length ||
      a.campaign_id.localeCompare(b.campaign_id),
  );

  const verdicts: Verdict[] = profiles.map((p, i) => {
    const score = scores[i] as number;
    const ce = clusterEvidence.get(i) ?? null;
    const evidence = evidenceOf(
      own[i] as OwnScore,
      ce === null ? null : { term: ce.weight, size: Number(ce.value), detail: ce.detail },
      explainEvidence,
    );
    return {
      account_id: p.account_id as Verdict['account_id'],
      score: Math.round(score * 1e6) / 1e6,
      verdict: verdictOf(score),
      campaign_id: (campaignOf.get(i) ?? null) as Verdict['campaign_id'],
      evidence,
    };
  });
  // Accounts on file without exchanges: nothing to judge.
  for (const info of infoList)
    if (!graph.index.has(info.account_id))
      verdicts.push({
        account_id: info.account_id as Verdict['account_id'],
        score: 0,
        verdict: 'clear',
        campaign_id: null,
        evidence: [],
      });
  verdicts.sort((a, b) => (a.account_id < b.account_id ? -1 : a.account_id > b.account_id ? 1 : 0));

  return { profiles, own, scores, received, graph, clusters, verdicts, campaigns };
}

function memberOf(p: AccountProfile, o: OwnScore, score: number): CampaignMember {
  return {
    account_id: p.account_id,
    score,
    agg: p.agg,
    capabilities: p.text?.capabilities ?? [],
    evidence: evidenceOf(o, null, explainEvidence),
  };
}

/** Artifacts held by at least two of the members, with how many hold each. */
function sharedIndicators(
  artifactsOf: ReadonlyMap<number, readonly { kind: LinkKind; value: string }[]>,
  members: readonly number[],
): SharedIndicator[] {
  const count = new Map<string, SharedIndicator>();
  for (const i of members)
    for (const a of artifactsOf.get(i) ?? []) {
      const k = `${a.kind}\u0000${a.value}`;
      const s = count.get(k);
      if (s === undefined) count.set(k, { kind: a.kind, value: a.value, members: 1 });
      else s.members++;
    }
  return [...count.values()].filter((s) => s.members >= 2);
}

function clusterDetail(size: number, indicators: readonly SharedIndicator[]): string {
  const kinds = new Map<string, number>();
  for (const i of indicators) kinds.set(i.kind, (kinds.get(i.kind) ?? 0) + 1);
  const parts = [...kinds.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 4)
    .map(([k, n]) => sharedArtifacts(k, n));
  return `in a cluster of ${size} linked accounts that harvest${parts.length > 0 ? ` (${parts.join(', ')})` : ''}`;
}
