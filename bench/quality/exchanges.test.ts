import { describe, expect, it } from 'vitest';
import { ScoreError } from './errors.js';
import {
  type ExchangeRow,
  type ExchangeVerdictRow,
  indexExchangeVerdicts,
  scoreExchanges,
} from './exchanges.js';
import { scoreAll } from './report.js';
import { type AlertRow, joinTruth, type LabelRow, type VerdictKind, type VerdictRow } from './truth.js';

const T0 = Date.UTC(2026, 1, 2);
const MIN = 60_000;
const at = (minutes: number): number => T0 + minutes * MIN;

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return e instanceof ScoreError ? e.code : `not a ScoreError: ${String(e)}`;
  }
  return undefined;
}

describe('reseller traffic, per exchange', () => {
  const labels: LabelRow[] = [
    { account_id: 'r1', label: 'attack', campaign_id: 'hydra', archetype: 'hydra_reseller' },
    { account_id: 'x1', label: 'legit', campaign_id: null, archetype: 'indie_dev' },
  ];
  const verdicts = (v: VerdictKind): VerdictRow[] => [
    { account_id: 'r1', score: 0.9, verdict: v, campaign_id: null },
    { account_id: 'x1', score: 0.1, verdict: 'block', campaign_id: null },
  ];
  const ex: ExchangeRow[] = [
    { ts: at(0), account_id: 'r1', request_id: 'req1', end_user_id: 'u1', harvest: true },
    { ts: at(1), account_id: 'r1', request_id: 'req2', end_user_id: 'u1', harvest: true },
    { ts: at(2), account_id: 'r1', request_id: 'req3', end_user_id: 'u2', harvest: false },
    { ts: at(3), account_id: 'r1', request_id: 'req4', end_user_id: 'u3', harvest: false },
    { ts: at(4), account_id: 'r1', end_user_id: 'u1', harvest: true },
    { ts: at(5), account_id: 'x1', request_id: 'req9' }, // no harvest field: not reseller traffic
  ];

  it('without exchange verdicts, each exchange inherits its account verdict', () => {
    const blocked = scoreExchanges(joinTruth({ labels, verdicts: verdicts('block') }), ex).reseller;
    expect(blocked).toMatchObject({
      source: 'account_verdicts',
      mixingAccounts: 1,
      harvestExchanges: 3,
      harvestFlagged: 3,
      harvestRecall: 1,
      genuineExchanges: 2,
      genuineFlagged: 2,
      genuineFlaggedShare: 1,
    });
    const clear = scoreExchanges(joinTruth({ labels, verdicts: verdicts('clear') }), ex).reseller;
    expect(clear).toMatchObject({ harvestRecall: 0, genuineFlaggedShare: 0 });
    const r = scoreAll({ labels, verdicts: verdicts('clear'), exchanges: ex });
    expect(r.notes.some((n) => n.includes('inherits its account'))).toBe(true);
  });

  it('with exchange verdicts: request_id first, then (account_id, end_user_id)', () => {
    const ev: ExchangeVerdictRow[] = [
      { request_id: 'req1', flagged: true, score: 0.8 },
      { request_id: 'req3', flagged: false },
      { account_id: 'r1', end_user_id: 'u1', flagged: true },
      { account_id: 'r1', end_user_id: 'u3', flagged: true },
    ];
    const t = joinTruth({ labels, verdicts: verdicts('clear') });
    const more = [
      ...ex,
      { ts: at(6), account_id: 'r1', request_id: 'req6', end_user_id: 'u9', harvest: false },
    ];
    const r = scoreExchanges(t, more, indexExchangeVerdicts(ev));
    expect(r.reseller).toMatchObject({
      source: 'exchange_verdicts',
      harvestFlagged: 3,
      harvestRecall: 1,
      genuineExchanges: 3,
      genuineFlagged: 1, // req4 through u3; req3 says false; req6 has no verdict
      uncovered: 1,
    });
    expect(r.exchangeVerdictsUnused).toBe(0);
  });

  it('rejects exchange verdicts that match nothing, repeat, or are empty', () => {
    const t = joinTruth({ labels, verdicts: verdicts('clear') });
    expect(
      codeOf(() => scoreExchanges(t, ex, indexExchangeVerdicts([{ request_id: 'nope', flagged: true }]))),
    ).toBe('exchange_verdicts_unmatched');
    expect(
      codeOf(() =>
        indexExchangeVerdicts([
          { account_id: 'r1', end_user_id: 'u1', flagged: true },
          { account_id: 'r1', end_user_id: 'u1', flagged: false },
        ]),
      ),
    ).toBe('duplicate_exchange_verdicts');
    expect(codeOf(() => indexExchangeVerdicts([]))).toBe('empty_exchange_verdicts');
  });
});

