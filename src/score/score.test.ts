import { describe, expect, it } from 'vitest';
import { EXPLAINED_CODES, explainEvidence } from '../explain/index.js';
import type { AccountProfile, Signal } from '../signals/index.js';
import { SIGNAL_CODES } from '../signals/index.js';
import {
  BASE_LOGIT,
  CLUSTER_BONUS,
  clusterTerm,
  cohortShare,
  coordination,
  evidenceOf,
  memberShare,
  ownScore,
  PROFILE_COHORT_FULL,
  PROFILE_TIE_FACTOR,
  SIGNAL_WEIGHT,
  SPECIFIC_FULL,
  sigmoid,
  TRUST_DISCOUNT,
  verdictOf,
  WATCH_AT,
} from './index.js';

function profile(signals: Signal[], trust: string | null = null): AccountProfile {
  return {
    account_id: 'a',
    agg: null,
    info: {
      account_id: 'a',
      created_at: null,
      pathway: null,
      country: null,
      email_domain: null,
      payment_fingerprint: null,
      verified: null,
      trust,
    },
    text: null,
    peer: { size: 1, pathway: '', endpoint: '', agentic: false },
    peerGroup: 'all accounts',
    signals,
  };
}

describe('own score', () => {
  it('adds weight × strength in log-odds, strongest evidence first', () => {
    const o = ownScore(
      profile([
        { code: 'text.strong_elicitation', value: 0.6, baseline: 0.05, strength: 1 },
        { code: 'account.unverified', value: 'no', baseline: null, strength: 1 },
        { code: 'behaviour.pivot', value: '10%', baseline: '30%', strength: 0 },
      ]),
    );
    expect(o.logit).toBeCloseTo(
      BASE_LOGIT + SIGNAL_WEIGHT['text.strong_elicitation'] + SIGNAL_WEIGHT['account.unverified'],
      9,
    );
    expect(o.contributions.map((c) => c.signal.code)).toEqual([
      'text.strong_elicitation',
      'account.unverified',
    ]);
  });
  it('lowers a trusted account’s own evidence', () => {
    const s: Signal[] = [{ code: 'text.strong_elicitation', value: 0.6, baseline: 0.05, strength: 1 }];
    expect(ownScore(profile(s, 'partner')).logit).toBeCloseTo(ownScore(profile(s)).logit - TRUST_DISCOUNT, 9);
  });
  it('an account with nothing unusual is clear', () => {
    expect(verdictOf(sigmoid(ownScore(profile([])).logit))).toBe('clear');
  });
});

describe('cluster term', () => {
  it('adds nothing for a cluster of unremarkable accounts (a NAT) and the full bonus for a large harvesting one', () => {
    expect(clusterTerm(Array.from({ length: 300 }, () => BASE_LOGIT + 0.3))).toBe(0);
    expect(clusterTerm(Array.from({ length: 25 }, () => 0))).toBeCloseTo(CLUSTER_BONUS, 9);
    expect(clusterTerm([0])).toBe(0);
    expect(coordination(2)).toBeLessThan(coordination(10));
    expect(coordination(100)).toBe(1);
  });
  it('gives a member its share by own evidence or operator-specific links, not by shared habits', () => {
    expect(memberShare(BASE_LOGIT, 0)).toBe(0);
    expect(memberShare(BASE_LOGIT, 3)).toBeCloseTo(0.75, 9);
    expect(memberShare(BASE_LOGIT, SPECIFIC_FULL)).toBe(1);
    expect(memberShare(0, 0)).toBe(1);
  });
  it('lets prompt-profile links open the door at PROFILE_TIE_FACTOR of their weight', () => {
    expect(memberShare(BASE_LOGIT, 0, 2)).toBeCloseTo((PROFILE_TIE_FACTOR * 2) / SPECIFIC_FULL, 9);
    expect(memberShare(BASE_LOGIT, 0, 100)).toBe(1);
    expect(memberShare(BASE_LOGIT, 3, 0)).toBe(memberShare(BASE_LOGIT, 3));
  });
  it("passes a joined cluster's term on by the share of its members already harvesting", () => {
    expect(cohortShare(0)).toBe(0);
    expect(cohortShare(1 / 400)).toBeLessThan(0.01);
    expect(cohortShare(PROFILE_COHORT_FULL / 2)).toBeCloseTo(0.5, 9);
    expect(cohortShare(0.9)).toBe(1);
  });
  it('trust never silences strong cluster evidence', () => {
    const trusted = ownScore(
      profile(
        [{ code: 'text.strong_elicitation', value: 0.6, baseline: 0.05, strength: 1 }],
        'known_customer',
      ),
    );
    const withCluster = sigmoid(trusted.logit + CLUSTER_BONUS);
    expect(withCluster).toBeGreaterThanOrEqual(WATCH_AT);
  });
});

describe('evidence', () => {
  it('renders every signal code in words', () => {
    for (const code of [...SIGNAL_CODES, 'link.harvesting_cluster', 'account.trusted'])
      expect(EXPLAINED_CODES).toContain(code);
    expect(explainEvidence('text.strong_elicitation', 0.5, 0.05)).toMatch(/50%/);
  });
  it('lists the cluster link with its weight and the trust discount', () => {
    const o = ownScore(
      profile([{ code: 'account.unverified', value: 'no', baseline: null, strength: 1 }], 'partner'),
    );
    const ev = evidenceOf(o, { term: 4, size: 30, detail: 'in a cluster' }, explainEvidence);
    expect(ev[0]?.signal).toBe('link.harvesting_cluster');
    expect(ev.map((e) => e.signal)).toContain('account.trusted');
  });
});
