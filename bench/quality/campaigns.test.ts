import { describe, expect, it } from 'vitest';
import { campaignsFromVerdicts, scoreCampaigns } from './campaigns.js';
import { joinTruth, type LabelRow, type VerdictRow } from './truth.js';

const labels: LabelRow[] = [];
const verdicts: VerdictRow[] = [];
/** n accounts of true campaign `c`, the first `flagged` of them flagged into detected campaign `det`. */
function campaign(c: string | null, n: number, flagged: number, det: string | null): void {
  for (let i = 0; i < n; i++) {
    const id = `${c ?? 'solo'}-${i}`;
    labels.push({ account_id: id, label: 'attack', campaign_id: c, archetype: 'x' });
    const f = i < flagged;
    verdicts.push({
      account_id: id,
      score: f ? 0.9 : 0.1,
      verdict: f ? 'block' : 'clear',
      campaign_id: f ? det : null,
    });
  }
}
campaign('A', 5, 4, 'K1'); // 4/5 = 80 % → found
campaign('B', 5, 3, 'K2'); // 3/5 = 60 % → not found
campaign('C', 1, 1, 'K2'); // found; K2 merges B and C
campaign(null, 1, 0, null); // a campaign of one, not found
campaign('D', 20, 16, 'K3'); // 16/20 = 80 % → found
labels.push({ account_id: 'g1', label: 'legit', campaign_id: null, archetype: 'chat_app' });
verdicts.push({ account_id: 'g1', score: 0.7, verdict: 'watch', campaign_id: 'K1' });
labels.push({ account_id: 'g2', label: 'legit', campaign_id: null, archetype: 'chat_app' });
verdicts.push({ account_id: 'g2', score: 0.1, verdict: 'clear', campaign_id: null });

describe('scoreCampaigns', () => {
  const t = joinTruth({ labels, verdicts });
  const r = scoreCampaigns(t, campaignsFromVerdicts(verdicts), 'verdicts');
  it('counts a true campaign found when ≥ 80 % of its accounts are flagged', () => {
    expect(r.trueCampaigns).toBe(5);
    expect(r.found).toBe(3);
    expect(r.recovered).toBeCloseTo(0.6, 12);
    expect(Object.fromEntries(r.perTrueCampaign.map((c) => [c.campaign_id, c.found]))).toEqual({
      A: true,
      B: false,
      C: true,
      'account:solo-0': false,
      D: true,
    });
  });
  it('reports recovery by size bucket', () => {
    expect(r.bySize.map((b) => [b.bucket, b.campaigns, b.found, b.share])).toEqual([
      ['1–4', 2, 1, 0.5],
      ['5–19', 2, 1, 0.5],
      ['20–99', 1, 1, 1],
      ['≥100', 0, 0, null],
    ]);
  });
  it('measures precision and purity of detected campaigns', () => {
    expect(r.detected).toEqual({
      campaigns: 3,
      memberAccounts: 25,
      attackMembers: 24,
      legitMembers: 1,
      unknownMembers: 0,
      accountPrecision: 24 / 25,
      mixedCampaigns: 1,
      genuineInMixed: 1,
      mergedCampaigns: 1,
    });
  });
  it('takes detected campaigns from a campaigns file when given', () => {
    const f = scoreCampaigns(
      t,
      [{ campaign_id: 'Z', accounts: ['A-0', 'A-1', 'g1', 'g2'] }],
      'campaigns_file',
    );
    expect(f.source).toBe('campaigns_file');
    expect(f.detected).toMatchObject({
      campaigns: 1,
      accountPrecision: 0.5,
      mixedCampaigns: 1,
      genuineInMixed: 2,
    });
    expect(f.found).toBe(3); // recovery depends on verdicts only
  });
});