describe('live: time to alert on three campaigns', () => {
  const attack = (id: string, c: string): LabelRow => ({
    account_id: id,
    label: 'attack',
    campaign_id: c,
    archetype: c,
  });
  const labels: LabelRow[] = [
    attack('a1', 'A'),
    attack('a2', 'A'),
    attack('b1', 'B'),
    attack('b2', 'B'),
    attack('b3', 'B'),
    attack('b4', 'B'),
    attack('c1', 'C'),
    { account_id: 'g1', label: 'legit', campaign_id: null, archetype: 'indie_dev' },
  ];
  const verdicts: VerdictRow[] = labels.map((l) => ({
    account_id: l.account_id,
    score: 0,
    verdict: 'clear',
    campaign_id: null,
  }));
  const ex = (id: string, ...minutes: number[]): ExchangeRow[] =>
    minutes.map((m) => ({ ts: at(m), account_id: id }));
  const exchanges = [
    ...ex('a1', 20, 0, 10), // out of order on purpose
    ...ex('a2', 5, 30),
    ...ex('b1', 60, 70),
    ...ex('b2', 65),
    ...ex('b3', 80),
    ...ex('b4', 90),
    ...ex('c1', 100, 110),
    ...ex('g1', 0),
  ];
  const alert = (id: string, minutes: number, verdict: VerdictKind): AlertRow => ({
    ts: at(minutes),
    account_id: id,
    verdict,
  });
  const alerts = [
    alert('a1', 5, 'clear'), // not an alert of suspicion: ignored
    alert('a1', 10, 'watch'),
    alert('a1', 20, 'throttle'),
    alert('a2', 30, 'block'),
    alert('b1', 70, 'watch'),
    alert('b3', 200, 'watch'),
    alert('b2', 120, 'block'),
    alert('g1', 0, 'watch'),
  ];
  const r = scoreExchanges(joinTruth({ labels, verdicts, alerts }), exchanges, undefined, alerts).live;

  it('per campaign: time from first exchange to first alert and to 50 % alerted', () => {
    expect(
      r?.campaigns.map((c) => [
        c.campaign_id,
        c.accounts,
        c.accountsAlerted,
        c.toFirstAlertMs,
        c.toHalfAlertedMs,
      ]),
    ).toEqual([
      ['B', 4, 3, 10 * MIN, 60 * MIN], // first exchange 60; alerts 70, 120, 200; 2 of 4 at 120
      ['A', 2, 2, 10 * MIN, 10 * MIN], // first exchange 0; 1 of 2 at 10
      ['C', 1, 0, null, null],
    ]);
  });
  it('exchanges served to attack accounts up to their first alert', () => {
    // a1: 0, 10 of 0/10/20; a2: 5, 30; b1: 60, 70; b2, b3, b4 (never), c1 ×2 (never) → 11 of 12
    expect(r).toMatchObject({
      alerts: 8,
      clearAlertsIgnored: 1,
      alertedAttackAccounts: 5,
      alertedGenuineAccounts: 1,
      attackExchanges: 12,
      servedBeforeAlert: 11,
    });
    expect(r?.servedBeforeAlertShare).toBeCloseTo(11 / 12, 12);
  });
});
