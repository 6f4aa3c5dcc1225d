import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readParquet, wireExpression } from './parquet.js';
import { MAX_TEXT_CHARS, type RecordKind } from './schemas.js';
import { collectBatches, rejected } from './test-support/collect.js';

const dir = mkdtempSync(join(tmpdir(), 'dg-parquet-'));
let db: DuckDBInstance;
beforeAll(async () => {
  db = await DuckDBInstance.create(':memory:');
});
afterAll(() => {
  db.closeSync();
  rmSync(dir, { recursive: true, force: true });
});

let fileNo = 0;
/** Writes the rows of a DuckDB query to a Parquet file in the test's tmp dir. */
async function parquet(query: string): Promise<string> {
  const path = join(dir, `f${fileNo++}.parquet`);
  const conn = await db.connect();
  try {
    await conn.run(`COPY (${query}) TO '${path}' (FORMAT parquet)`);
  } finally {
    conn.closeSync();
  }
  return path;
}

const collect = <K extends RecordKind>(path: string, kind: K, batchSize?: number) =>
  collectBatches(readParquet(path, kind, batchSize === undefined ? {} : { batchSize }));

/** One exchange row with typed columns; `over` replaces a column's SQL expression. */
function exchangeRow(i: number, over: Record<string, string> = {}): string {
  const cols: Record<string, string> = {
    ts: `TIMESTAMP '2026-02-01 10:00:00.250' + INTERVAL ${i} SECOND`,
    account_id: `'acct_${i}'`,
    ip: `'198.51.100.${i % 250}'`,
    request_id: `'r${i}'`,
    input_tokens: `CAST(${i} AS BIGINT)`,
    output_tokens: 'CAST(340 AS INTEGER)',
    status: 'CAST(200 AS SMALLINT)',
    latency_ms: 'CAST(812.5 AS DOUBLE)',
    reasoning: 'true',
    temperature: 'CAST(0.5 AS DECIMAL(4,2))',
    prompt: `'hello ${i}'`,
    tags: `['a', 'b']`,
    ...over,
  };
  return `SELECT ${Object.entries(cols)
    .map(([k, v]) => `${v} AS ${k}`)
    .join(', ')}`;
}

describe('readParquet: good data', () => {
  it('converts DuckDB types to the wire shape and keeps unknown columns', async () => {
    const path = await parquet(
      `${exchangeRow(1)} UNION ALL ${exchangeRow(2, { prompt: 'NULL', ts: "TIMESTAMPTZ '2026-02-01 12:00:00+02'" })}`,
    );
    const got = await collect(path, 'exchanges');
    expect(got.issues).toEqual([]);
    expect(got.lines).toEqual([1, 2]);
    expect(got.records[0]).toEqual({
      ts: Date.UTC(2026, 1, 1, 10, 0, 1, 250),
      account_id: 'acct_1',
      ip: '198.51.100.1',
      request_id: 'r1',
      input_tokens: 1,
      output_tokens: 340,
      status: 200,
      latency_ms: 812.5,
      reasoning: true,
      temperature: 0.5,
      prompt: 'hello 1',
      extra: { tags: '[a, b]' },
    });
    expect(got.records[1]?.ts).toBe(Date.UTC(2026, 1, 1, 10));
    expect(got.records[1]).not.toHaveProperty('prompt');
  });

  it('reads RFC 3339 and epoch-ms timestamps stored as text or integers', async () => {
    const path = await parquet(
      `${exchangeRow(1, { ts: "'2026-02-01T10:00:00Z'" })} UNION ALL ${exchangeRow(2, { ts: "'1769940000000'" })}`,
    );
    const got = await collect(path, 'exchanges');
    expect(got.records.map((r) => r.ts)).toEqual([Date.UTC(2026, 1, 1, 10), 1769940000000]);
    const ms = await parquet(exchangeRow(1, { ts: 'CAST(1769940000000 AS BIGINT)' }));
    expect((await collect(ms, 'exchanges')).records.map((r) => r.ts)).toEqual([1769940000000]);
  });

  it('streams many rows in batches with row numbers and rising bytesRead', async () => {
    const path = await parquet(
      `SELECT TIMESTAMP '2026-02-01 00:00:00' + INTERVAL (i) SECOND AS ts, 'a' || (i % 97) AS account_id,
        '10.0.0.' || (i % 250) AS ip, CAST(i AS BIGINT) AS input_tokens FROM range(10000) t(i)`,
    );
    const got = await collect(path, 'exchanges', 3000);
    expect(got.records).toHaveLength(10_000);
    expect(got.issues).toEqual([]);
    expect(got.batches.map((b) => b.records.length)).toEqual([3000, 3000, 3000, 1000]);
    expect(got.lines[9999]).toBe(10_000);
    expect(got.records[9999]?.input_tokens).toBe(9999);
    const progress = got.batches.map((b) => b.bytesRead);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.at(-1)).toBeGreaterThan(0);
  });

  it('reads accounts and labels', async () => {
    const acc = await parquet(
      "SELECT 'a1' AS account_id, DATE '2025-01-01' AS created_at, 'startup' AS pathway, 'de' AS country, false AS verified",
    );
    expect((await collect(acc, 'accounts')).records).toEqual([
      {
        account_id: 'a1',
        created_at: Date.UTC(2025, 0, 1),
        pathway: 'startup',
        country: 'DE',
        verified: false,
      },
    ]);
    const lab = await parquet(
      "SELECT 'a1' AS account_id, 'attack' AS label, CAST(NULL AS VARCHAR) AS campaign_id, 'hydra' AS archetype",
    );
    // NULL in a nullable-but-required field: validateRecord reads it as null, not absent
    expect((await collect(lab, 'labels')).records).toEqual([
      { account_id: 'a1', label: 'attack', campaign_id: null, archetype: 'hydra' },
    ]);
  });

  it('an empty Parquet file gives zero records', async () => {
    const path = await parquet(`${exchangeRow(1)} LIMIT 0`);
    expect((await collect(path, 'exchanges')).batches).toEqual([]);
  });
});

