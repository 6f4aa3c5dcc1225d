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
  type HourBits,
  type LinkGraph,
  type LinkKind,
  type PoolMatch,
  type ProfilePool,
  poolMatches,
  profileLinks,
  SPECIFIC_KINDS,
  STRONG_EDGE,
  synchronyLinks,
} from '../link/index.js';
import {
  clusterTerm,
  cohortShare,
  evidenceOf,
  memberShare,
  type OwnScore,
  ownScore,
  POOL_MATCH_TIE,
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
  // Accounts whose prompts follow one template, from their fingerprints' profiles (link/profile.ts).
  const profileInputs = [];
  for (const id of ids) {
    const t = texts.get(id);
    if (t !== undefined && t.fingerprints.size > 0) profileInputs.push({ id, fingerprints: t.fingerprints });
  }
  const profile = profileLinks(profileInputs, ids.length);
  // Accounts behind a common address working the same clock hours (link/synchrony.ts).
  const hourBits = new Map<string, HourBits>();
  for (const a of aggregates) if (a.hour_bits !== undefined) hourBits.set(a.account_id, a.hour_bits);
  const synchrony = synchronyLinks(
    (id) => hourBits.get(id),
    artifacts.filter((a) => a.kind === 'ip'),
  );
  const graph = buildLinkGraph(ids, [...artifacts, ...synchrony.artifacts, ...profile.artifacts], ids.length);
  // Clusters of the artifacts accounts share (prompt-profile links left out), as they always were;
  // then the clusters those links join (a superset of each): an account tied to a harvesting
  // cluster only by the template of its own prompts can receive that cluster's term, but does not
  // change it (link/profile.ts).
  const base = clusterAccounts(withoutProfileLinks(graph), () => true, seed);
  const clusters = graph.edges.some((e) => e.profile > 0) ? clusterAccounts(graph, () => true, seed) : base;

  stage?.('score');
  const clusterOf = new Int32Array(ids.length).fill(-1);
  const baseOf = new Int32Array(ids.length).fill(-1);
  const onInfra = (i: number): boolean => {
    let ips = 0;
    for (const a of graph.artifactsOf.get(i) ?? []) {
      // One API key across billing accounts is operator infrastructure; a shared payment
      // instrument is not on its own (a company pays for its teams' accounts).
      // So is one scheduler working several of them in step behind one address.
      if (a.kind === 'api_key' || a.kind === 'synchrony') return true;
      if (a.kind === 'ip') ips++;
    }
    return ips >= PROXY_MIN_SHARED_IPS;
  };
  const baseTerms = base.map((members, c) => {
    for (const i of members) baseOf[i] = c;
    const infra = members.filter(onInfra).length / members.length;
    return clusterTerm(
      members.map((i) => (own[i] as OwnScore).logit),
      infra,
    );
  });
  // A joined cluster's term: the largest of the clusters it contains, scaled by the share of its
  // members inside harvesting clusters (score/PROFILE_COHORT_FULL): many genuine users of one
  // framework's scaffold, one of them in a harvesting cluster, do not inherit its term.
  const terms = clusters.map((members, c) => {
    let t = 0;
    let harvesting = 0;
    for (const i of members) {
      clusterOf[i] = c;
      const b = baseOf[i] as number;
      if (b >= 0 && (baseTerms[b] as number) > 0) {
        t = Math.max(t, baseTerms[b] as number);
        harvesting++;
      }
    }
    return t * cohortShare(harvesting / members.length);
  });
  // Operator-specific links of each member to the rest of its cluster: the weights of the
  // distinct payment instruments, keys, addresses and system prompts it shares with another
  // member — each counted once, however many members share it (one shared cloud address is
  // one clue, not one per account behind it).
  const specific = new Float64Array(ids.length);
  base.forEach((members) => {
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
  // Prompt-profile links of each account to other members of its joined cluster.
  const profileTie = new Float64Array(ids.length);
  for (let i = 0; i < ids.length; i++)
    for (const a of graph.artifactsOf.get(i) ?? [])
      if (a.kind === 'prompt_profile') {
        const other = a.value.split('~').find((id) => id !== ids[i]);
        const j = other === undefined ? undefined : graph.index.get(other);
        if (j !== undefined && clusterOf[j] === clusterOf[i] && clusterOf[i] !== -1)
          profileTie[i] = (profileTie[i] as number) + a.weight;
      }
  const scores = new Float64Array(ids.length);
  const received = new Float64Array(ids.length);
  for (let i = 0; i < ids.length; i++) {
    const b = baseOf[i] as number;
    const c = clusterOf[i] as number;
    const o = own[i] as OwnScore;
    const tie = profileTie[i] as number;
    const fromBase =
      b >= 0 ? (baseTerms[b] as number) * memberShare(o.contentLogit, specific[i] as number, tie) : 0;
    const fromJoined = c >= 0 && tie > 0 ? (terms[c] as number) * memberShare(o.contentLogit, 0, tie) : 0;
    received[i] = Math.max(fromBase, fromJoined);
    scores[i] = sigmoid(o.logit + (received[i] as number));
  }

  // Accounts too quiet for pair links whose own prompts still lean the way a harvesting
  // cluster's flagged members' prompts do, pooled (link/profile.ts poolMatches): they receive the
  // cluster's term as if tied to it by full prompt-profile links, and join its campaign.
  const pools: ProfilePool[] = [];
  clusters.forEach((members, c) => {
    if ((terms[c] as number) <= 0) return;
    const flagged = members.filter((i) => (scores[i] as number) >= WATCH_AT).map((i) => ids[i] as string);
    if (flagged.length >= MIN_CAMPAIGN_ACCOUNTS) pools.push({ key: c, members: flagged });
  });
  const pooledInto = new Int32Array(ids.length).fill(-1);
  const poolEvidence = new Map<number, PoolMatch>();
  const matches = poolMatches(
    profileInputs,
    pools,
    (id) => (scores[graph.index.get(id) as number] as number) >= WATCH_AT,
  );
  for (const [id, m] of matches) {
    const i = graph.index.get(id) as number;
    const o = own[i] as OwnScore;
    const r = (terms[m.key] as number) * memberShare(o.contentLogit, 0, POOL_MATCH_TIE);
    if (r <= (received[i] as number)) continue;
    received[i] = r;
    scores[i] = sigmoid(o.logit + r);
    pooledInto[i] = m.key;
    poolEvidence.set(i, m);
  }
  stage?.('campaigns');
  const campaigns: Campaign[] = [];
  const campaignOf = new Map<number, string>();
  const clusterEvidence = new Map<number, Evidence>();
  const pooledMembers = new Map<number, number[]>();
  for (let i = 0; i < ids.length; i++) {
    const c = pooledInto[i] as number;
    if (c < 0) continue;
    const list = pooledMembers.get(c);
    if (list === undefined) pooledMembers.set(c, [i]);
    else list.push(i);
  }
  clusters.forEach((linked, c) => {
    const term = terms[c] as number;
    if (term <= 0) return;
    // Its linked members, less those that take the term of another cluster whose prompts theirs
    // follow, with the accounts that take its own that way.
    const pooled = pooledMembers.get(c) ?? [];
    const members = [...linked.filter((i) => (pooledInto[i] as number) < 0), ...pooled].sort((a, b) => a - b);
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
      if ((received[i] as number) > 0) {
        const m = poolEvidence.get(i);
        clusterEvidence.set(i, {
          ...ev,
          weight: Math.round((received[i] as number) * 1e6) / 1e6,
          ...(m === undefined
            ? {}
            : {
                detail: `its own prompts follow the template of a cluster of ${linked.length} linked accounts that harvest (z ${m.z.toFixed(1)}, cosine ${m.cosine.toFixed(2)} with their pooled prompt profile)`,
              }),
        });
      }
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

/** The graph without its prompt-profile links: the edges still strong without them. */
function withoutProfileLinks(graph: LinkGraph): LinkGraph {
  const edges = [];
  for (const e of graph.edges) {
    if (e.profile <= 0) edges.push(e);
    else if (e.w - e.profile >= STRONG_EDGE) edges.push({ ...e, w: e.w - e.profile, profile: 0 });
  }
  return { ...graph, edges };
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

/**
 * A campaign's indicators are the artifacts most of whose holders are its flagged members: what
 * a gateway can match new accounts against (ban evasion, src/enforce/evasion.ts) and an analyst
 * can search for. An artifact the campaign shares with many accounts outside it — the default
 * client's TLS fingerprint, a cloud /24, a template genuine coders use too — links members in
 * the graph (its rarity weight says how much) but names no one: on the tuning seed's replay, TLS
 * fingerprints held by ~1,400 genuine accounts and a /24 with one genuine account among seven
 * were listed, and the gateway's evasion rule blocked four genuine accounts on /24 + TLS or /24
 * + template (bench/results/watch.md).
 */
export const INDICATOR_MIN_SHARE = 0.5;

/** Artifacts held by at least two of the members and by few others, with how many members hold each. */
export function sharedIndicators(
  artifactsOf: ReadonlyMap<number, readonly { kind: LinkKind; value: string; degree: number }[]>,
  members: readonly number[],
): SharedIndicator[] {
  const count = new Map<string, SharedIndicator>();
  const degree = new Map<string, number>();
  for (const i of members)
    for (const a of artifactsOf.get(i) ?? []) {
      // A profile or synchrony link is a pair, not an indicator one could search for.
      if (a.kind === 'prompt_profile' || a.kind === 'synchrony') continue;
      const k = `${a.kind}\u0000${a.value}`;
      const s = count.get(k);
      if (s === undefined) {
        count.set(k, { kind: a.kind, value: a.value, members: 1 });
        degree.set(k, a.degree);
      } else s.members++;
    }
  return [...count.entries()]
    .filter(
      ([k, s]) =>
        s.members >= 2 && s.members >= INDICATOR_MIN_SHARE * (degree.get(k) ?? Number.POSITIVE_INFINITY),
    )
    .map(([, s]) => s);
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
