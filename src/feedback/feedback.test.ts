import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CONFIRMED_INDICATOR_WEIGHT,
  DISMISSED_INDICATOR_WEIGHT,
  emptyFeedback,
  type FeedbackFile,
  indexFeedback,
  loadFeedback,
  parseFeedback,
  writeFeedback,
} from './index.js';

const P = { updated_at: '2026-02-10T12:00:00Z', updated_by: 'alice', reason: 'checked' };

const FILE: FeedbackFile = {
  version: 1,
  generated_at: '2026-02-10T12:00:00Z',
  accounts: {
    a1: { ...P, status: 'dismissed', trust: 'partner' },
    a2: { ...P, action: 'allow' },
  },
  campaigns: {
    c1: {
      ...P,
      status: 'confirmed',
      action: 'throttle',
      accounts: ['a1', 'a2', 'a3'],
      indicators: { ip: ['198.51.100.7'], tls_fingerprint: ['t13d'] },
    },
    c2: {
      ...P,
      status: 'dismissed',
      action: 'block',
      accounts: ['a3', 'a4'],
      indicators: { ip: ['198.51.100.7', '203.0.113.9'] },
    },
  },
};

const dir = mkdtempSync(join(tmpdir(), 'dg-feedback-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('feedback index', () => {
  const fb = indexFeedback(FILE);

  it('answers trust overrides', () => {
    expect(fb.trustOf('a1')).toBe('partner');
    expect(fb.trustOf('a2')).toBeNull();
    expect(fb.trustOf('nobody')).toBeNull();
  });

  it("prefers an account's own review, then a confirmed campaign over a dismissed one", () => {
    expect(fb.statusOf({ kind: 'account', id: 'a1' })).toEqual({
      status: 'dismissed',
      from: 'account',
      campaign_id: null,
    });
    expect(fb.statusOf({ kind: 'account', id: 'a3' })).toEqual({
      status: 'confirmed',
      from: 'campaign',
      campaign_id: 'c1',
    });
    expect(fb.statusOf({ kind: 'account', id: 'a4' })?.status).toBe('dismissed');
    expect(fb.statusOf({ kind: 'campaign', id: 'c2' })?.status).toBe('dismissed');
    expect(fb.statusOf({ kind: 'campaign', id: 'c9' })).toBeNull();
  });

  it("prefers an account's own action, then the most severe campaign action", () => {
    expect(fb.actionOf({ kind: 'account', id: 'a2' })).toEqual({
      action: 'allow',
      from: 'account',
      campaign_id: null,
    });
    expect(fb.actionOf({ kind: 'account', id: 'a3' })).toEqual({
      action: 'block',
      from: 'campaign',
      campaign_id: 'c2',
    });
    expect(fb.actionOf({ kind: 'account', id: 'a1' })?.action).toBe('throttle');
    expect(fb.actionOf({ kind: 'campaign', id: 'c1' })?.action).toBe('throttle');
    expect(fb.actionOf({ kind: 'account', id: 'stranger' })).toBeNull();
  });

  it('weighs dismissed indicators less and confirmed ones more; confirmed wins when both list one', () => {
    expect(fb.isDismissed({ kind: 'ip', value: '203.0.113.9' })).toBe(true);
    expect(fb.isDismissed({ kind: 'ip', value: '198.51.100.7' })).toBe(false);
    expect(fb.isConfirmed({ kind: 'ip', value: '198.51.100.7' })).toBe(true);
    expect(fb.indicatorWeight({ kind: 'ip', value: '203.0.113.9' })).toBe(DISMISSED_INDICATOR_WEIGHT);
    expect(fb.indicatorWeight({ kind: 'tls_fingerprint', value: 't13d' })).toBe(CONFIRMED_INDICATOR_WEIGHT);
    expect(fb.indicatorWeight({ kind: 'ip', value: '192.0.2.1' })).toBe(1);
    // same value, other kind: not the same indicator
    expect(fb.isDismissed({ kind: 'subnet', value: '203.0.113.9' })).toBe(false);
  });
});

describe('feedback file', () => {
  it('rejects a bad file with the path and code of each problem', () => {
    const r = parseFeedback({ ...FILE, accounts: { a1: { ...P, action: 'nuke' } } });
    expect(r.success).toBe(false);
    if (!r.success) expect(r.issues[0]).toMatchObject({ path: 'accounts.a1.action', code: 'invalid_value' });
    expect(parseFeedback({ ...FILE, version: 2 }).success).toBe(false);
  });

  it('round-trips through writeFeedback / loadFeedback; missing is empty; broken JSON is invalid', async () => {
    const p = join(dir, 'feedback.json');
    await writeFeedback(p, FILE);
    const r = await loadFeedback(p);
    expect(r.status).toBe('loaded');
    if (r.status === 'loaded') expect(r.feedback.file).toEqual(FILE);
    const missing = await loadFeedback(join(dir, 'none.json'));
    expect(missing.status).toBe('missing');
    if (missing.status === 'missing') expect(missing.feedback.file.accounts).toEqual({});
    writeFileSync(join(dir, 'bad.json'), '{"version":1,');
    const bad = await loadFeedback(join(dir, 'bad.json'));
    expect(bad.status).toBe('invalid');
    if (bad.status === 'invalid') expect(bad.issues[0]?.code).toBe('invalid_json');
    expect(emptyFeedback('2026-01-01T00:00:00Z').campaigns).toEqual({});
  });
});
