import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { Interner, MAX_RECORD_BYTES, readCsv } from './csv.js';
import { MAX_TEXT_CHARS, type RecordKind } from './schemas.js';
import { collectBatches, rejected, tempDir } from './test-support/collect.js';

const tmp = tempDir('dg-csv-');
const write = (content: string | Buffer, ext = '.csv'): string => tmp.write(content, ext);
const collect = <K extends RecordKind>(path: string, kind: K, batchSize?: number) =>
  collectBatches(readCsv(path, kind, batchSize === undefined ? {} : { batchSize }));

const HEADER =
  'ts,account_id,ip,request_id,input_tokens,output_tokens,status,latency_ms,reasoning,temperature,prompt,note';
const row = (i: number, over: Partial<Record<string, string>> = {}): string => {
  const v: Record<string, string> = {
    ts: '2026-02-01T10:00:00Z',
    account_id: `acct_${i}`,
    ip: '203.0.113.7',
    request_id: `r${i}`,
    input_tokens: '12',
    output_tokens: '340',
    status: '200',
    latency_ms: '812.5',
    reasoning: 'true',
    temperature: '0.7',
    prompt: '',
    note: '',
    ...over,
  };
  return HEADER.split(',')
    .map((k) => v[k] ?? '')
    .join(',');
};

describe('readCsv: good data', () => {
  it('round-trips coerced values, quotes, quoted newlines, BOM, CRLF and unknown columns', async () => {
    const text =
      `\uFEFF${HEADER}\r\n` +
      `${row(1)}\r\n` +
      `2026-02-01T10:00:01.5Z,"acct,2",2001:DB8::1,r2,0,0,429,0,false,1,"say ""hi""\nthen\r\nstop",kept\r\n` +
      `1769940000000,acct_3,10.0.0.1,,,,,,,,,\r\n`;
    const got = await collect(write(text), 'exchanges');
    expect(got.issues).toEqual([]);
    expect(got.records).toHaveLength(3);
    expect(got.lines).toEqual([2, 3, 6]);
    const [a, b, c] = got.records;
    expect(a).toMatchObject({
      ts: Date.UTC(2026, 1, 1, 10),
      account_id: 'acct_1',
      ip: '203.0.113.7',
      request_id: 'r1',
      input_tokens: 12,
      output_tokens: 340,
      status: 200,
      latency_ms: 812.5,
      reasoning: true,
      temperature: 0.7,
    });
    expect(a).not.toHaveProperty('prompt');
    expect(a?.extra).toBeUndefined();
    expect(b).toMatchObject({
      ts: Date.UTC(2026, 1, 1, 10, 0, 1, 500),
      account_id: 'acct,2',
      ip: '2001:db8::1',
      reasoning: false,
      prompt: 'say "hi"\nthen\r\nstop',
      extra: { note: 'kept' },
    });
    expect(c).toEqual({ ts: 1769940000000, account_id: 'acct_3', ip: '10.0.0.1' });
  });

  it('reads gzip, batches at batchSize, and reports bytesRead', async () => {
    const rows = Array.from({ length: 10 }, (_, i) => row(i));
    const path = write(gzipSync(`${HEADER}\n${rows.join('\n')}\n`), '.csv.gz');
    const got = await collect(path, 'exchanges', 3);
    expect(got.batches.map((b) => b.records.length)).toEqual([3, 3, 3, 1]);
    expect(got.lines).toEqual(Array.from({ length: 10 }, (_, i) => i + 2));
    expect(got.batches.at(-1)?.bytesRead).toBeGreaterThan(0);
  });

  it('reads a last record without a final newline', async () => {
    const got = await collect(write(`${HEADER}\n${row(1)}`), 'exchanges');
    expect(got.records).toHaveLength(1);
    expect(got.issues).toEqual([]);
  });

  it('reads other record kinds: accounts and labels (empty campaign_id = null)', async () => {
    const acc = await collect(
      write('account_id,created_at,pathway,country,verified\na1,2025-01-01T00:00:00Z,education,us,TRUE\n'),
      'accounts',
    );
    expect(acc.records).toEqual([
      {
        account_id: 'a1',
        created_at: Date.UTC(2025, 0, 1),
        pathway: 'education',
        country: 'US',
        verified: true,
      },
    ]);
    const lab = await collect(
      write('account_id,label,campaign_id,archetype\na1,legit,,app\na2,attack,c1,hydra\n'),
      'labels',
    );
    expect(lab.records).toEqual([
      { account_id: 'a1', label: 'legit', campaign_id: null, archetype: 'app' },
      { account_id: 'a2', label: 'attack', campaign_id: 'c1', archetype: 'hydra' },
    ]);
  });

  it('coerces loosely written numbers and the harvest flag', async () => {
    const got = await collect(
      write(
        'ts,account_id,ip,input_tokens,latency_ms,reasoning,harvest\n' +
          '2026-02-01T10:00:00Z,a1,10.0.0.1, 12 ,1e3,FALSE,1\n' +
          '2026-02-01T10:00:00Z,a2,10.0.0.1,12.0,.5,0,false\n' +
          '2026-02-01T10:00:00Z,a3,10.0.0.1,-0x1,1,true,true\n',
      ),
      'exchanges',
    );
    expect(got.records.map((r) => [r.input_tokens, r.latency_ms, r.reasoning, r.harvest])).toEqual([
      [12, 1000, false, true],
      [12, 0.5, false, false],
    ]);
    expect(got.issues.map((i) => [i.line, i.code, i.field])).toEqual([[4, 'wrong_type', 'input_tokens']]);
  });

  it('shares repeated text values and stops trying on a column of unique values', () => {
    const intern = new Interner();
    const a = intern.get(['acct', '1'].join('_'));
    expect(intern.get(['acct', '1'].join('_'))).toBe(a);
    const unique = new Interner();
    for (let i = 0; i < 20_000; i++) expect(unique.get(`r${i}`)).toBe(`r${i}`);
  });

  it('an empty file and a header-only file give zero records', async () => {
    expect((await collect(write(''), 'exchanges')).batches).toEqual([]);
    expect((await collect(write(`${HEADER}\n`), 'exchanges')).batches).toEqual([]);
    expect((await collect(write(gzipSync('')), 'exchanges')).batches).toEqual([]);
  });
});

