/**
 * The foundation's "done when", end to end through the public entry points: the
 * simulator is deterministic and writes valid files; a corrupted copy of those files
 * ingests with every bad line reported and the counts reconciling exactly.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { simulate } from '../../sim/index.js';
import { AccountIn, ExchangeIn, LabelIn, type RecordIssue, ReleaseIn } from '../formats/index.js';
import { ingestFiles, openDuckDbStore } from '../store/index.js';
import { main } from './main.js';

const dir = mkdtempSync(join(tmpdir(), 'dg-e2e-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const FILES = ['exchanges.jsonl', 'accounts.jsonl', 'releases.jsonl', 'labels.jsonl'];
/** Small enough for a unit test; every archetype still has at least one account. */
const SCALE = 0.05;

const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

beforeAll(async () => {
  await simulate({ scenario: 'demo', seed: 7, scale: SCALE, out: join(dir, 'a') });
  await simulate({ scenario: 'demo', seed: 7, scale: SCALE, out: join(dir, 'b') });
}, 120_000);

describe('simulate → files', () => {
  it('gives the same bytes for the same seed', () => {
    for (const f of FILES) expect(sha(join(dir, 'b', f)), f).toBe(sha(join(dir, 'a', f)));
  });

  it('writes files that validate against the formats', () => {
    const schemas = {
      'exchanges.jsonl': ExchangeIn,
      'accounts.jsonl': AccountIn,
      'releases.jsonl': ReleaseIn,
      'labels.jsonl': LabelIn,
    };
    for (const [f, schema] of Object.entries(schemas)) {
      const lines = readFileSync(join(dir, 'a', f), 'utf8')
        .trimEnd()
        .split('\n');
      expect(lines.length, f).toBeGreaterThan(0);
      for (const line of lines) {
        const r = schema.safeParse(JSON.parse(line));
        expect(r.success, `${f}: ${line.slice(0, 200)} ${r.success ? '' : r.error.message}`).toBe(true);
      }
    }
  });
});

describe('a corrupted copy ingests with every bad line reported', () => {
  it('reports each injected fault at its line and reconciles read = accepted + rejected + duplicates', async () => {
    const lines = readFileSync(join(dir, 'a', 'exchanges.jsonl'), 'utf8')
      .trimEnd()
      .split('\n');
    const good = lines.length;
    expect(good).toBeGreaterThan(1000);
    const bytes: Buffer[] = [];
    // (line number in the corrupted file) → expected issue code
    const expected = new Map<number, string>();
    let lineNo = 0;
    let dupes = 0;
    const push = (b: Buffer | string, code?: string) => {
      lineNo++;
      bytes.push(Buffer.isBuffer(b) ? b : Buffer.from(b), Buffer.from(lineNo % 7 === 0 ? '\r\n' : '\n'));
      if (code) expected.set(lineNo, code);
    };
    const faults: Array<(l: string) => [Buffer | string, string | undefined]> = [
      (l) => [l.slice(0, Math.floor(l.length / 2)), 'bad_json'],
      (l) => [l.replace(/"account_id":"[^"]*",?/, ''), 'missing_field'],
      (l) => [l.replace(/"ip":"[^"]*"/, '"ip":"300.1.2.3"'), 'bad_ip'],
      (l) => [l.replace(/"ts":"[^"]*"/, '"ts":"2026-02-30T10:00:00Z"'), 'bad_timestamp'],
      (l) => [l.replace(/"ts":"[^"]*"/, '"ts":1770000000'), 'impossible_timestamp'],
      (l) => [l.replace(/"output_tokens":\d+/, '"output_tokens":"lots"'), 'wrong_type'],
      (l) => [
        Buffer.concat([Buffer.from(l.slice(0, 20)), Buffer.from([0xc3, 0x28]), Buffer.from(l.slice(20))]),
        'invalid_utf8',
      ],
      (l) => [l.replace('{', '{"note":"\u0000",'), 'bad_json'],
      (l) => [l, undefined], // an exact repeat: a duplicate, not an error
    ];
    push(`\uFEFF${lines[0]}`); // a BOM on the first line
    for (let i = 1; i < good; i++) {
      push(lines[i]!);
      if (i % 97 === 0) {
        const f = faults[(i / 97) % faults.length]!;
        const [bad, code] = f(lines[i]!);
        push(bad, code);
        if (code === undefined) dupes++;
      }
    }
    push(
      `{"ts":"2026-02-03T00:00:00.000Z","account_id":"x","ip":"192.0.2.1","prompt":"${'y'.repeat(10 * 1024 * 1024)}"}`,
      'text_truncated',
    );
    const corrupted = join(dir, 'exchanges-corrupt.jsonl');
    writeFileSync(corrupted, Buffer.concat(bytes));
    // and a gzip copy that ends early
    const gz = join(dir, 'exchanges-cut.jsonl.gz');
    const whole = gzipSync(readFileSync(join(dir, 'a', 'exchanges.jsonl')));
    writeFileSync(gz, whole.subarray(0, Math.floor(whole.length / 2)));

    const store = await openDuckDbStore(join(dir, 'e2e.duckdb'));
    const rejects = join(dir, 'rejects.jsonl');
    try {
      const s = await ingestFiles(store, [corrupted, gz], { kind: 'exchanges', rejectsPath: rejects });
      const [c, g] = s.files;
      const issues = readFileSync(rejects, 'utf8')
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as RecordIssue);
      const fromCorrupt = issues.filter((i) => i.file === corrupted);
      expect(new Map(fromCorrupt.map((i) => [i.line, i.code]))).toEqual(expected);
      for (const i of fromCorrupt) expect(i.reason.length).toBeGreaterThan(5);
      expect(c!.read).toBe(lineNo);
      expect(c!.rejected).toBe([...expected.values()].filter((x) => x !== 'text_truncated').length);
      expect(c!.repaired).toBe(1);
      expect(c!.duplicates).toBe(dupes);
      expect(c!.accepted).toBe(good + 1);
      expect(c!.read).toBe(c!.accepted + c!.rejected + c!.duplicates);
      // the cut gzip: everything it held is already stored (duplicates), the cut is reported
      expect(g!.read).toBe(g!.accepted + g!.rejected + g!.duplicates);
      expect(g!.accepted).toBe(0);
      expect(g!.duplicates).toBeGreaterThan(100);
      expect(issues.filter((i) => i.file === gz).map((i) => i.code)).toEqual(['truncated_file']);
      expect((await store.counts()).exchanges).toBe(good + 1);
      // ingesting again changes nothing
      const again = await ingestFiles(store, [corrupted], { kind: 'exchanges' });
      expect(again.total.accepted).toBe(0);
      expect((await store.counts()).exchanges).toBe(good + 1);
    } finally {
      await store.close();
    }
  }, 120_000);

  it('stops on a missing file with a clear message and exit code 2, no stack trace', async () => {
    let err = '';
    vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => {
      err += String(c);
      return true;
    });
    const code = await main([
      'node',
      'distillguard',
      'ingest',
      join(dir, 'exchanges-missing.jsonl'),
      '--db',
      join(dir, 'm.duckdb'),
    ]);
    vi.restoreAllMocks();
    expect(code).toBe(2);
    expect(err).toContain('exchanges-missing.jsonl: no such file');
    expect(err).not.toContain('    at ');
  });
});