describe('readParquet: bad data', () => {
  it('rejects each bad row with its row number, code and field; read = records + rejected', async () => {
    const rows = [
      exchangeRow(1), // 1 good
      exchangeRow(2, { account_id: 'NULL' }), // 2 missing_field
      exchangeRow(3, { ip: "'not-an-ip'" }), // 3 bad_ip
      exchangeRow(4, { ts: "TIMESTAMP '1970-01-21 00:00:00'" }), // 4 impossible_timestamp
      exchangeRow(5, { input_tokens: 'CAST(-5 AS BIGINT)' }), // 5 bad_value
      exchangeRow(6, { prompt: "'a' || chr(0) || 'b'" }), // 6 repaired nul_removed
      exchangeRow(7, { prompt: "repeat('x', 10485760)" }), // 7 repaired text_truncated
      exchangeRow(8, { status: 'CAST(42 AS SMALLINT)' }), // 8 bad_value
      exchangeRow(9, { prompt: "'\\xC3\\x28'" }), // 9 invalid_utf8 (BLOB column, see below)
    ];
    const path = await parquet(
      `SELECT ts, account_id, ip, request_id, input_tokens, status, decode_blob AS prompt FROM (
         SELECT *, CASE WHEN request_id = 'r9' THEN '\\xC3\\x28'::BLOB ELSE encode(prompt) END AS decode_blob
         FROM (${rows.map((r) => `(${r})`).join(' UNION ALL ')})) ORDER BY request_id[2:]::INT`,
    );
    const got = await collect(path, 'exchanges');
    expect(got.records.map((r) => r.request_id)).toEqual(['r1', 'r6', 'r7']);
    expect(got.lines).toEqual([1, 6, 7]);
    expect(got.records[1]?.prompt).toBe('ab');
    expect(got.records[2]?.prompt).toHaveLength(MAX_TEXT_CHARS);
    const rej = rejected(got.issues);
    expect(rej.map((i) => [i.line, i.code, i.field])).toEqual([
      [2, 'missing_field', 'account_id'],
      [3, 'bad_ip', 'ip'],
      [4, 'impossible_timestamp', 'ts'],
      [5, 'bad_value', 'input_tokens'],
      [8, 'bad_value', 'status'],
      [9, 'invalid_utf8', 'prompt'],
    ]);
    expect(got.issues.filter((i) => i.action === 'repaired').map((i) => [i.line, i.code, i.field])).toEqual([
      [6, 'nul_removed', 'prompt'],
      [7, 'text_truncated', 'prompt'],
    ]);
    expect(got.records.length + rej.length).toBe(9);
  });

  it('rejects a column of the wrong type and an unparsable text timestamp', async () => {
    const path = await parquet(
      `SELECT * FROM (${exchangeRow(1, { input_tokens: "'many'", ts: "'2026-02-01T10:00:00Z'" })}
         UNION ALL ${exchangeRow(2, { input_tokens: "'many'", ts: "'2026-13-01T00:00:00Z'" })}) ORDER BY request_id`,
    );
    const got = await collect(path, 'exchanges');
    expect(got.records).toEqual([]);
    expect(got.issues.map((i) => [i.line, i.code, i.field, i.action])).toEqual([
      [1, 'wrong_type', 'input_tokens', 'rejected'],
      [2, 'bad_timestamp', 'ts', 'rejected'],
    ]);
  });

  it('a corrupt or non-Parquet file is unreadable, naming the file', async () => {
    const path = join(dir, 'not.parquet');
    writeFileSync(path, 'ts,account_id\n1,2\n');
    await expect(collect(path, 'exchanges')).rejects.toMatchObject({ code: 'unreadable', file: path });
    await expect(collect(join(dir, 'missing.parquet'), 'exchanges')).rejects.toMatchObject({
      code: 'file_not_found',
    });
  });

  it('maps each DuckDB type to its wire expression', () => {
    expect(wireExpression('a', 'VARCHAR')).toBe('"a"');
    expect(wireExpression('a"b', 'BIGINT')).toBe('CAST("a""b" AS DOUBLE)');
    expect(wireExpression('t', 'TIMESTAMP_NS')).toBe('CAST(epoch_ms(CAST("t" AS TIMESTAMP)) AS DOUBLE)');
    expect(wireExpression('l', 'VARCHAR[]')).toBe('CAST("l" AS VARCHAR)');
  });
});
