/**
 * Per-account signals: each a value, the baseline it is compared with, and a strength in
 * [0, 1] (how far beyond the baseline). Weights are the scoring stage's business; this
 * stage only measures. Every code here has its words in src/explain/.
 */
import type { AccountAggregate, AccountInfo } from '../store/index.js';
import { COUNTRY_UTC_OFFSET, impliedRhythm, offsetDistance } from './geo.js';
import { excess, PeerBaselines, type PeerKey, sizeBucket, zAbove } from './peers.js';
import { shrunkShare, type TextSummary, topCapability, topTemplateShare } from './text.js';

export const SIGNAL_CODES = [
  'text.strong_elicitation',
  'text.elicitation',
  'text.harvest_capability',
  'text.template_concentration',
  'behaviour.output_ratio',
  'behaviour.reasoning_share',
  'behaviour.scripted_timing',
  'behaviour.machine_pace',
  'behaviour.peak_rate',
  'behaviour.pivot',
  'account.new_and_heavy',
  'account.pathway',
  'account.unverified',
  'geo.rhythm_mismatch',
  'infra.ip_rotation',
] as const;
export type SignalCode = (typeof SIGNAL_CODES)[number];

export interface Signal {
  code: SignalCode;
  value: number | string;
  baseline: number | string | null;
  /** 0 = nothing unusual, 1 = as far beyond the baseline as the signal goes. */
  strength: number;
}

/** Strong elicitation in more than this (shrunk) share of an account's prompts starts to count:
 * a genuine user may ask once or twice for a full derivation; a harvester asks all the time. */
export const STRONG_ELICITATION_FLOOR = 0.05;
export const STRONG_ELICITATION_FULL = 0.3;
/** Any elicitation, weak ones (eval harness "think step by step") included. */
export const ELICITATION_FLOOR = 0.25;
export const ELICITATION_FULL = 0.65;
/** Capabilities whose concentration is itself a harvest hallmark (reasoning traces, reward
 * grading, safe rewrites); coding and tool use are what genuine agents do all day. */
export const HARVEST_CAPABILITIES = new Set(['reasoning', 'grading', 'policy_rewrite']);
/** Minimum prompts with text for a concentration to mean anything. */
export const MIN_TEXT_FOR_CONCENTRATION = 10;
/** Share of a post-release day on the new model where a pivot starts to count (the reports: a
 * campaign moved about half its traffic within 24 h). */
export const PIVOT_FLOOR = 0.3;
/** New-and-heavy: first exchange within this many days of signup, with at least HEAVY exchanges. */
export const NEW_ACCOUNT_DAYS = 3;
export const HEAVY_EXCHANGES = 100;
/** Pathways the reports name as used to open fraudulent accounts. */
export const ABUSED_PATHWAYS = new Set(['education', 'startup', 'research']);
/** Rhythm mismatch needs a clear rhythm and enough exchanges to see it. */
export const MIN_RHYTHM_EXCHANGES = 50;
export const MIN_RHYTHM_STRENGTH = 0.25;
/** Log-gap variation below which request timing is metronomic (load-balanced scripts). */
export const METRONOME_CV = 0.06;
/** Distinct /24s per 100 exchanges beyond which an account looks spread over a proxy pool. */
export const IP_ROTATION_MIN_EXCHANGES = 50;

export interface AccountProfile {
  account_id: string;
  agg: AccountAggregate | null;
  info: AccountInfo | null;
  text: TextSummary | null;
  peer: PeerKey;
  peerGroup: string;
  signals: Signal[];
}

const round = (x: number, d = 3): number => Math.round(x * 10 ** d) / 10 ** d;
const clamp01 = (x: number): number => Math.min(1, Math.max(0, x));

export interface SignalInput {
  aggregates: readonly AccountAggregate[];
  infos: ReadonlyMap<string, AccountInfo>;
  texts: ReadonlyMap<string, TextSummary>;
}

/** The peers' baselines of every compared behaviour. */
export interface SignalBaselines {
  ratio: PeerBaselines;
  reasoning: PeerBaselines;
  cv: PeerBaselines;
  fast: PeerBaselines;
  peak: PeerBaselines;
}

