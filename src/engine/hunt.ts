/**
 * The batch driver (`distillguard hunt`): the stages in order over a stored data set.
 *
 *   store (bulk SQL) ─> text (sampled prompts) ─> signals ─> own scores
 *        └─> shared artifacts ──────────────────> link graph ─> clusters ─> cluster term
 *                                                   ─> verdicts ─> campaigns ─> reseller units
 *
 * Everything it reads is in the input formats; labels and the simulator's `harvest` flag are
 * never read. Deterministic for a seed (Louvain's).
 */

import type { FeedbackIndex } from '../feedback/index.js';
import type { Campaign, Verdict } from '../formats/index.js';
import type { Artifact, LinkKind } from '../link/index.js';
import { THRESHOLDS, WATCH_AT } from '../score/index.js';
import { addToSummary, createTextAnalyzer, emptyTextSummary, type TextSummary } from '../signals/index.js';
import type { ColumnPresence, FeatureSource } from '../store/index.js';
import { judge } from './judge.js';
import { judgeResellers, MULTI_USER_MIN_END_USERS, type ResellerResult } from './reseller.js';

/** Exchanges per account read by the text stage's second pass (accounts with any elicitation
 * in the first): enough for a share to be tight (±0.1 at 64), bounded so that a 10M-exchange
 * agent costs what a hobbyist does. */
export const TEXT_SAMPLE_PER_ACCOUNT = 64;
/** The first pass over every account: 16 prompts miss an account that elicits in 20% of its
 * traffic with probability 0.8^16 ≈ 3%, and one that elicits in half with 0.002%. */
export const TEXT_FIRST_SAMPLE = 16;
/** Artifacts shared by more accounts than this carry no link (a public cloud /24, the default
 * SDK user agent); they are counted in the run's stats. */
export const MAX_ARTIFACT_ACCOUNTS = 5000;
/** Prompt templates shared by more accounts than this are common phrasing, not a campaign's. */
export const MAX_TEMPLATE_ACCOUNTS = 2000;

export type TextMode = 'raw' | 'fingerprint' | 'none';

export interface HuntOptions {
  seed?: number;
  /** The analysts' decisions to apply (docs/feedback.md). */
  feedback?: FeedbackIndex;
  textSample?: number;
  firstTextSample?: number;
  /** Called as each stage starts (for progress). */
  onStage?: (stage: string, index: number, total: number) => void;
}

export interface HuntResult {
  verdicts: Verdict[];
  campaigns: Campaign[];
  /** Per-exchange judgements inside multi-user accounts (resellers), when any were flagged. */
  resellers: ResellerResult;
  textMode: TextMode;
  unavailable: { signal: string; reason: string }[];
  thresholds: { name: string; value: number; reason: string }[];
  exchanges: number;
  period: { first: number; last: number } | null;
  releases: { model: string; released_at: number }[];
  timings: { stage: string; seconds: number }[];
  stats: Record<string, number | string>;
}

export const HUNT_STAGES = [
  'read aggregates',
  'text',
  'read artifacts',
  'signals',
  'link',
  'score',
  'campaigns',
  'resellers',
] as const;

