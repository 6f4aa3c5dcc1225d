/**
 * Campaigns stage: clusters of flagged accounts become campaigns with stable ids, their
 * volume harvested, capability mix, timeline, shared indicators and evidence.
 */
import type { Campaign, Evidence } from '../formats/index.js';
import { toRfc3339 } from '../formats/index.js';
import type { AccountAggregate } from '../store/index.js';

/** Fewer flagged accounts than this are not reported as a coordinated campaign. */
export const MIN_CAMPAIGN_ACCOUNTS = 3;
/** Indicator values listed per kind (the rest are counted in the evidence). */
export const MAX_INDICATOR_VALUES = 20;

/** FNV-1a 32-bit, twice with different offsets: a short stable id from the member list. */
function stableHash(s: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193) >>> 0;
    b = Math.imul(b ^ c, 0x01000193 + 2) >>> 0;
  }
  return a.toString(16).padStart(8, '0') + b.toString(16).padStart(8, '0').slice(0, 4);
}

/**
 * A campaign id that depends only on its members: the same data gives the same ids, and a
 * campaign keeps its id while its smallest member stays in it (the id hashes that member and
 * the campaign's first-seen day, not the whole list, so new members do not rename it).
 */
export function campaignId(members: readonly string[], firstSeen: number): string {
  const first = [...members].sort()[0] ?? '';
  return `dgc-${stableHash(`${first}|${Math.floor(firstSeen / 86_400_000)}`)}`;
}

export interface CampaignMember {
  account_id: string;
  score: number;
  agg: AccountAggregate | null;
  /** Capability counts of its sampled prompts (CAPABILITIES order). */
  capabilities: readonly number[];
  /** Evidence of the account (strongest first). */
  evidence: readonly Evidence[];
}

export interface SharedIndicator {
  kind: string;
  value: string;
  /** Members holding it. */
  members: number;
}

export function buildCampaign(
  members: readonly CampaignMember[],
  indicators: readonly SharedIndicator[],
  capabilityNames: readonly string[],
  clusterEvidence: Evidence | null,
): Campaign {
  let exchanges = 0;
  let output = 0;
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  const caps = new Array<number>(capabilityNames.length).fill(0);
  let scoreSum = 0;
  for (const m of members) {
    if (m.agg !== null) {
      exchanges += m.agg.exchanges;
      output += m.agg.output_tokens;
      first = Math.min(first, m.agg.first_ts);
      last = Math.max(last, m.agg.last_ts);
      // Weighted by the member's volume: the sample is bounded per account.
      let sampled = 0;
      for (const c of m.capabilities) sampled += c;
      if (sampled > 0)
        for (let i = 0; i < m.capabilities.length; i++)
          caps[i] = (caps[i] ?? 0) + ((m.capabilities[i] ?? 0) / sampled) * m.agg.exchanges;
    }
    scoreSum += m.score;
  }
  if (!Number.isFinite(first)) first = last = 0;
  let capTotal = 0;
  for (const c of caps) capTotal += c;
  const capabilities: Record<string, number> = {};
  caps.forEach((c, i) => {
    if (capTotal > 0 && c / capTotal >= 0.005)
      capabilities[capabilityNames[i] as string] = Math.round((c / capTotal) * 1000) / 1000;
  });
  const ind: Record<string, string[]> = {};
  const sortedInd = [...indicators].sort(
    (a, b) => b.members - a.members || a.kind.localeCompare(b.kind) || a.value.localeCompare(b.value),
  );
  for (const i of sortedInd) {
    const list = ind[i.kind] ?? [];
    ind[i.kind] = list;
    if (list.length < MAX_INDICATOR_VALUES) list.push(i.value);
  }
  // Campaign evidence: each signal with the share of members showing it, weighted by its mean weight.
  const bySignal = new Map<string, { n: number; weight: number; sample: Evidence }>();
  for (const m of members)
    for (const e of m.evidence) {
      if (e.signal === 'link.harvesting_cluster' || e.weight <= 0) continue;
      const s = bySignal.get(e.signal);
      if (s === undefined) bySignal.set(e.signal, { n: 1, weight: e.weight, sample: e });
      else {
        s.n++;
        s.weight += e.weight;
      }
    }
  const evidence: Evidence[] = [...bySignal.entries()]
    .map(([signal, s]) => ({
      signal,
      value: Math.round((s.n / members.length) * 1000) / 1000,
      baseline: null,
      weight: Math.round((s.weight / members.length) * 1e6) / 1e6,
      detail: `${Math.round((100 * s.n) / members.length)}% of members: ${s.sample.detail}`,
    }))
    .sort((a, b) => b.weight - a.weight || a.signal.localeCompare(b.signal))
    .slice(0, 8);
  if (clusterEvidence !== null) evidence.unshift(clusterEvidence);
  const ids = members.map((m) => m.account_id).sort();
  return {
    campaign_id: campaignId(ids, first) as Campaign['campaign_id'],
    accounts: ids as Campaign['accounts'],
    exchanges,
    output_tokens: output,
    first_seen: toRfc3339(first),
    last_seen: toRfc3339(last),
    capabilities: capabilities as Campaign['capabilities'],
    indicators: ind,
    evidence,
    score: Math.round((scoreSum / Math.max(1, members.length)) * 1e6) / 1e6,
  };
}
