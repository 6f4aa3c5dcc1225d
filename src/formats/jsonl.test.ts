import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readJsonl } from './jsonl.js';
import { MAX_TEXT_CHARS, type RecordKind } from './schemas.js';
import { collectBatches, rejected, tempDir } from './test-support/collect.js';

const tmp = tempDir('dg-jsonl-');
const file = (content: string | Buffer, ext = '.jsonl'): string => tmp.write(content, ext);

async function readAll(path: string, kind: RecordKind = 'exchanges') {
  const { records, lines, issues } = await collectBatches<unknown>(readJsonl(path, kind));
  return { records, lines, issues, rejected: rejected(issues) };
}

const good = (i: number, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    ts: `2026-02-01T10:00:0${i % 10}.000Z`,
    account_id: `a${i}`,
    ip: '203.0.113.7',
    request_id: `r${i}`,
    ...extra,
  });

describe('readJsonl', () => {
  it('reads good records with their line numbers and keeps unknown fields', async () => {
    const p = file(`${good(1)}\n${good(2, { custom_tag: 'x' })}\n\n${good(3)}\n`);
    const r = await readAll(p);
    expect(r.records).toHaveLength(3);
    expect(r.lines).toEqual([1, 2, 4]);
    expect(r.issues).toEqual([]);
    expect(r.records[1]).toMatchObject({
      account_id: 'a2',
      ts: Date.parse('2026-02-01T10:00:02Z'),
      extra: { custom_tag: 'x' },
    });
  });

  it('reports each bad record with line, field and code, and goes on', async () => {
    const lines = [
      good(1),
      '{"ts": "2026-02-01T10:00:00Z", "account_id": "a", "ip": "1.2.3.4"', // truncated JSON
      JSON.stringify({ ts: '2026-02-01T10:00:00Z', account_id: 'a', ip: '1.2.3.4', input_tokens: 'many' }),
      JSON.stringify({ ts: '2026-02-01T10:00:00Z', ip: '1.2.3.4' }),
      JSON.stringify({ ts: '2026-02-01T10:00:00Z', account_id: 'a', ip: '999.1.1.1' }),
      JSON.stringify({ ts: '2026-13-01T10:00:00Z', account_id: 'a', ip: '1.2.3.4' }),
      JSON.stringify({ ts: 1_700_000_000, account_id: 'a', ip: '1.2.3.4' }), // seconds, not ms
      '[1,2,3]',
      JSON.stringify({
        ts: '2026-02-01T10:00:00Z',
        account_id: 'a',
        ip: '1.2.3.4',
        pathway: 'x',
        output_tokens: -1,
      }),
      good(2),
    ];
    const r = await readAll(file(lines.join('\n')));
    expect(r.records).toHaveLength(2);
    expect(r.rejected.map((i) => [i.line, i.field, i.code])).toEqual([
      [2, null, 'bad_json'],
      [3, 'input_tokens', 'wrong_type'],
      [4, 'account_id', 'missing_field'],
      [5, 'ip', 'bad_ip'],
      [6, 'ts', 'bad_timestamp'],
      [7, 'ts', 'impossible_timestamp'],
      [8, null, 'not_an_object'],
      [9, 'output_tokens', 'bad_value'],
    ]);
    for (const i of r.rejected) expect(i.file).toBe(r.rejected[0]!.file);
  });

  it('cuts a 10 MB prompt and removes NUL characters, reporting both as repairs', async () => {
    const big = 'x'.repeat(10 * 1024 * 1024);
    const p = file(`${good(1, { prompt: big })}\n${good(2, { prompt: 'a\u0000b' })}\n`);
    const r = await readAll(p);
    expect(r.records).toHaveLength(2);
    expect((r.records[0] as { prompt: string }).prompt).toHaveLength(MAX_TEXT_CHARS);
    expect((r.records[1] as { prompt: string }).prompt).toBe('ab');
    expect(r.issues.map((i) => [i.line, i.code, i.action])).toEqual([
      [1, 'text_truncated', 'repaired'],
      [2, 'nul_removed', 'repaired'],
    ]);
  });

  it('rejects a raw NUL byte and invalid UTF-8, handles BOM and CRLF', async () => {
    const bad = Buffer.from([0x7b, 0x22, 0x61, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]); // {"a\xff\xfe":1}
    const content = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from(`${good(1)}\r\n`),
      bad,
      Buffer.from('\r\n'),
      Buffer.from(`${good(2).slice(0, -1)}, "x":"\u0000"}\r\n`.replace('\u0000', '\x00')),
      Buffer.from(`${good(3)}\r\n`),
    ]);
    const r = await readAll(file(content));
    expect(r.records).toHaveLength(2);
    expect(r.lines).toEqual([1, 4]);
    expect(r.rejected.map((i) => [i.line, i.code])).toEqual([
      [2, 'invalid_utf8'],
      [3, 'bad_json'],
    ]);
  });

  it('reads an empty file as zero records', async () => {
    const r = await readAll(file(''));
    expect(r.records).toEqual([]);
    expect(r.issues).toEqual([]);
  });

  it('reads gzip and keeps what came before a gzip that ends early', async () => {
    const body = Array.from({ length: 5000 }, (_, i) => good(i)).join('\n');
    const gz = gzipSync(body);
    const whole = await readAll(file(gz, '.jsonl.gz'));
    expect(whole.records).toHaveLength(5000);
    const cut = await readAll(file(gz.subarray(0, Math.floor(gz.length * 0.6)), '.jsonl.gz'));
    expect(cut.records.length).toBeGreaterThan(100);
    expect(cut.records.length).toBeLessThan(5000);
    expect(cut.issues).toHaveLength(1);
    expect(cut.issues[0]).toMatchObject({
      code: 'truncated_file',
      action: 'rejected',
      line: cut.records.length + 1,
    });
  });

  it('validates accounts, releases and labels with the same rules', async () => {
    const acc = await readAll(
      file(
        [
          JSON.stringify({
            account_id: 'a',
            pathway: 'education',
            country: 'sg',
            created_at: '2026-01-01T00:00:00Z',
          }),
          JSON.stringify({ account_id: 'b', pathway: 'darkweb' }),
        ].join('\n'),
      ),
      'accounts',
    );
    expect(acc.records).toEqual([
      {
        account_id: 'a',
        pathway: 'education',
        country: 'SG',
        created_at: Date.parse('2026-01-01T00:00:00Z'),
      },
    ]);
    expect(acc.rejected.map((i) => [i.line, i.field, i.code])).toEqual([[2, 'pathway', 'bad_value']]);
    const lab = await readAll(
      file(JSON.stringify({ account_id: 'a', label: 'legit', campaign_id: null, archetype: 'dev' })),
      'labels',
    );
    expect(lab.records).toHaveLength(1);
  });
});
