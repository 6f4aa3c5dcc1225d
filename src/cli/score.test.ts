import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ScoreError } from '../../bench/quality/index.js';
import { simulate } from '../../sim/index.js';
import { registerScore } from './score.js';
import { UsageError } from './usage-error.js';

const dir = mkdtempSync(join(tmpdir(), 'dg-cli-score-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface LabelLine {
  account_id: string;
  label: 'legit' | 'attack';
}
let labels: LabelLine[] = [];
let harvestExchanges = 0;
beforeAll(async () => {
  const s = await simulate({ scenario: 'demo', seed: 5, scale: 0.05, out: dir });
  harvestExchanges = s.harvestExchanges;
  labels = readFileSync(join(dir, 'labels.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as LabelLine);
});

function program(): Command {
  const p = new Command('distillguard').exitOverride();
  p.configureOutput({ writeOut: () => {}, writeErr: () => {} });
  registerScore(p);
  return p;
}

async function run(args: string[]): Promise<{ out: string; err: unknown }> {
  let out = '';
  const w = vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
    out += String(s);
    return true;
  });
  try {
    await program().parseAsync(['node', 'dg', 'score', ...args], { from: 'node' });
    return { out, err: undefined };
  } catch (err) {
    return { out, err };
  } finally {
    w.mockRestore();
  }
}

function writeJsonl(name: string, rows: readonly unknown[]): string {
  const p = join(dir, name);
  writeFileSync(p, rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
  return p;
}

describe('distillguard score, end to end on a small simulated demo', () => {
  it('scores an all-clear detector: AUC 0.5, nothing flagged, every section present', async () => {
    const verdicts = writeJsonl(
      'clear.jsonl',
      labels.map((l) => ({
        account_id: l.account_id,
        score: 0,
        verdict: 'clear',
        campaign_id: null,
        evidence: [],
      })),
    );
    const alerts = writeJsonl('alerts.jsonl', []);
    const json = join(dir, 'score.json');
    const { out, err } = await run([
      '--labels',
      join(dir, 'labels.jsonl'),
      '--verdicts',
      verdicts,
      '--exchanges',
      join(dir, 'exchanges.jsonl'),
      '--alerts',
      alerts,
      '--json',
      json,
    ]);
    expect(err).toBeUndefined();
    for (const h of ['Accounts:', 'Per archetype', 'Campaigns', 'Reseller traffic', 'Live'])
      expect(out).toContain(h);
    const j = JSON.parse(readFileSync(json, 'utf8'));
    expect(j.schema).toBe('distillguard.score/1');
    expect(j.accounts).toMatchObject({ roc_auc: 0.5, labelled: labels.length, missing_verdicts: 0 });
    expect(j.accounts.at_verdicts).toMatchObject({ flagged: 0, precision: null, recall: 0 });
    expect(j.campaigns).toMatchObject({ found: 0, source: 'verdicts' });
    expect(harvestExchanges).toBeGreaterThan(0);
    expect(j.exchanges.reseller).toMatchObject({
      source: 'account_verdicts',
      harvest_exchanges: harvestExchanges,
      harvest_flagged: 0,
    });
    expect(j.exchanges.live.served_before_alert_share).toBe(1);
  });

  it('scores an oracle detector: AUC 1, every campaign found', async () => {
    const verdicts = writeJsonl(
      'oracle.jsonl',
      labels.map((l) => ({
        account_id: l.account_id,
        score: l.label === 'attack' ? 1 : 0,
        verdict: l.label === 'attack' ? 'block' : 'clear',
        campaign_id: null,
        evidence: [],
      })),
    );
    const json = join(dir, 'oracle-score.json');
    const { err } = await run([
      '--labels',
      join(dir, 'labels.jsonl'),
      '--verdicts',
      verdicts,
      '--json',
      json,
    ]);
    expect(err).toBeUndefined();
    const j = JSON.parse(readFileSync(json, 'utf8'));
    expect(j.accounts).toMatchObject({ roc_auc: 1, pr_auc: 1 });
    expect(j.campaigns.recovered).toBe(1);
    expect(j.exchanges).toBeNull();
  });

  it('stops with exit-2 errors: --alerts without --exchanges, unknown accounts', async () => {
    const labelsPath = join(dir, 'labels.jsonl');
    const v = writeJsonl('unknown.jsonl', [
      { account_id: 'nobody', score: 0.5, verdict: 'watch', campaign_id: null, evidence: [] },
    ]);
    const a = await run(['--labels', labelsPath, '--verdicts', v, '--alerts', v]);
    expect(a.err).toBeInstanceOf(UsageError);
    expect((a.err as UsageError).code).toBe('missing_argument');
    const b = await run(['--labels', labelsPath, '--verdicts', v]);
    expect(b.err).toBeInstanceOf(UsageError);
    expect((b.err as UsageError).code).toBe('conflict');
    expect(((b.err as UsageError).cause as ScoreError).code).toBe('unknown_accounts');
    const c = await run(['--labels', labelsPath, '--verdicts', v, '--allow-unknown']);
    expect(c.err).toBeUndefined();
    expect(c.out).toContain(`${labels.length} labelled accounts had no verdict`);
  });
});
