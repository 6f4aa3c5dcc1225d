import { describe, expect, it } from 'vitest';
import { indexFeedback } from '../feedback/index.js';
import { templateKeys } from '../signals/index.js';
import { type Artifacts, EvasionIndex, subnetOf } from './evasion.js';
import { type ActionMap, DEFAULT_ACTIONS, Policy } from './policy.js';
import { campaign, verdict } from './test-support/records.js';
import { VerdictBook } from './verdict-book.js';

const TEMPLATE_PROMPT =
  'You are an expert tutor. Think step by step and show all of your reasoning before the final answer: what is 17 times 23?';

function setup(actions: ActionMap = DEFAULT_ACTIONS) {
  const book = new VerdictBook();
  book.replace(
    [
      verdict('a_clear', 'clear'),
      verdict('a_watch', 'watch'),
      verdict('a_throttle', 'throttle'),
      verdict('a_block', 'block', 'dgc-1'),
      verdict('a_member', 'clear', 'dgc-1'),
    ],
    [
      campaign('dgc-1', ['a_block', 'a_member', 'a_listed'], {
        payment_fingerprint: ['pf-111'],
        subnet: ['203.0.113.0/24'],
        ip: ['198.51.100.9'],
        tls_fingerprint: ['t13d1516h2_aaa'],
        user_agent: ['harvester/1.0'],
        prompt_template: templateKeys(TEMPLATE_PROMPT),
      }),
    ],
  );
  const policy = new Policy(book, new EvasionIndex(book, new Set(['throttle', 'block'])), actions);
  const decide = (account: string, a: Artifacts = {}, trusted = false) =>
    policy.decide({ account, trusted, artifacts: () => a });
  return { book, policy, decide };
}

describe('Policy: verdict → action', () => {
  it('maps verdicts to the default actions', () => {
    const { decide } = setup();
    expect(decide('a_clear')).toEqual({ action: 'allow', reason: null });
    expect(decide('a_watch')).toMatchObject({
      action: 'allow',
      reason: { verdict: 'watch', source: 'account' },
    });
    expect(decide('a_throttle')).toMatchObject({ action: 'throttle', bucket: 'a_throttle' });
    expect(decide('a_block')).toMatchObject({ action: 'block', reason: { campaign_id: 'dgc-1' } });
  });

  it("gives campaign members the campaign's action, whether linked by verdict or by member list", () => {
    const { decide } = setup();
    expect(decide('a_member')).toMatchObject({
      action: 'block',
      reason: { source: 'campaign', campaign_id: 'dgc-1' },
    });
    expect(decide('a_listed')).toMatchObject({ action: 'block', reason: { source: 'campaign' } });
  });

  it('follows a configured mapping (watch → degrade, throttle → step-up)', () => {
    const { decide } = setup({ ...DEFAULT_ACTIONS, watch: 'degrade', throttle: 'step_up' });
    expect(decide('a_watch').action).toBe('degrade');
    expect(decide('a_throttle').action).toBe('step_up');
  });

  it('throttles a campaign through one shared bucket', () => {
    const { book, decide } = setup();
    book.apply({ kind: 'verdict', record: verdict('a_block', 'throttle', 'dgc-1') });
    expect(decide('a_member')).toMatchObject({ action: 'throttle', bucket: 'dgc-1' });
    expect(decide('a_listed')).toMatchObject({ action: 'throttle', bucket: 'dgc-1' });
  });

  it('an alert raises an account from then on', () => {
    const { book, decide } = setup();
    expect(decide('a_new').action).toBe('allow');
    book.apply({
      kind: 'alert',
      record: { ...verdict('a_new', 'block'), ts: '2026-11-03T00:00:00.000Z' },
    });
    expect(decide('a_new').action).toBe('block');
  });
});

describe('Policy: ban evasion', () => {
  it('a new account with the payment instrument of a blocked campaign is blocked from its first request', () => {
    const { decide } = setup();
    const d = decide('a_new', { payment_fingerprint: 'pf-111', ip: '192.0.2.1' });
    expect(d).toMatchObject({ action: 'block', reason: { source: 'evasion', campaign_id: 'dgc-1' } });
  });

  it('/24 + TLS fingerprint match; IP + template match', () => {
    const { decide } = setup();
    expect(decide('n1', { ip: '203.0.113.77', tls_fingerprint: 't13d1516h2_aaa' }).action).toBe('block');
    expect(decide('n2', { ip: '198.51.100.9', prompt: TEMPLATE_PROMPT }).action).toBe('block');
  });

  it('a user agent alone, a TLS fingerprint alone, a /24 alone or UA + TLS + template never condemn', () => {
    const { decide } = setup();
    expect(decide('n3', { user_agent: 'harvester/1.0', ip: '192.0.2.1' }).action).toBe('allow');
    expect(decide('n4', { tls_fingerprint: 't13d1516h2_aaa' }).action).toBe('allow');
    expect(decide('n5', { ip: '203.0.113.5' }).action).toBe('allow');
    expect(
      decide('n6', {
        user_agent: 'harvester/1.0',
        tls_fingerprint: 't13d1516h2_aaa',
        prompt: TEMPLATE_PROMPT,
      }).action,
    ).toBe('allow');
  });

  it('remembers an evader (its next request from elsewhere keeps the action); trusted accounts are exempt', () => {
    const { decide, policy } = setup();
    decide('n7', { payment_fingerprint: 'pf-111' });
    expect(decide('n7', { ip: '192.0.2.200' }).action).toBe('block');
    expect(policy.evaderCount).toBe(1);
    expect(decide('n8', { payment_fingerprint: 'pf-111' }, true).action).toBe('allow');
  });

  it('accounts the verdicts know are judged by their verdict, not their artifacts', () => {
    const { decide } = setup();
    expect(decide('a_clear', { payment_fingerprint: 'pf-111' }).action).toBe('allow');
  });

  it('writes subnets as hunt does', () => {
    expect(subnetOf('203.0.113.77')).toBe('203.0.113.0/24');
    expect(subnetOf('2001:db8:1:2::1')).toBe('2001:db8:1::/48');
    expect(subnetOf('nonsense')).toBeUndefined();
  });
});

describe('Policy: analysts’ actions (feedback.json)', () => {
  const at = '2026-11-27T00:00:00Z';
  const who = { updated_at: at, updated_by: 'ana', reason: 'reviewed' };
  const fb = indexFeedback({
    version: 1,
    generated_at: at,
    accounts: {
      a_block: { ...who, action: 'allow' },
      a_clear: { ...who, action: 'block' },
    },
    campaigns: { 'dgc-1': { ...who, action: 'degrade', accounts: ['a_block', 'a_member'], indicators: {} } },
  });
  it('override the verdicts: the account’s own first, then its campaign’s', () => {
    const book = setup().book;
    const policy = new Policy(book, new EvasionIndex(book, new Set(['block'])), DEFAULT_ACTIONS, () => fb);
    const decide = (account: string) => policy.decide({ account, trusted: false, artifacts: () => ({}) });
    expect(decide('a_block')).toMatchObject({ action: 'allow', reason: { source: 'analyst' } });
    expect(decide('a_clear')).toMatchObject({ action: 'block', reason: { source: 'analyst' } });
    expect(decide('a_member')).toMatchObject({
      action: 'degrade',
      reason: { source: 'analyst', campaign_id: 'dgc-1' },
    });
    expect(decide('a_throttle').action).toBe('throttle');
  });
});