function peerKey(a: AccountAggregate, infos: ReadonlyMap<string, AccountInfo>): PeerKey {
  return {
    size: sizeBucket(a.exchanges),
    pathway: infos.get(a.account_id)?.pathway ?? '',
    endpoint: a.endpoint,
    agentic: a.tool_share >= 0.5,
  };
}

const logRatio = (a: AccountAggregate): number => Math.log((a.output_tokens + 1) / (a.input_tokens + 1));
const negCv = (a: AccountAggregate): number => (a.exchanges >= 50 ? -a.gap_log_cv : Number.NaN);
const fastShare = (a: AccountAggregate): number => (a.exchanges >= 50 ? a.gap_fast_share : Number.NaN);
const logPeak = (a: AccountAggregate): number => Math.log(a.peak_hour);

/** Baselines over a population of accounts. The incremental driver keeps the last ones and
 * scores a single account against them between two full passes. */
export function signalBaselines(
  aggregates: readonly AccountAggregate[],
  infos: ReadonlyMap<string, AccountInfo>,
): SignalBaselines {
  const keys = aggregates.map((a) => peerKey(a, infos));
  return {
    ratio: new PeerBaselines(keys, aggregates.map(logRatio), 0.15),
    reasoning: new PeerBaselines(
      keys,
      aggregates.map((a) => a.reasoning_share),
      0.08,
    ),
    cv: new PeerBaselines(keys, aggregates.map(negCv), 0.05),
    fast: new PeerBaselines(keys, aggregates.map(fastShare), 0.05),
    peak: new PeerBaselines(keys, aggregates.map(logPeak), 0.3),
  };
}

/** Computes every account's signals against its peers (the baselines of these same accounts
 * unless given). Accounts without exchanges get none. */