export async function hunt(source: FeatureSource, opts: HuntOptions = {}): Promise<HuntResult> {
  const seed = opts.seed ?? 1;
  const timings: { stage: string; seconds: number }[] = [];
  let t0 = performance.now();
  let stageIndex = 0;
  const stage = (name: (typeof HUNT_STAGES)[number]) => {
    const now = performance.now();
    if (stageIndex > 0)
      timings.push({ stage: HUNT_STAGES[stageIndex - 1] as string, seconds: (now - t0) / 1000 });
    t0 = now;
    opts.onStage?.(name, stageIndex, HUNT_STAGES.length);
    stageIndex++;
  };

  stage('read aggregates');
  const presence = await source.presence();
  const aggregates = await source.accountAggregates();
  const infoList = await source.accountInfo();
  const releases = await source.releases();
  const textMode: TextMode =
    presence.filled.prompt > 0 ? 'raw' : presence.filled.prompt_fingerprint > 0 ? 'fingerprint' : 'none';
  const unavailable = unavailableSignals(textMode, presence.filled, infoList.length, releases.length);

  stage('text');
  const texts = new Map<string, TextSummary>();
  const templateAccounts = new Map<string, Set<string>>();
  const textStats = { firstPass: 0, secondPass: 0 };
  if (textMode !== 'none') {
    // Two passes: a small sample of every account with the cheap detectors, then a full
    // sample, with the capability model, of the accounts whose prompts elicit reasoning at all.
    // Most accounts never show a hit, and most of the text work was theirs.
    const read = async (perAccount: number, only: readonly string[] | undefined, withCapability: boolean) => {
      const analyze = createTextAnalyzer(100_000, withCapability);
      const found = new Map<string, { summary: TextSummary; templates: Set<string> }>();
      for await (const batch of source.textSample(perAccount, only))
        for (const row of batch) {
          const a = found.get(row.account_id) ?? {
            summary: emptyTextSummary(),
            templates: new Set<string>(),
          };
          found.set(row.account_id, a);
          const t = row.prompt !== null ? analyze(row.prompt, row.system_prompt, row.tool_count) : null;
          addToSummary(a.summary, t, row.prompt_fingerprint !== null, row.prompt_fingerprint);
          for (const k of t?.templates ?? []) a.templates.add(k);
        }
      return found;
    };
    // With fingerprints only there is no second pass (nothing elicits): the first reads the full
    // sample, for the prompt profiles (fingerprints cost nothing to read next to prompt text).
    const firstSample =
      opts.firstTextSample ?? (textMode === 'fingerprint' ? TEXT_SAMPLE_PER_ACCOUNT : TEXT_FIRST_SAMPLE);
    const first = await read(firstSample, undefined, false);
    const interesting = [...first.entries()]
      .filter(([, a]) => a.summary.elicited > 0)
      .map(([id]) => id)
      .sort();
    const second =
      interesting.length > 0
        ? await read(opts.textSample ?? TEXT_SAMPLE_PER_ACCOUNT, interesting, true)
        : new Map();
    for (const [id, a] of first) {
      const b = second.get(id) ?? a;
      texts.set(id, b.summary);
      for (const k of b.templates) {
        const s = templateAccounts.get(k) ?? new Set<string>();
        templateAccounts.set(k, s);
        s.add(id);
      }
    }
    textStats.firstPass = first.size;
    textStats.secondPass = second.size;
  }

  stage('read artifacts');
  const { shared, tooCommon } = await source.sharedArtifacts(MAX_ARTIFACT_ACCOUNTS);
  const artifacts: Artifact[] = shared.map((s) => ({
    kind: s.kind as LinkKind,
    value: s.value,
    accounts: s.accounts,
  }));
  for (const [k, accs] of templateAccounts)
    if (accs.size >= 2 && accs.size <= MAX_TEMPLATE_ACCOUNTS)
      artifacts.push({ kind: 'prompt_template', value: k, accounts: [...accs].sort() });
  const j = judge(
    {
      aggregates,
      infos: infoList,
      texts,
      artifacts,
      seed,
      ...(opts.feedback === undefined ? {} : { feedback: opts.feedback }),
    },
    (name) => stage(name),
  );
  const { verdicts, campaigns, profiles, scores, graph, clusters } = j;
  const ids = profiles.map((p) => p.account_id);

  stage('resellers');
  const multiUser = profiles
    .map((p, i) => ({ p, i }))
    .filter(
      ({ p, i }) =>
        (scores[i] as number) >= WATCH_AT && (p.agg?.distinct_end_users ?? 0) >= MULTI_USER_MIN_END_USERS,
    )
    .map(({ p }) => p.account_id);
  // Exchange by exchange needs the prompts: with fingerprints only (or nothing), every exchange
  // keeps its account's verdict (no exchange_verdicts file is written).
  const resellers =
    textMode === 'raw' ? await judgeResellers(source, multiUser) : { units: [], accounts: [] };
  timings.push({ stage: 'resellers', seconds: (performance.now() - t0) / 1000 });

  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const a of aggregates) {
    first = Math.min(first, a.first_ts);
    last = Math.max(last, a.last_ts);
  }
  return {
    verdicts,
    campaigns,
    resellers,
    textMode,
    unavailable,
    thresholds: THRESHOLDS.map((t) => ({ ...t })),
    exchanges: presence.exchanges,
    period: Number.isFinite(first) ? { first, last } : null,
    releases,
    timings,
    stats: {
      accounts: ids.length,
      artifacts_shared: shared.length,
      artifacts_too_common: tooCommon,
      templates_shared: artifacts.length - shared.length,
      linked_pairs: graph.pairs,
      strong_edges: graph.edges.length,
      clusters: clusters.length,
      campaigns: campaigns.length,
      text_first_pass_accounts: textStats.firstPass,
      text_second_pass_accounts: textStats.secondPass,
    },
  };
}

function unavailableSignals(
  textMode: TextMode,
  filled: Readonly<Record<keyof ColumnPresence, number>>,
  accounts: number,
  releases: number,
): { signal: string; reason: string }[] {
  const out: { signal: string; reason: string }[] = [];
  if (textMode !== 'raw') {
    const why =
      textMode === 'fingerprint'
        ? 'only prompt_fingerprint is stored (no prompt text)'
        : 'no prompt text and no prompt_fingerprint stored';
    for (const s of [
      'text.strong_elicitation',
      'text.elicitation',
      'text.harvest_capability',
      'text.template_concentration',
      'link.prompt_template',
    ])
      out.push({ signal: s, reason: why });
  }
  if (accounts === 0)
    for (const s of [
      'account.new_and_heavy',
      'account.pathway',
      'account.unverified',
      'geo.rhythm_mismatch',
      'link.payment_fingerprint',
    ])
      out.push({ signal: s, reason: 'no accounts file ingested' });
  if (releases === 0) out.push({ signal: 'behaviour.pivot', reason: 'no releases file ingested' });
  if ((filled.reasoning ?? 0) === 0)
    out.push({ signal: 'behaviour.reasoning_share', reason: 'no exchange carries `reasoning`' });
  if ((filled.tls_fingerprint ?? 0) === 0)
    out.push({ signal: 'link.tls_fingerprint', reason: 'no exchange carries `tls_fingerprint`' });
  if ((filled.output_tokens ?? 0) === 0)
    out.push({ signal: 'behaviour.output_ratio', reason: 'no exchange carries token counts' });
  return out;
}
