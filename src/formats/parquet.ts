/**
 * Parquet reader, through an in-memory DuckDB instance (`@duckdb/node-api`).
 *
 * `read_parquet` is streamed chunk by chunk (DuckDB's vector size, 2048 rows), so memory
 * stays flat whatever the file size. Column types are brought to the wire shape in SQL
 * rather than in JS: timestamps and dates become epoch milliseconds, 64-bit and wider
 * integers and decimals become doubles (JS numbers), nested and exotic types become their
 * DuckDB text form (they can only be unknown columns, kept in `extra`). BLOB columns are
 * decoded as UTF-8 here so that invalid bytes are reported per row (invalid_utf8) instead
 * of failing the file. Every row then goes through `validateRecord`, like every format.
 */
import { isUtf8 } from 'node:buffer';
import { statSync } from 'node:fs';
import { DuckDBBlobValue, type DuckDBConnection, DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import { batchSizeOf, checkRecord } from './check.js';
import { FormatError, type RecordIssue } from './issues.js';
import { checkReadable } from './lines.js';
import type { ReadOptions, RecordBatch, RecordStream } from './read-types.js';
import type { RecordKind, RecordOf } from './schemas.js';
import { FIELD_TYPES } from './validate.js';

const quoteIdent = (name: string): string => `"${name.replaceAll('"', '""')}"`;
const quoteLiteral = (s: string): string => `'${s.replaceAll("'", "''")}'`;

/** Scalar types that arrive in JS already in their wire shape. */
const PASS_THROUGH = new Set([
  'BOOLEAN',
  'TINYINT',
  'SMALLINT',
  'INTEGER',
  'UTINYINT',
  'USMALLINT',
  'UINTEGER',
  'FLOAT',
  'DOUBLE',
  'VARCHAR',
  'BLOB',
]);
const WIDE_NUMBERS = new Set(['BIGINT', 'UBIGINT', 'HUGEINT', 'UHUGEINT']);

/** The SQL expression that brings a column of this DuckDB type to its wire shape. */
export function wireExpression(name: string, type: string): string {
  const q = quoteIdent(name);
  if (PASS_THROUGH.has(type)) return q;
  if (WIDE_NUMBERS.has(type) || type.startsWith('DECIMAL')) return `CAST(${q} AS DOUBLE)`;
  // TIMESTAMPTZ is an instant already; a naive TIMESTAMP (and DATE) is read as UTC
  if (type === 'TIMESTAMP WITH TIME ZONE') return `CAST(epoch_ms(${q}) AS DOUBLE)`;
  if (type.startsWith('TIMESTAMP') || type === 'DATE')
    return `CAST(epoch_ms(CAST(${q} AS TIMESTAMP)) AS DOUBLE)`;
  return `CAST(${q} AS VARCHAR)`;
}

function unreadable(path: string, err: unknown): FormatError {
  const msg = err instanceof Error ? err.message : String(err);
  return new FormatError('unreadable', `${path} cannot be read as Parquet: ${msg}`, path);
}

async function describe(conn: DuckDBConnection, path: string): Promise<{ names: string[]; types: string[] }> {
  const reader = await conn.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${quoteLiteral(path)})`);
  const rows = reader.getRows();
  return { names: rows.map((r) => String(r[0])), types: rows.map((r) => String(r[1])) };
}

/** Reads a Parquet file of one record kind; row numbers (1-based) stand in for lines. */
export async function* readParquet<K extends RecordKind>(
  path: string,
  kind: K,
  opts: ReadOptions = {},
): RecordStream<K> {
  const batchSize = batchSizeOf(opts);
  checkReadable(path);
  const size = statSync(path).size;

  const instance = await DuckDBInstance.create(':memory:');
  let conn: DuckDBConnection | undefined;
  try {
    conn = await instance.connect();
    let names: string[];
    let types: string[];
    let totalRows: number;
    try {
      ({ names, types } = await describe(conn, path));
      const meta = await conn.runAndReadAll(
        `SELECT CAST(coalesce(sum(num_rows), 0) AS DOUBLE) FROM parquet_file_metadata(${quoteLiteral(path)})`,
      );
      totalRows = Number(meta.getRows()[0]?.[0] ?? 0);
    } catch (err) {
      throw unreadable(path, err);
    }
    const fieldTypes = FIELD_TYPES[kind] as Record<string, unknown>;
    const knownColumn = names.map((n) => Object.hasOwn(fieldTypes, n));
    const select = names.map((n, i) => `${wireExpression(n, types[i]!)} AS ${quoteIdent(n)}`).join(', ');
    let result: Awaited<ReturnType<DuckDBConnection['stream']>>;
    try {
      result = await conn.stream(`SELECT ${select} FROM read_parquet(${quoteLiteral(path)})`);
    } catch (err) {
      throw unreadable(path, err);
    }

    let records: RecordOf[K][] = [];
    let lines: number[] = [];
    let issues: RecordIssue[] = [];
    let row = 0;
    const takeBatch = (): RecordBatch<RecordOf[K]> => {
      const bytesRead = totalRows > 0 ? Math.min(size, Math.round((size * row) / totalRows)) : size;
      const batch = { records, lines, issues, bytesRead };
      records = [];
      lines = [];
      issues = [];
      return batch;
    };

    for (;;) {
      let columns: DuckDBValue[][];
      try {
        const chunk = await result.fetchChunk();
        if (chunk === null || chunk.rowCount === 0) break;
        columns = chunk.getColumns();
      } catch (err) {
        throw unreadable(path, err);
      }
      const rowCount = columns[0]?.length ?? 0;
      for (let r = 0; r < rowCount; r++) {
        row++;
        const obj: Record<string, unknown> = {};
        let bad: RecordIssue | null = null;
        for (let c = 0; c < names.length; c++) {
          const v = columns[c]![r];
          const name = names[c]!;
          if (v === null || v === undefined) {
            // NULL is absent, except where the schema gives null a meaning (labels.campaign_id):
            // validateRecord decides, as it does for JSON null
            if (knownColumn[c]) obj[name] = null;
            continue;
          }
          if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') {
            obj[name] = v;
          } else if (v instanceof DuckDBBlobValue) {
            const bytes = Buffer.from(v.bytes.buffer, v.bytes.byteOffset, v.bytes.byteLength);
            const text = bytes.toString('utf8');
            if (text.includes('\uFFFD') && !isUtf8(bytes)) {
              bad = {
                file: path,
                line: row,
                field: name,
                code: 'invalid_utf8',
                reason: `${name}: not valid UTF-8`,
                action: 'rejected',
              };
              break;
            }
            obj[name] = text;
          } else {
            // not reached with the casts of wireExpression; kept total for safety
            obj[name] = String(v);
          }
        }
        if (bad !== null) {
          issues.push(bad);
        } else {
          const res = checkRecord(kind, obj, path, row);
          if (res.ok) {
            records.push(res.record);
            lines.push(row);
            for (const rep of res.repairs) issues.push(rep);
          } else {
            issues.push(res.issue);
          }
        }
        if (records.length >= batchSize || issues.length >= batchSize) yield takeBatch();
      }
    }
    if (records.length > 0 || issues.length > 0) yield takeBatch();
  } finally {
    conn?.closeSync();
    instance.closeSync();
  }
}
