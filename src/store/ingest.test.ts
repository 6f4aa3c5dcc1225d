import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FormatError, type RecordIssue } from '../formats/index.js';
import { openDuckDbStore } from './duckdb.js';
import { type IngestProgress, ingestFiles } from './ingest.js';
import { createMemoryStore } from './memory.js';

const dir = mkdtempSync(join(tmpdir(), 'dg-ingest-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, lines: readonly (object | string)[]): string {
  const path = join(dir, name);
  writeFileSync(path, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n');
  return path;
}

const ex = (i: number, over: Record<string, unknown> = {}) => ({
  ts: `2026-10-01T12:00:${String(i % 60).padStart(2, '0')}.000Z`,
  account_id: `acct_${i % 4}`,
  ip: `198.51.100.${i}`,
  request_id: `req_${i}`,
  ...over,
});

function readRejects(path: string): RecordIssue[] {
  const text = readFileSync(path, 'utf8');
  return text === ''
    ? []
    : text
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as RecordIssue);
}

describe.each([
  ['memory', createMemoryStore],
  ['duckdb', () => openDuckDbStore(':memory:')],
])('ingestFiles into %s', (_name, create) => {
  it('reconciles read = accepted + rejected + duplicates and writes every issue', async () => {
    const store = await create();
    const exchanges = file('exchanges-a.jsonl', [
      ex(1),
      ex(2, { region: 'eu' }), // unknown field: kept
      '{"ts": "2026-10-01T12:00:03Z", "account_id": "acct_1", "ip": ', // truncated JSON
      ex(4, { ip: 'not-an-ip' }),
      ex(1), // duplicate of line 1
      ex(6, { prompt: 'a\u0000b' }), // repaired: NUL removed
      ex(7, { ts: 1_000 }), // impossible timestamp (seconds, not ms)
      '[1,2]',
    ]);
    const rejectsPath = join(dir, 'rejects-a.jsonl');
    const progress: IngestProgress[] = [];
    const sum = await ingestFiles(store, [exchanges], { rejectsPath, onProgress: (p) => progress.push(p) });
    const f = sum.files[0];
    expect(f).toMatchObject({
      kind: 'exchanges',
      read: 8,
      accepted: 3,
      rejected: 4,
      duplicates: 1,
      repaired: 1,
    });
    expect((f?.accepted ?? 0) + (f?.rejected ?? 0) + (f?.duplicates ?? 0)).toBe(f?.read);
    expect(sum.total).toMatchObject({ read: 8, accepted: 3, rejected: 4, duplicates: 1, repaired: 1 });
    expect(sum.rejectsPath).toBe(rejectsPath);
    expect(sum.issuesWritten).toBe(5);
    const issues = readRejects(rejectsPath);
    expect(issues.filter((i) => i.action === 'rejected').map((i) => [i.line, i.code])).toEqual([
      [3, 'bad_json'],
      [4, 'bad_ip'],
      [7, 'impossible_timestamp'],
      [8, 'not_an_object'],
    ]);
    expect(issues.filter((i) => i.action === 'repaired').map((i) => [i.line, i.code])).toEqual([
      [6, 'nul_removed'],
    ]);
    expect(issues.every((i) => i.file === exchanges)).toBe(true);
    expect(progress.at(-1)).toMatchObject({ files: 1, records: 8 });
    const stored = [];
    for await (const b of store.scanExchanges()) stored.push(...b);
    expect(stored.map((e) => e.request_id)).toEqual(['req_1', 'req_2', 'req_6']);
    expect(stored[1]?.extra).toEqual({ region: 'eu' });
    expect(stored[2]?.prompt).toBe('ab');
    await store.close();
  });

  it('guesses kinds from names, is idempotent across runs and joins labels in the breakdown', async () => {
    const store = await create();
    const exchanges = file('exchanges-b.jsonl', [ex(1), ex(2), ex(3), ex(5)]);
    const labels = file('labels-b.jsonl', [
      { account_id: 'acct_1', label: 'attack', campaign_id: 'c1', archetype: 'hydra' },
      { account_id: 'acct_2', label: 'legit', campaign_id: null, archetype: 'startup' },
      { account_id: 'acct_3', label: 'legit', campaign_id: null, archetype: 'startup' },
    ]);
    const accounts = file('accounts-b.jsonl', [
      { account_id: 'acct_1', pathway: 'education', country: 'sg' },
    ]);
    const first = await ingestFiles(store, [exchanges, labels, accounts], { batchRows: 2 });
    expect(first.files.map((f) => [f.kind, f.accepted])).toEqual([
      ['exchanges', 4],
      ['labels', 3],
      ['accounts', 1],
    ]);
    expect(first.rejectsPath).toBeNull();
    const again = await ingestFiles(store, [exchanges, labels, accounts]);
    expect(again.total).toMatchObject({ read: 8, accepted: 0, duplicates: 8 });
    expect(await store.counts()).toEqual({ exchanges: 4, accounts: 1, releases: 0, labels: 3 });
    expect(await store.readAll('accounts')).toEqual([
      { account_id: 'acct_1', pathway: 'education', country: 'SG' },
    ]);
    expect(await store.labelBreakdown()).toEqual([
      { label: 'attack', archetype: 'hydra', accounts: 1, exchanges: 2 },
      { label: 'legit', archetype: 'startup', accounts: 2, exchanges: 2 },
    ]);
    await store.close();
  });

  it('writes no rejects file for a clean run, removes a stale one, refuses to read its own', async () => {
    const store = await create();
    const clean = file('exchanges-d.jsonl', [ex(1), ex(2)]);
    const rejectsPath = join(dir, 'rejects-d.jsonl');
    writeFileSync(rejectsPath, '{"stale": true}\n');
    const sum = await ingestFiles(store, [clean], { rejectsPath });
    expect(sum.rejectsPath).toBeNull();
    expect(sum.issuesWritten).toBe(0);
    expect(existsSync(rejectsPath)).toBe(false);
    await expect(ingestFiles(store, [clean, rejectsPath], { rejectsPath })).rejects.toMatchObject({
      code: 'bad_option',
    });
    await store.close();
  });

  it('stops before storing anything when an input is missing or cannot be named', async () => {
    const store = await create();
    const good = file('exchanges-c.jsonl', [ex(1)]);
    const missing = join(dir, 'exchanges-missing.jsonl');
    await expect(ingestFiles(store, [good, missing])).rejects.toMatchObject({
      name: 'FormatError',
      code: 'file_not_found',
    });
    const nameless = file('dump.jsonl', [ex(1)]);
    await expect(ingestFiles(store, [good, nameless])).rejects.toBeInstanceOf(FormatError);
    await expect(ingestFiles(store, [good, nameless])).rejects.toMatchObject({ code: 'bad_option' });
    expect((await store.counts()).exchanges).toBe(0);
    const forced = await ingestFiles(store, [nameless], { kind: 'exchanges' });
    expect(forced.total.accepted).toBe(1);
    await store.close();
  });
});
