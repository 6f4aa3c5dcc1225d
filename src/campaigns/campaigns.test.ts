import { describe, expect, it } from 'vitest';
import { CAPABILITIES } from '../formats/index.js';
import type { AccountAggregate } from '../store/index.js';
import { buildCampaign, campaignId } from './index.js';

const agg = (exchanges: number, first: number, last: number, output: number): AccountAggregate =>
  ({ exchanges, first_ts: first, last_ts: last, output_tokens: output }) as unknown as AccountAggregate;

describe('campaigns', () => {
  it('ids depend on the smallest member and the first day only', () => {
    const t = Date.UTC(2026, 1, 2, 10);
    expect(campaignId(['b', 'a', 'c'], t)).toBe(campaignId(['a', 'c', 'b', 'z'], t + 3_600_000));
    expect(campaignId(['a'], t)).not.toBe(campaignId(['b'], t));
    expect(campaignId(['a'], t)).toMatch(/^dgc-[0-9a-f]{12}$/);
  });
  it('sums volume, weights the capability mix by volume and lists shared indicators', () => {
    const reasoning = CAPABILITIES.map((c) => (c === 'reasoning' ? 10 : 0));
    const coding = CAPABILITIES.map((c) => (c === 'coding' ? 10 : 0));
    const c = buildCampaign(
      [
        {
          account_id: 'x',
          score: 0.9,
          agg: agg(300, 1000, 5000, 900),
          capabilities: reasoning,
          evidence: [],
        },
        { account_id: 'y', score: 0.7, agg: agg(100, 2000, 9000, 100), capabilities: coding, evidence: [] },
      ],
      [{ kind: 'payment_fingerprint', value: 'pm1', members: 2 }],
      CAPABILITIES,
      null,
    );
    expect(c.exchanges).toBe(400);
    expect(c.output_tokens).toBe(1000);
    expect(c.capabilities).toEqual({ reasoning: 0.75, coding: 0.25 });
    expect(c.indicators).toEqual({ payment_fingerprint: ['pm1'] });
    expect(c.score).toBeCloseTo(0.8, 6);
    expect(c.first_seen).toBe(new Date(1000).toISOString());
  });
});