describe('readCsv: bad data', () => {
  it('rejects each bad record with its line, code and field; read = records + rejected', async () => {
    const lines = [
      HEADER, // 1
      row(1), // 2 good
      row(2, { input_tokens: 'many' }), // 3 wrong_type
      row(3, { account_id: '' }), // 4 missing_field
      row(4, { ip: '300.1.2.3' }), // 5 bad_ip
      row(5, { ts: '1769940000' }), // 6 impossible_timestamp (seconds)
      row(6, { ts: '2026-02-30T00:00:00Z' }), // 7 bad_timestamp
      `${row(7)},extra-cell`, // 8 bad_csv
      row(8, { status: '42' }), // 9 bad_value
      row(9, { reasoning: 'maybe' }), // 10 wrong_type
      row(10, { prompt: 'a\u0000b' }), // 11 repaired
      row(11, { input_tokens: '-3' }), // 12 bad_value
      row(12, { prompt: '"unclosed' }), // 13.. bad_csv (unclosed quote to EOF)
      row(13),
    ];
    const got = await collect(write(`${lines.join('\n')}\n`), 'exchanges');
    const rej = rejected(got.issues);
    expect(got.records.map((r) => r.request_id)).toEqual(['r1', 'r10']);
    expect(got.lines).toEqual([2, 11]);
    expect(got.records[1]?.prompt).toBe('ab');
    expect(rej.map((i) => [i.line, i.code, i.field])).toEqual([
      [3, 'wrong_type', 'input_tokens'],
      [4, 'missing_field', 'account_id'],
      [5, 'bad_ip', 'ip'],
      [6, 'impossible_timestamp', 'ts'],
      [7, 'bad_timestamp', 'ts'],
      [8, 'bad_csv', null],
      [9, 'bad_value', 'status'],
      [10, 'wrong_type', 'reasoning'],
      [12, 'bad_value', 'input_tokens'],
      [13, 'bad_csv', null],
    ]);
    expect(got.issues.filter((i) => i.action === 'repaired').map((i) => [i.line, i.code, i.field])).toEqual([
      [11, 'nul_removed', 'prompt'],
    ]);
    // 12 data records read (the unclosed quote swallows the last row into one record)
    expect(got.records.length + rej.length).toBe(12);
  });

  it('rejects a record with a missing required column', async () => {
    const got = await collect(write('ts,account_id\n2026-01-01T00:00:00Z,a1\n'), 'exchanges');
    expect(got.records).toEqual([]);
    expect(got.issues.map((i) => [i.line, i.code, i.field, i.action])).toEqual([
      [2, 'missing_field', 'ip', 'rejected'],
    ]);
  });

  it('cuts a 10 MB prompt (repaired)', async () => {
    const big = 'x'.repeat(10 * 1024 * 1024);
    const got = await collect(write(`${HEADER}\n${row(1, { prompt: big })}\n${row(2)}\n`), 'exchanges');
    expect(got.records).toHaveLength(2);
    expect(got.records[0]?.prompt).toHaveLength(MAX_TEXT_CHARS);
    expect(got.lines).toEqual([2, 3]);
    expect(got.issues.map((i) => [i.line, i.code, i.field, i.action])).toEqual([
      [2, 'text_truncated', 'prompt', 'repaired'],
    ]);
  });

  it('skips a record over MAX_RECORD_BYTES (line_too_long) and goes on', async () => {
    const huge = `"${'y'.repeat(MAX_RECORD_BYTES)}\n${'z'.repeat(100)}"`;
    const got = await collect(write(`${HEADER}\n${row(1, { prompt: huge })}\n${row(2)}\n`), 'exchanges');
    expect(got.records.map((r) => r.request_id)).toEqual(['r2']);
    expect(got.lines).toEqual([4]);
    expect(got.issues.map((i) => [i.line, i.code, i.action])).toEqual([[2, 'line_too_long', 'rejected']]);
  });

  it('rejects a record with invalid UTF-8 but keeps a literal U+FFFD', async () => {
    const bad = Buffer.concat([
      Buffer.from(`${HEADER}\n${row(1, { prompt: 'ok \uFFFD kept' })}\n`),
      Buffer.from(`${row(2, { prompt: 'AB' })}\n`.replace('AB', '\u0001\u0002')),
      Buffer.from(`${row(3)}\n`),
    ]);
    const at = bad.indexOf(0x01);
    bad[at] = 0xc3; // a lead byte followed by an ASCII byte: not UTF-8
    bad[at + 1] = 0x28;
    const got = await collect(write(bad), 'exchanges');
    expect(got.records.map((r) => r.request_id)).toEqual(['r1', 'r3']);
    // invalid UTF-8 wins over the other faults of the same record
    const worse = Buffer.from(`${HEADER}\n${row(1, { input_tokens: 'AB', note: 'x,y' })}\n`);
    worse[worse.indexOf('AB')] = 0xff;
    expect((await collect(write(worse), 'exchanges')).issues.map((i) => i.code)).toEqual(['invalid_utf8']);
    expect(got.records[0]?.prompt).toBe('ok \uFFFD kept');
    expect(got.issues.map((i) => [i.line, i.code, i.action])).toEqual([[3, 'invalid_utf8', 'rejected']]);
  });

  it('keeps the records before a gzip that ends early; drops the partial one (rejected)', async () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => row(i, { prompt: `p${(i * 7919) % 10007}` }));
    const gz = gzipSync(`${HEADER}\n${rows.join('\n')}\n`);
    const got = await collect(write(gz.subarray(0, Math.floor(gz.length / 2)), '.csv.gz'), 'exchanges');
    const rej = rejected(got.issues);
    expect(got.records.length).toBeGreaterThan(1000);
    expect(got.records.length).toBeLessThan(20_000);
    expect(got.records.map((r) => r.request_id)).toEqual(
      rows.slice(0, got.records.length).map((_, i) => `r${i}`),
    );
    expect(rej.map((i) => [i.line, i.code])).toEqual([[got.records.length + 2, 'truncated_file']]);
  });

  it('a gzip that ends early on a record boundary is a file issue', async () => {
    const member = gzipSync(`${HEADER}\n${row(1)}\n${row(2)}\n`);
    const second = gzipSync(`${row(3)}\n`).subarray(0, 12);
    const got = await collect(write(Buffer.concat([member, second]), '.csv.gz'), 'exchanges');
    expect(got.records).toHaveLength(2);
    expect(got.issues.map((i) => [i.code, i.action])).toEqual([['truncated_file', 'file']]);
  });

  it('a header with a repeated column is unreadable', async () => {
    await expect(collect(write('ts,ts\n1,2\n'), 'exchanges')).rejects.toMatchObject({ code: 'unreadable' });
  });

  it('a missing file is file_not_found', async () => {
    await expect(collect(join(tmp.dir, 'nope.csv'), 'exchanges')).rejects.toMatchObject({
      code: 'file_not_found',
    });
  });
});
