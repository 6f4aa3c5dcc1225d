import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FormatError } from '../../src/formats/index.js';
import { ScoreError } from './errors.js';
import { type ScorePaths, scoreFiles } from './read.js';
import { reportJson } from './report.js';

const dir = mkdtempSync(join(tmpdir(), 'dg-score-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function file(lines: readonly unknown[], raw: readonly string[] = []): string {
  const p = join(dir, `f${n++}.jsonl`);
  writeFileSync(p, [...lines.map((l) => JSON.stringify(l)), ...raw].map((l) => `${l}\n`).join(''));
  return p;
}
const label = (account_id: string, label: 'legit' | 'attack') => ({
  account_id,
  label,
  campaign_id: label === 'attack' ? 'c1' : null,
  archetype: label === 'attack' ? 'hydra_reseller' : 'indie_dev',
});
const verdict = (account_id: string, score = 0.5, v = 'watch') => ({
  account_id,
  score,
  verdict: v,
  campaign_id: null,
  evidence: [],
});
const labels = file([label('a', 'attack'), label('b', 'legit'), label('c', 'legit')]);

async function codeOf(p: ScorePaths): Promise<string> {
  try {
    await scoreFiles(p);
  } catch (e) {
    if (e instanceof ScoreError || e instanceof FormatError) return e.code;
    throw e;
  }
  return 'scored';
}

describe('scoreFiles: mismatched files are errors with stable codes', () => {
  it('missing labels file', async () => {
    expect(await codeOf({ labels: join(dir, 'nope.jsonl'), verdicts: file([verdict('a')]) })).toBe(
      'file_not_found',
    );
  });
  it('empty verdicts file, and one with only bad lines', async () => {
    expect(await codeOf({ labels, verdicts: file([]) })).toBe('empty_verdicts');
    expect(await codeOf({ labels, verdicts: file([{ account_id: 'a' }], ['{oops']) })).toBe('empty_verdicts');
  });
  it('empty or duplicate labels', async () => {
    expect(await codeOf({ labels: file([]), verdicts: file([verdict('a')]) })).toBe('empty_labels');
    expect(
      await codeOf({
        labels: file([label('a', 'attack'), label('a', 'legit')]),
        verdicts: file([verdict('a')]),
      }),
    ).toBe('duplicate_labels');
  });
  it('duplicate account ids in verdicts', async () => {
    expect(await codeOf({ labels, verdicts: file([verdict('a'), verdict('b'), verdict('a', 0.1)]) })).toBe(
      'duplicate_verdicts',
    );
  });
  it('verdicts, campaigns or alerts naming unknown accounts, unless allowUnknown', async () => {
    const verdicts = file([verdict('a'), verdict('zz1'), verdict('zz2')]);
    expect(await codeOf({ labels, verdicts })).toBe('unknown_accounts');
    const campaigns = file([
      {
        campaign_id: 'k',
        accounts: ['a', 'ghost'],
        exchanges: 1,
        output_tokens: 1,
        first_seen: '2026-02-02T00:00:00Z',
        last_seen: '2026-02-02T00:00:00Z',
        capabilities: {},
        indicators: {},
        evidence: [],
        score: 0.5,
      },
    ]);
    expect(await codeOf({ labels, verdicts: file([verdict('a')]), campaigns })).toBe('unknown_accounts');
    const alerts = file([
      {
        ts: '2026-02-02T00:00:00Z',
        account_id: 'ghost',
        verdict: 'watch',
        score: 0.5,
        campaign_id: null,
        evidence: [],
      },
    ]);
    const exchanges = file([{ ts: '2026-02-02T00:00:00Z', account_id: 'a', ip: '1.2.3.4' }]);
    expect(await codeOf({ labels, verdicts: file([verdict('a')]), alerts, exchanges })).toBe(
      'unknown_accounts',
    );
    const r = await scoreFiles({ labels, verdicts, campaigns, allowUnknown: true });
    expect(r.unknown.verdicts).toMatchObject({ records: 2, accounts: 2 });
    expect(r.unknown.campaigns).toMatchObject({ records: 1, accounts: 1 });
    expect(r.campaigns.detected).toMatchObject({ unknownMembers: 1, attackMembers: 1, accountPrecision: 1 });
    expect(r.accounts).toMatchObject({ withVerdict: 1, missingVerdicts: 2, unknownVerdicts: 2 });
  });
  it('an empty exchanges file, and exchange verdicts that repeat', async () => {
    const verdicts = file([verdict('a')]);
    expect(await codeOf({ labels, verdicts, exchanges: file([]) })).toBe('empty_exchanges');
    const ev = file([
      { request_id: 'r1', flagged: true },
      { request_id: 'r1', flagged: false },
    ]);
    const exchanges = file([
      { ts: '2026-02-02T00:00:00Z', account_id: 'a', ip: '1.2.3.4', request_id: 'r1' },
    ]);
    expect(await codeOf({ labels, verdicts, exchanges, exchangeVerdicts: ev })).toBe(
      'duplicate_exchange_verdicts',
    );
  });
});

describe('scoreFiles: bad lines are reported with file:line and reason, never silently', () => {
  it('skips and lists a bad verdict line', async () => {
    const verdicts = file(
      [verdict('a', 0.9, 'block'), { account_id: 'b', score: 7, verdict: 'clear' }],
      ['not json'],
    );
    const r = await scoreFiles({ labels, verdicts });
    expect(r.issues.total).toBe(2);
    expect(r.issues.first.map((i) => [i.file, i.line, i.code])).toEqual([
      [verdicts, 2, 'bad_record'],
      [verdicts, 3, 'bad_json'],
    ]);
    expect(r.issues.first[0]?.reason).toMatch(/^score: /);
    expect(r.accounts.missingVerdicts).toBe(2);
    expect(r.notes.join('\n')).toContain('2 labelled accounts had no verdict');
    expect(r.accounts.rocAuc).toBe(1);
  });
  it('writes snake_case JSON keys, keeping file names as they are', async () => {
    const r = await scoreFiles({ labels, verdicts: file([verdict('a')], ['{']) });
    const j = reportJson(r) as {
      accounts: Record<string, unknown>;
      issues: { by_file: Record<string, number> };
    };
    expect(Object.keys(j.accounts)).toContain('roc_auc');
    expect(Object.keys(j.accounts)).toContain('recall_at_fpr');
    expect(Object.values(j.issues.by_file)).toEqual([1]);
  });
});