export function accountSignals(
  input: SignalInput,
  baselines: SignalBaselines = signalBaselines(input.aggregates, input.infos),
): AccountProfile[] {
  const { aggregates, infos, texts } = input;
  const b = baselines;
  return aggregates.map((a) => {
    const key = peerKey(a, infos);
    const ratio = logRatio(a);
    const info = infos.get(a.account_id) ?? null;
    const text = texts.get(a.account_id) ?? null;
    const s: Signal[] = [];
    const peerStats = b.ratio.of(key);
    if (text !== null && text.withText > 0) {
      const strong = shrunkShare(text.strong, text.withText);
      s.push({
        code: 'text.strong_elicitation',
        value: round(strong),
        baseline: STRONG_ELICITATION_FLOOR,
        strength: clamp01(
          (strong - STRONG_ELICITATION_FLOOR) / (STRONG_ELICITATION_FULL - STRONG_ELICITATION_FLOOR),
        ),
      });
      const any = shrunkShare(text.elicited, text.withText);
      s.push({
        code: 'text.elicitation',
        value: round(any),
        baseline: ELICITATION_FLOOR,
        strength: clamp01((any - ELICITATION_FLOOR) / (ELICITATION_FULL - ELICITATION_FLOOR)),
      });
      const top = topCapability(text);
      if (
        top !== null &&
        text.withText >= MIN_TEXT_FOR_CONCENTRATION &&
        HARVEST_CAPABILITIES.has(top.capability)
      ) {
        s.push({
          code: 'text.harvest_capability',
          value: `${top.capability} ${Math.round(top.share * 100)}%`,
          baseline: '50%',
          strength: clamp01((top.share - 0.5) / 0.4),
        });
      }
      if (text.withText >= 2 * MIN_TEXT_FOR_CONCENTRATION) {
        const share = topTemplateShare(text);
        s.push({
          code: 'text.template_concentration',
          value: round(share),
          baseline: 0.5,
          strength: clamp01((share - 0.5) / 0.4),
        });
      }
    }
    const zr = zAbove(ratio, peerStats);
    s.push({
      code: 'behaviour.output_ratio',
      value: round((a.output_tokens + 1) / (a.input_tokens + 1), 2),
      baseline: round(Math.exp(peerStats.median), 2),
      strength: excess(zr),
    });
    if (Number.isFinite(a.reasoning_share)) {
      // A share of n exchanges against the peers' typical share p0, as a binomial z-score:
      // 3 of 8 is nothing, 44 of 93 is a lot (a robust z over shares ignores sample size).
      const p0 = Math.min(0.95, Math.max(0.02, b.reasoning.of(key).median));
      const z = (a.reasoning_share * a.exchanges - a.exchanges * p0) / Math.sqrt(a.exchanges * p0 * (1 - p0));
      s.push({
        code: 'behaviour.reasoning_share',
        value: round(a.reasoning_share),
        baseline: round(p0),
        strength: excess(z, 3, 8),
      });
    }
    if (a.exchanges >= 50) {
      const st = b.cv.of(key);
      s.push({
        code: 'behaviour.scripted_timing',
        value: round(a.gap_log_cv),
        baseline: round(-st.median),
        // Beyond the peers, or metronomic in absolute terms: people and agents alike mix
        // seconds-apart bursts with hours-long pauses (log-gap variation ≈ 0.15–0.25 on the
        // tuning seed); a variation under METRONOME_CV only comes from paced scripts.
        strength: Math.max(
          excess(zAbove(-a.gap_log_cv, st)),
          clamp01((METRONOME_CV - a.gap_log_cv) / METRONOME_CV),
        ),
      });
      const sf = b.fast.of(key);
      s.push({
        code: 'behaviour.machine_pace',
        value: round(a.gap_fast_share),
        baseline: round(sf.median),
        strength: excess(zAbove(a.gap_fast_share, sf)),
      });
    }
    const sp = b.peak.of(key);
    s.push({
      code: 'behaviour.peak_rate',
      value: a.peak_hour,
      baseline: round(Math.exp(sp.median), 1),
      strength: excess(zAbove(logPeak(a), sp), 3, 6),
    });
    if (Number.isFinite(a.pivot_share) && a.pivot_share > 0) {
      s.push({
        code: 'behaviour.pivot',
        value: `${Math.round(a.pivot_share * 100)}% on ${a.pivot_model}`,
        baseline: `${Math.round(PIVOT_FLOOR * 100)}%`,
        strength: clamp01((a.pivot_share - PIVOT_FLOOR) / 0.4),
      });
    }
    if (info !== null) {
      if (info.created_at !== null) {
        const days = (a.first_ts - info.created_at) / 86_400_000;
        if (days >= 0 && days < NEW_ACCOUNT_DAYS && a.exchanges >= HEAVY_EXCHANGES)
          s.push({
            code: 'account.new_and_heavy',
            value: round(days, 1),
            baseline: NEW_ACCOUNT_DAYS,
            strength: clamp01(Math.log10(a.exchanges / HEAVY_EXCHANGES + 1) * 2),
          });
      }
      if (info.pathway !== null && ABUSED_PATHWAYS.has(info.pathway))
        s.push({ code: 'account.pathway', value: info.pathway, baseline: null, strength: 1 });
      if (info.verified === false)
        s.push({ code: 'account.unverified', value: 'no', baseline: null, strength: 1 });
      const declared = info.country === null ? undefined : COUNTRY_UTC_OFFSET[info.country];
      const rhythm = impliedRhythm(a.hours, MIN_RHYTHM_EXCHANGES);
      if (declared !== undefined && rhythm !== null && rhythm.strength >= MIN_RHYTHM_STRENGTH) {
        const d = offsetDistance(rhythm.offset, declared);
        s.push({
          code: 'geo.rhythm_mismatch',
          value: `UTC${rhythm.offset >= 0 ? '+' : ''}${rhythm.offset}`,
          baseline: `${info.country} UTC${declared >= 0 ? '+' : ''}${declared}`,
          strength: clamp01((d - 3) / 4),
        });
      }
    }
    if (a.exchanges >= IP_ROTATION_MIN_EXCHANGES) {
      const perHundred = (100 * a.distinct_subnets) / a.exchanges;
      s.push({
        code: 'infra.ip_rotation',
        value: round(a.distinct_subnets, 0),
        baseline: null,
        strength: clamp01((perHundred - 5) / 20) * clamp01((a.distinct_subnets - 5) / 20),
      });
    }
    return {
      account_id: a.account_id,
      agg: a,
      info,
      text,
      peer: key,
      peerGroup: peerStats.group,
      signals: s,
    };
  });
}
