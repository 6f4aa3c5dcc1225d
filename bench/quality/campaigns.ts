/**
 * Campaign-level quality: how many true campaigns the detector recovers (overall and by
 * size), and how clean the campaigns it reports are (precision of their members, purity).
 *
 * True campaigns come from labels (`campaign_id` of attack accounts; an attack account
 * with a null campaign_id is a campaign of one). Detected campaigns come from the
 * campaigns file when given, else from grouping verdicts by their non-null `campaign_id`;
 * every campaign the detector reports counts as flagged.
 */
import { ratio } from './metrics.js';
import { type CampaignRow, flaggedOf, type Truth } from './truth.js';

/** A true campaign is found when at least this share of its accounts is flagged. Not 100 %:
 * a hydra cluster replaces banned accounts and low-and-slow members hide below any
 * threshold, yet flagging four in five of them takes the campaign's capacity apart and
 * leads an analyst to the rest through their shared infrastructure. */
export const FOUND_SHARE = 0.8;

/** Campaign size buckets (accounts): single accounts and small rings, the tens of a cluster,
 * the hundreds of a hydra network (the Feb 2026 reports name clusters of ~20k accounts). */
export const SIZE_BUCKETS = [
  { label: '1–4', min: 1, max: 4 },
  { label: '5–19', min: 5, max: 19 },
  { label: '20–99', min: 20, max: 99 },
  { label: '≥100', min: 100, max: null },
] as const satisfies readonly { label: string; min: number; max: number | null }[];

/** A campaign of one for attack accounts labelled without a campaign_id. */
export const SINGLETON_PREFIX = 'account:';

export interface TrueCampaignRow {
  campaign_id: string;
  accounts: number;
  flagged: number;
  found: boolean;
}

export interface SizeBucketRow {
  bucket: string;
  min: number;
  max: number | null;
  campaigns: number;
  found: number;
  share: number | null;
}

export interface DetectedCampaignRow {
  campaign_id: string;
  accounts: number;
  attack: number;
  legit: number;
  /** Members absent from labels (only with --allow-unknown). */
  unknown: number;
  /** Distinct true campaigns among its attack members. */
  trueCampaigns: number;
}

export interface CampaignsReport {
  source: 'campaigns_file' | 'verdicts';
  foundShare: number;
  trueCampaigns: number;
  found: number;
  /** found / trueCampaigns. */
  recovered: number | null;
  bySize: SizeBucketRow[];
  perTrueCampaign: TrueCampaignRow[];
  detected: {
    campaigns: number;
    memberAccounts: number;
    attackMembers: number;
    legitMembers: number;
    unknownMembers: number;
    /** attackMembers / (attackMembers + legitMembers): unknown members are left out. */
    accountPrecision: number | null;
    /** Detected campaigns holding both genuine and attack accounts. */
    mixedCampaigns: number;
    /** Genuine accounts inside those mixed campaigns. */
    genuineInMixed: number;
    /** Detected campaigns whose attack members come from two or more true campaigns. */
    mergedCampaigns: number;
  };
  perDetectedCampaign: DetectedCampaignRow[];
}

export function trueCampaignOf(id: string, campaignId: string | null): string {
  return campaignId ?? `${SINGLETON_PREFIX}${id}`;
}

/** Detected campaigns from verdicts: accounts grouped by non-null campaign_id. */
export function campaignsFromVerdicts(
  verdicts: Iterable<{ account_id: string; campaign_id: string | null }>,
): CampaignRow[] {
  const groups = new Map<string, string[]>();
  for (const v of verdicts) {
    if (v.campaign_id === null) continue;
    const g = groups.get(v.campaign_id) ?? [];
    g.push(v.account_id);
    groups.set(v.campaign_id, g);
  }
  return [...groups].map(([campaign_id, accounts]) => ({ campaign_id, accounts }));
}

export function scoreCampaigns(
  t: Truth,
  detected: readonly CampaignRow[],
  source: CampaignsReport['source'],
): CampaignsReport {
  const members = new Map<string, string[]>();
  for (const [id, l] of t.labels) {
    if (l.label !== 'attack') continue;
    const c = trueCampaignOf(id, l.campaign_id);
    const m = members.get(c) ?? [];
    m.push(id);
    members.set(c, m);
  }
  const perTrueCampaign: TrueCampaignRow[] = [...members]
    .map(([campaign_id, ids]) => {
      const flagged = ids.filter((id) => flaggedOf(t, id)).length;
      return { campaign_id, accounts: ids.length, flagged, found: flagged >= FOUND_SHARE * ids.length };
    })
    .sort((a, b) => b.accounts - a.accounts || (a.campaign_id < b.campaign_id ? -1 : 1));
  const bySize: SizeBucketRow[] = SIZE_BUCKETS.map((b) => {
    const inside = perTrueCampaign.filter(
      (c) => c.accounts >= b.min && (b.max === null || c.accounts <= b.max),
    );
    const found = inside.filter((c) => c.found).length;
    return {
      bucket: b.label,
      min: b.min,
      max: b.max,
      campaigns: inside.length,
      found,
      share: ratio(found, inside.length),
    };
  });
  const found = perTrueCampaign.filter((c) => c.found).length;

  const perDetectedCampaign: DetectedCampaignRow[] = detected.map((c) => {
    let attack = 0;
    let legit = 0;
    let unknown = 0;
    const truths = new Set<string>();
    for (const id of new Set(c.accounts)) {
      const l = t.labels.get(id);
      if (l === undefined) unknown++;
      else if (l.label === 'attack') {
        attack++;
        truths.add(trueCampaignOf(id, l.campaign_id));
      } else legit++;
    }
    return {
      campaign_id: c.campaign_id,
      accounts: attack + legit + unknown,
      attack,
      legit,
      unknown,
      trueCampaigns: truths.size,
    };
  });
  const sum = (f: (r: DetectedCampaignRow) => number): number =>
    perDetectedCampaign.reduce((s, r) => s + f(r), 0);
  const mixed = perDetectedCampaign.filter((r) => r.attack > 0 && r.legit > 0);
  const attackMembers = sum((r) => r.attack);
  const legitMembers = sum((r) => r.legit);
  return {
    source,
    foundShare: FOUND_SHARE,
    trueCampaigns: perTrueCampaign.length,
    found,
    recovered: ratio(found, perTrueCampaign.length),
    bySize,
    perTrueCampaign,
    detected: {
      campaigns: perDetectedCampaign.length,
      memberAccounts: sum((r) => r.accounts),
      attackMembers,
      legitMembers,
      unknownMembers: sum((r) => r.unknown),
      accountPrecision: ratio(attackMembers, attackMembers + legitMembers),
      mixedCampaigns: mixed.length,
      genuineInMixed: mixed.reduce((s, r) => s + r.legit, 0),
      mergedCampaigns: perDetectedCampaign.filter((r) => r.trueCampaigns >= 2).length,
    },
    perDetectedCampaign,
  };
}
