/**
 * DuckDB access shared by the baselines: an in-memory instance, the exchanges and accounts
 * files read with `read_json` and explicit columns (so files without `prompt`, as in privacy
 * mode, read the same way; fields not listed, the ground-truth `harvest` among them, are never
 * read), and column-wise result reading (pulling rows as objects is slow, DEPENDENCIES.md).
 */
import { type DuckDBConnection, DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';

export const quoteLiteral = (s: string): string => `'${s.replaceAll("'", "''")}'`;

/** The exchange fields (formats.md) a baseline may ask for, with their DuckDB types. */
export const EXCHANGE_COLUMNS = {
  ts: 'VARCHAR',
  account_id: 'VARCHAR',
  ip: 'VARCHAR',
  input_tokens: 'BIGINT',
  output_tokens: 'BIGINT',
  turns: 'BIGINT',
  tool_count: 'BIGINT',
  reasoning: 'BOOLEAN',
  prompt: 'VARCHAR',
  prompt_fingerprint: 'VARCHAR',
} as const;
export type ExchangeColumn = keyof typeof EXCHANGE_COLUMNS;

export const ACCOUNT_COLUMNS = {
  account_id: 'VARCHAR',
  created_at: 'VARCHAR',
  payment_fingerprint: 'VARCHAR',
} as const;

function columnsSpec(cols: Record<string, string>): string {
  return `{${Object.entries(cols)
    .map(([k, t]) => `${k}: '${t}'`)
    .join(', ')}}`;
}

/** `ts` as RFC 3339 or epoch milliseconds (formats.md) → epoch ms as BIGINT. */
export const TS_MS_SQL = `CASE WHEN regexp_full_match(ts, '[0-9]+') THEN CAST(ts AS BIGINT)
  ELSE epoch_ms(CAST(ts AS TIMESTAMPTZ)) END`;

export interface Duck {
  conn: DuckDBConnection;
  close(): void;
}

export async function openDuck(): Promise<Duck> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
  const conn = await instance.connect();
  return {
    conn,
    close: () => {
      conn.closeSync();
      instance.closeSync();
    },
  };
}

/**
 * Creates table `ex` (the listed exchange columns + `t_ms`) and table `acc` (account_id,
 * created_ms, payment_fingerprint) and table `all_accounts` (every account of either file, sorted).
 * Lines that are not valid JSON are skipped (`ignore_errors`), as the project's readers count and skip them.
 */
export async function loadInputs(
  d: Duck,
  paths: { exchanges: string; accounts: string },
  cols: readonly ExchangeColumn[],
): Promise<void> {
  const want: Record<string, string> = { ts: 'VARCHAR', account_id: 'VARCHAR' };
  for (const c of cols) want[c] = EXCHANGE_COLUMNS[c];
  const selected = Object.keys(want).filter((c) => c !== 'ts');
  await d.conn.run(`CREATE TABLE ex AS
    SELECT ${selected.join(', ')}, ${TS_MS_SQL} AS t_ms
    FROM read_json(${quoteLiteral(paths.exchanges)}, format = 'newline_delimited',
      columns = ${columnsSpec(want)}, ignore_errors = true)
    WHERE account_id IS NOT NULL AND ts IS NOT NULL`);
  await d.conn.run(`DELETE FROM ex WHERE t_ms IS NULL`);
  await d.conn.run(`CREATE TABLE acc AS
    SELECT account_id,
      CASE WHEN created_at IS NULL THEN NULL WHEN regexp_full_match(created_at, '[0-9]+') THEN CAST(created_at AS BIGINT)
        ELSE epoch_ms(TRY_CAST(created_at AS TIMESTAMPTZ)) END AS created_ms,
      payment_fingerprint
    FROM read_json(${quoteLiteral(paths.accounts)}, format = 'newline_delimited',
      columns = ${columnsSpec(ACCOUNT_COLUMNS)}, ignore_errors = true)
    WHERE account_id IS NOT NULL`);
  await d.conn.run(`CREATE TABLE all_accounts AS
    SELECT account_id FROM (SELECT account_id FROM acc UNION SELECT DISTINCT account_id FROM ex)
    ORDER BY account_id`);
}

/** Runs a query and returns its columns (each an array of values), for bulk transfer to JS. */
export async function columnsOf(d: Duck, sql: string): Promise<DuckDBValue[][]> {
  const r = await d.conn.runAndReadAll(sql);
  return r.getColumns();
}

export function asNumbers(col: readonly DuckDBValue[] | undefined): Float64Array {
  const out = new Float64Array(col?.length ?? 0);
  if (col === undefined) return out;
  for (let i = 0; i < col.length; i++) {
    const v = col[i];
    out[i] = v === null || v === undefined ? Number.NaN : Number(v);
  }
  return out;
}

export function asStrings(col: readonly DuckDBValue[] | undefined): string[] {
  return (col ?? []).map((v) => (v === null || v === undefined ? '' : String(v)));
}
