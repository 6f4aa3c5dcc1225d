/** Verdict and campaign records for the enforcement tests. */
import type { AccountId, Campaign, CampaignId, Verdict } from '../../formats/index.js';

export function verdict(account: string, v: Verdict['verdict'], campaign: string | null = null): Verdict {
  return {
    account_id: account as AccountId,
    score: v === 'clear' ? 0.05 : 0.9,
    verdict: v,
    campaign_id: campaign as CampaignId | null,
    evidence: [],
  };
}

export function campaign(
  id: string,
  accounts: string[],
  indicators: Record<string, string[]> = {},
): Campaign {
  return {
    campaign_id: id as CampaignId,
    accounts: accounts as AccountId[],
    exchanges: 1000,
    output_tokens: 100_000,
    first_seen: '2026-11-01T00:00:00.000Z',
    last_seen: '2026-11-02T00:00:00.000Z',
    capabilities: { reasoning: 1 },
    indicators,
    evidence: [],
    score: 0.9,
  };
}
