/**
 * `distillguard hunt` and `distillguard demo` end to end on a small simulation: the files of
 * formats.md come out valid, the report is written, and bad usage exits with a clear error.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulate } from '../../sim/index.js';
import { Campaign, Verdict } from '../formats/index.js';
import { ingestFiles, openDuckDbStore } from '../store/index.js';
import { registerDemo } from './demo.js';
import { registerHunt } from './hunt.js';
import { jsonLines, runCommand } from './test-support/run.js';
import { UsageError } from './usage-error.js';

const dir = mkdtempSync(join(tmpdir(), 'dg-cli-hunt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const db = join(dir, 'store.duckdb');

beforeAll(async () => {
  await simulate({ scenario: 'demo', seed: 5, scale: 0.1, out: join(dir, 'sim') });
  const store = await openDuckDbStore(db);
  await ingestFiles(
    store,
    ['accounts', 'releases', 'exchanges'].map((k) => join(dir, 'sim', `${k}.jsonl`)),
  );
  await store.close();
}, 120_000);

const run = runCommand;
const lines = jsonLines;

describe('distillguard hunt', () => {
  it('writes valid verdicts for every account, valid campaigns and both reports', async () => {
    const out = join(dir, 'hunt');
    const r = await run(registerHunt, ['hunt', '--db', db, '--out', out, '--quiet']);
    expect(r.err).toBeUndefined();
    expect(r.out).toMatch(/verdicts: \d+ block/);
    const verdicts = lines(join(out, 'verdicts.jsonl')).map((v) => Verdict.parse(v));
    const accounts = lines(join(dir, 'sim', 'accounts.jsonl')).length;
    expect(verdicts.length).toBe(accounts);
    const campaigns = lines(join(out, 'campaigns.jsonl')).map((c) => Campaign.parse(c));
    for (const c of campaigns) {
      const members = verdicts.filter((v) => v.campaign_id === c.campaign_id).map((v) => v.account_id);
      expect([...members].sort()).toEqual([...c.accounts].sort());
    }
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toMatch(/^# distillguard hunt report/);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toMatch(/<html/);
    // the same data gives the same verdicts
    const again = join(dir, 'hunt2');
    await run(registerHunt, ['hunt', '--db', db, '--out', again, '--quiet']);
    expect(readFileSync(join(again, 'verdicts.jsonl'), 'utf8')).toBe(
      readFileSync(join(out, 'verdicts.jsonl'), 'utf8'),
    );
  }, 120_000);

  it('refuses a missing database and a bad seed with a usage error', async () => {
    const missing = await run(registerHunt, ['hunt', '--db', join(dir, 'nope.duckdb'), '--out', dir]);
    expect(missing.err).toBeInstanceOf(UsageError);
    expect(existsSync(join(dir, 'nope.duckdb'))).toBe(false);
    const seed = await run(registerHunt, ['hunt', '--db', db, '--seed', '-1']);
    expect(seed.err).toBeInstanceOf(UsageError);
    const mem = await run(registerHunt, ['hunt', '--db', db, '--memory-limit', 'lots']);
    expect(mem.err).toBeInstanceOf(UsageError);
  });
});

describe('distillguard demo', () => {
  it('runs simulate → ingest → hunt → score and prints campaigns and the score', async () => {
    const out = join(dir, 'demo');
    const r = await run(registerDemo, ['demo', '--out', out, '--scale', '0.1', '--quiet']);
    expect(r.err).toBeUndefined();
    expect(r.out).toMatch(/4\/4 score against the ground truth/);
    expect(r.out).toMatch(/true campaigns recovered: \d+ of \d+/);
    expect(existsSync(join(out, 'hunt', 'report.html'))).toBe(true);
  }, 180_000);
});
