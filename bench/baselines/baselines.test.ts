import { rm } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { Verdict } from '../../src/formats/index.js';
import { runAccountAnomaly } from './account-anomaly.js';
import { runEvilCohort } from './evilcohort.js';
import { runSynchroTrap } from './synchrotrap.js';
import {
  type FxAccount,
  type FxExchange,
  HOUR,
  independentAccounts,
  MINUTE,
  T0,
  writeFixture,
} from './test-support/fixture.js';
import type { BaselineResult } from './verdicts.js';
import { runVolumeQuota } from './volume-quota.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function fixture(ex: FxExchange[], acc: FxAccount[]) {
  const f = await writeFixture(ex, acc);
  dirs.push(f.dir);
  return f;
}

function flaggedIds(r: BaselineResult): string[] {
  return r.verdicts
    .filter((v) => v.verdict !== 'clear')
    .map((v) => v.account_id as string)
    .sort();
}

function expectValid(r: BaselineResult, accounts: number): void {
  expect(r.verdicts).toHaveLength(accounts);
  for (const v of r.verdicts) expect(Verdict.safeParse(v).success).toBe(true);
}

describe('volume quota', () => {
  it('throttles the one account far above everyone else', async () => {
    const { ex, acc } = independentAccounts(120);
    acc.push({ account_id: 'huge' });
    for (let k = 0; k < 3000; k++) {
      ex.push({
        ts: T0 + k * 1000,
        account_id: 'huge',
        ip: '192.0.2.1',
        input_tokens: 500,
        output_tokens: 2000,
      });
    }
    const f = await fixture(ex, acc);
    const r = await runVolumeQuota(f);
    expectValid(r, 121);
    expect(flaggedIds(r)).toContain('huge');
    const huge = r.verdicts.find((v) => v.account_id === 'huge')!;
    expect(huge.verdict).toBe('throttle');
    expect(huge.score).toBe(Math.max(...r.verdicts.map((v) => v.score)));
    // At the 99th percentile, at most a couple of the 121 accounts go over on any window.
    expect(flaggedIds(r).length).toBeLessThanOrEqual(8);
  });
});

describe('EvilCohort', () => {
  it('groups 5 accounts sharing 3 IPs and leaves 20 independent accounts alone', async () => {
    const { ex, acc } = independentAccounts(20);
    const botIps = ['198.51.100.7', '203.0.113.9', '192.0.2.44'];
    for (let a = 0; a < 5; a++) {
      const id = `bot_${a}`;
      acc.push({ account_id: id });
      for (let k = 0; k < 9; k++)
        ex.push({ ts: T0 + (a * 9 + k) * MINUTE, account_id: id, ip: botIps[k % 3]! });
    }
    const f = await fixture(ex, acc);
    const r = await runEvilCohort(f, 11);
    expectValid(r, 25);
    expect(flaggedIds(r)).toEqual(['bot_0', 'bot_1', 'bot_2', 'bot_3', 'bot_4']);
    const campaigns = new Set(r.verdicts.filter((v) => v.verdict !== 'clear').map((v) => v.campaign_id));
    expect(campaigns.size).toBe(1);
    const again = await runEvilCohort(f, 11);
    expect(JSON.stringify(again.verdicts)).toBe(JSON.stringify(r.verdicts));
  });
});

describe('SynchroTrap', () => {
  it('clusters accounts acting in lockstep on the same template and /24', async () => {
    const { ex, acc } = independentAccounts(20);
    for (let a = 0; a < 4; a++) {
      const id = `lock_${a}`;
      acc.push({ account_id: id, payment_fingerprint: `pm_lock_${a}` });
      for (let h = 0; h < 12; h++) {
        ex.push({
          ts: T0 + h * HOUR + a * MINUTE,
          account_id: id,
          ip: `203.0.113.${10 + a}`,
          prompt: `Solve step by step and show reasoning: problem ${h * 7 + a} about "item ${a}"`,
        });
      }
    }
    const f = await fixture(ex, acc);
    const r = await runSynchroTrap(f, 11);
    expectValid(r, 24);
    expect(flaggedIds(r)).toEqual(['lock_0', 'lock_1', 'lock_2', 'lock_3']);
    const lock = r.verdicts.find((v) => v.account_id === 'lock_0')!;
    expect(lock.campaign_id).toMatch(/^synchrotrap-/);
    expect(lock.score).toBeGreaterThan(0.5);
    const again = await runSynchroTrap(f, 11);
    expect(JSON.stringify(again.verdicts)).toBe(JSON.stringify(r.verdicts));
  });

  it('works from prompt fingerprints alone (privacy mode)', async () => {
    const { ex, acc } = independentAccounts(10);
    for (const e of ex) {
      e.prompt_fingerprint = (e.prompt ?? '').length.toString(16).padStart(16, '0');
      delete e.prompt;
    }
    for (let a = 0; a < 3; a++) {
      acc.push({ account_id: `fp_${a}` });
      for (let h = 0; h < 6; h++) {
        ex.push({
          ts: T0 + h * HOUR + a,
          account_id: `fp_${a}`,
          ip: `100.64.${a}.1`,
          prompt_fingerprint: `00000000000000a${h}`,
        });
      }
    }
    const f = await fixture(ex, acc);
    const r = await runSynchroTrap(f, 11);
    expectValid(r, 13);
    expect(flaggedIds(r)).toEqual(['fp_0', 'fp_1', 'fp_2']);
  });
});

describe('isolation-forest baseline', () => {
  it('ranks the one machine-like account first and is deterministic for a seed', async () => {
    const { ex, acc } = independentAccounts(150);
    acc.push({ account_id: 'machine', created_at: '2026-02-01T00:00:00Z' });
    for (let k = 0; k < 800; k++) {
      ex.push({
        ts: T0 + k * 30_000,
        account_id: 'machine',
        ip: `198.18.${k % 50}.${k % 7}`,
        input_tokens: 60,
        output_tokens: 4000,
        turns: 1,
        reasoning: true,
        tool_count: 0,
        prompt: `Explain in full detail, thinking step by step, case ${k}`,
      });
    }
    const f = await fixture(ex, acc);
    const r = await runAccountAnomaly(f, 11);
    expectValid(r, 151);
    const top = [...r.verdicts].sort((a, b) => b.score - a.score)[0]!;
    expect(top.account_id).toBe('machine');
    expect(top.verdict).toBe('watch');
    // 1 % of 151 accounts: two flagged.
    expect(flaggedIds(r).length).toBe(2);
    const again = await runAccountAnomaly(f, 11);
    expect(JSON.stringify(again.verdicts)).toBe(JSON.stringify(r.verdicts));
  });
});
