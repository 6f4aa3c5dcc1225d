/**
 * `FeatureSource` over the DuckDB store: every bulk read of `hunt` as one SQL statement,
 * results pulled column by column (pulling rows as objects is several times slower).
 * Distinct counts per account are HyperLogLog estimates (`approx_count_distinct`, ~2% error):
 * exact ones sorted every group and cost 4x more, and no signal needs the last unit.
 * Never reads `labels` or the `harvest` column (ground truth of the simulator only).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { readLines } from '../formats/lines.js';
import { addHour, emptyHourBits } from '../link/synchrony.js';
import type {
  AccountAggregate,
  AccountInfo,
  ArtifactKind,
  ColumnPresence,
  DailyCount,
  FeatureSource,
  SharedArtifact,
  TextSampleRow,
  UnitExchangeRow,
  YardstickQuery,
} from './features.js';
import { FAST_GAP_MS, PIVOT_MIN_EXCHANGES, PIVOT_WINDOW_MS } from './features.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Accounts per page of `unitExchanges` / `daily` (an IN list). */
const ACCOUNT_PAGE = 500;

/** /24 of an IPv4 address, /48 of an IPv6 one (as `subnetOf`). */
export const SUBNET_SQL = `CASE WHEN contains(ip, ':') THEN array_to_string(string_split(ip, ':')[1:3], ':') || '::/48'
  ELSE regexp_extract(ip, '^[0-9]+\\.[0-9]+\\.[0-9]+') || '.0/24' END`;

/** Text kept of a long prompt: its head and its tail (what the text stage scans). */
export const CLIP_HEAD_CHARS = 2_000;
export const CLIP_TAIL_CHARS = 1_000;
const clipped = (col: string): string =>
  `CASE WHEN length(${col}) > ${CLIP_HEAD_CHARS + CLIP_TAIL_CHARS} THEN ${col}[1:${CLIP_HEAD_CHARS}] || chr(10) || ${col}[-${CLIP_TAIL_CHARS}:] ELSE ${col} END`;

const lit = (s: string): string => `'${s.replaceAll("'", "''")}'`;

const num = (v: DuckDBValue | undefined): number =>
  v === null || v === undefined ? Number.NaN : typeof v === 'number' ? v : Number(v);
const str = (v: DuckDBValue | undefined): string | null =>
  v === null || v === undefined ? null : typeof v === 'string' ? v : String(v);

export class DuckDbFeatureSource implements FeatureSource {
  constructor(private readonly connect: () => Promise<DuckDBConnection>) {}

  private async columns(sql: string): Promise<DuckDBValue[][]> {
    const conn = await this.connect();
    try {
      const r = await conn.runAndReadAll(sql);
      return r.getColumns();
    } finally {
      conn.closeSync();
    }
  }

  async presence(): Promise<{ exchanges: number; filled: ColumnPresence }> {
    const names: (keyof ColumnPresence)[] = [
      'prompt',
      'prompt_fingerprint',
      'system_prompt',
      'end_user_id',
      'tls_fingerprint',
      'user_agent',
      'model',
      'turns',
      'reasoning',
      'output_tokens',
    ];
    // One probe per column (does any row fill it?) instead of count(column): counting a text
    // column reads it whole (11 s for 1.5M prompts here); a probe stops at the first value.
    const c = await this.columns(
      `SELECT (SELECT count(*) FROM exchanges)::DOUBLE, ${names
        .map(
          (n) =>
            `CASE WHEN (SELECT 1 FROM exchanges WHERE "${n}" IS NOT NULL LIMIT 1) IS NULL THEN 0.0 ELSE 1.0 END`,
        )
        .join(', ')}`,
    );
    const filled = {} as ColumnPresence;
    names.forEach((n, i) => {
      filled[n] = num(c[i + 1]?.[0]);
    });
    return { exchanges: num(c[0]?.[0]), filled };
  }

  async accountAggregates(): Promise<AccountAggregate[]> {
    const sql = `
WITH gaps AS (
  -- A narrow sort (account, time) of its own: carrying every column through the window
  -- function made the whole query 10x slower.
  SELECT account_id, median(gap) AS gap_median,
    -- Rounded: a parallel sum of irrational terms depends on the order threads combine them,
    -- and the same data must give the same verdicts.
    round(stddev_pop(ln(1 + gap)) / nullif(avg(ln(1 + gap)), 0), 9) AS gap_log_cv,
    avg(CASE WHEN gap IS NULL THEN NULL WHEN gap < ${FAST_GAP_MS} THEN 1.0 ELSE 0.0 END) AS gap_fast
  FROM (SELECT account_id, ts - lag(ts) OVER (PARTITION BY account_id ORDER BY ts, seq) AS gap FROM exchanges)
  GROUP BY account_id
),
main AS (
  SELECT account_id,
    count(*) AS n, min(ts) AS first_ts, max(ts) AS last_ts,
    count(DISTINCT ts // ${DAY_MS}) AS active_days,
    sum(coalesce(input_tokens, 0)) AS in_tok, sum(coalesce(output_tokens, 0)) AS out_tok,
    avg(CASE WHEN turns IS NULL THEN NULL WHEN turns = 1 THEN 1.0 ELSE 0.0 END) AS single_turn,
    avg(turns) AS mean_turns,
    avg(CASE WHEN tool_count IS NULL THEN NULL WHEN tool_count > 0 THEN 1.0 ELSE 0.0 END) AS tool_share,
    avg(CASE WHEN reasoning IS NULL THEN NULL WHEN reasoning THEN 1.0 ELSE 0.0 END) AS reasoning_share,
    avg(CASE WHEN status IS NULL THEN NULL WHEN status >= 400 THEN 1.0 ELSE 0.0 END) AS error_share,
    approx_count_distinct(ip) AS ips, approx_count_distinct(user_agent) AS uas,
    approx_count_distinct(tls_fingerprint) AS tls, approx_count_distinct(api_key_id) AS keys,
    approx_count_distinct(end_user_id) AS end_users,
    avg(CASE WHEN end_user_id IS NULL THEN 0.0 ELSE 1.0 END) AS eu_share,
    approx_count_distinct(model) AS models, approx_count_distinct(hash(system_prompt)) AS sys_prompts,
    median(max_tokens) AS max_tokens
  FROM exchanges GROUP BY account_id
),
endpoints AS (
  -- The most used endpoint, ties by name (mode() picks any of equal counts).
  SELECT account_id, first(endpoint ORDER BY c DESC, endpoint) AS endpoint
  FROM (SELECT account_id, endpoint, count(*) AS c FROM exchanges WHERE endpoint IS NOT NULL GROUP BY ALL)
  GROUP BY account_id
),
hourly AS (
  SELECT account_id, ts // ${HOUR_MS} AS h, count(*) AS c FROM exchanges GROUP BY ALL
),
hrs AS (
  SELECT account_id, count(*) AS active_hours, max(c) AS peak_hour,
    list(c ORDER BY h) AS cs, list(h::DOUBLE ORDER BY h) AS hs
  FROM hourly GROUP BY account_id
),
subnets AS (
  SELECT account_id, approx_count_distinct(${SUBNET_SQL}) AS subnets FROM exchanges WHERE ip IS NOT NULL GROUP BY account_id
),
piv AS (
  -- Ties broken by model name (arg_max picks any of equal maxima, differently run to run).
  SELECT account_id, max(share) AS share, first(lag_h ORDER BY share DESC, model) AS lag_h,
    first(model ORDER BY share DESC, model) AS model
  FROM (
    SELECT e.account_id, r.model,
      avg(CASE WHEN e.model = r.model THEN 1.0 ELSE 0.0 END) AS share,
      (min(CASE WHEN e.model = r.model THEN e.ts END) - r.released_at) / ${HOUR_MS}.0 AS lag_h
    FROM exchanges e JOIN releases r
      ON e.ts >= r.released_at AND e.ts < r.released_at + ${PIVOT_WINDOW_MS}
    GROUP BY e.account_id, r.model, r.released_at
    HAVING count(*) >= ${PIVOT_MIN_EXCHANGES}
  ) GROUP BY account_id
)
SELECT m.account_id, m.n::DOUBLE, m.first_ts::DOUBLE, m.last_ts::DOUBLE, hrs.active_hours::DOUBLE,
  m.active_days::DOUBLE, hrs.peak_hour::DOUBLE, m.in_tok::DOUBLE, m.out_tok::DOUBLE, m.single_turn,
  m.mean_turns, m.tool_share, m.reasoning_share, m.error_share, m.ips::DOUBLE,
  coalesce(s.subnets, 0)::DOUBLE, m.uas::DOUBLE, m.tls::DOUBLE, m.keys::DOUBLE, m.end_users::DOUBLE,
  m.eu_share, m.models::DOUBLE, m.sys_prompts::DOUBLE, m.max_tokens::DOUBLE, coalesce(ep.endpoint, ''),
  hrs.cs, hrs.hs, g.gap_median::DOUBLE, g.gap_log_cv, g.gap_fast,
  p.share, p.lag_h, coalesce(p.model, '')
FROM main m JOIN hrs USING (account_id) JOIN gaps g USING (account_id) LEFT JOIN subnets s USING (account_id)
LEFT JOIN piv p USING (account_id) LEFT JOIN endpoints ep USING (account_id)
ORDER BY m.account_id`;
    const c = await this.columns(sql);
    const rows: AccountAggregate[] = [];
    const n = c[0]?.length ?? 0;
    const col = (i: number) => c[i] ?? [];
    for (let i = 0; i < n; i++) {
      const hours = new Array<number>(24).fill(0);
      const cs = listOf(col(25)[i]);
      const hs = listOf(col(26)[i]);
      const hourBits = emptyHourBits();
      for (let k = 0; k < cs.length; k++) {
        const h = num(hs[k]);
        const hod = ((h % 24) + 24) % 24;
        hours[hod] = (hours[hod] ?? 0) + num(cs[k]);
        addHour(hourBits, h);
      }
      rows.push({
        account_id: str(col(0)[i]) ?? '',
        exchanges: num(col(1)[i]),
        first_ts: num(col(2)[i]),
        last_ts: num(col(3)[i]),
        active_hours: num(col(4)[i]),
        active_days: num(col(5)[i]),
        peak_hour: num(col(6)[i]),
        input_tokens: num(col(7)[i]),
        output_tokens: num(col(8)[i]),
        single_turn_share: num(col(9)[i]),
        mean_turns: num(col(10)[i]),
        tool_share: num(col(11)[i]),
        reasoning_share: num(col(12)[i]),
        error_share: num(col(13)[i]),
        distinct_ips: num(col(14)[i]),
        distinct_subnets: num(col(15)[i]),
        distinct_user_agents: num(col(16)[i]),
        distinct_tls: num(col(17)[i]),
        distinct_keys: num(col(18)[i]),
        distinct_end_users: num(col(19)[i]),
        end_user_share: num(col(20)[i]),
        distinct_models: num(col(21)[i]),
        distinct_system_prompts: num(col(22)[i]),
        max_tokens: num(col(23)[i]),
        endpoint: str(col(24)[i]) ?? '',
        hours,
        hour_bits: hourBits,
        gap_median_ms: num(col(27)[i]),
        gap_log_cv: num(col(28)[i]),
        gap_fast_share: num(col(29)[i]),
        pivot_share: num(col(30)[i]),
        pivot_lag_hours: num(col(31)[i]),
        pivot_model: str(col(32)[i]) ?? '',
      });
    }
    return rows;
  }

  async accountInfo(): Promise<AccountInfo[]> {
    const c = await this.columns(
      `SELECT account_id, created_at::DOUBLE, pathway, country, email_domain, payment_fingerprint, verified, trust
       FROM accounts ORDER BY account_id`,
    );
    const n = c[0]?.length ?? 0;
    const out: AccountInfo[] = [];
    for (let i = 0; i < n; i++) {
      const created = num(c[1]?.[i]);
      const v = c[6]?.[i];
      out.push({
        account_id: str(c[0]?.[i]) ?? '',
        created_at: Number.isFinite(created) ? created : null,
        pathway: str(c[2]?.[i]),
        country: str(c[3]?.[i]),
        email_domain: str(c[4]?.[i]),
        payment_fingerprint: str(c[5]?.[i]),
        verified: typeof v === 'boolean' ? v : null,
        trust: str(c[7]?.[i]),
      });
    }
    return out;
  }

  async releases(): Promise<{ model: string; released_at: number }[]> {
    const c = await this.columns(
      `SELECT model, released_at::DOUBLE FROM releases ORDER BY released_at, model`,
    );
    return (c[0] ?? []).map((m, i) => ({ model: str(m) ?? '', released_at: num(c[1]?.[i]) }));
  }

  async sharedArtifacts(maxAccounts: number): Promise<{ shared: SharedArtifact[]; tooCommon: number }> {
    const pairs: [ArtifactKind, string, string][] = [
      ['ip', 'exchanges', 'ip'],
      ['subnet', 'exchanges', SUBNET_SQL],
      ['tls_fingerprint', 'exchanges', 'tls_fingerprint'],
      ['user_agent', 'exchanges', 'user_agent'],
      ['system_prompt', 'exchanges', `md5(system_prompt)`],
      ['api_key', 'exchanges', 'api_key_id'],
      ['payment_fingerprint', 'accounts', 'payment_fingerprint'],
      ['email_domain', 'accounts', 'lower(email_domain)'],
    ];
    const union = pairs
      .map(
        ([kind, table, expr]) =>
          `SELECT DISTINCT '${kind}' AS kind, ${expr} AS value, account_id FROM ${table} WHERE ${expr} IS NOT NULL`,
      )
      .join('\nUNION ALL\n');
    const c = await this.columns(`
WITH art AS (${union}),
deg AS (SELECT kind, value, count(*) AS n FROM art GROUP BY ALL)
SELECT a.kind, a.value, list(a.account_id ORDER BY a.account_id) AS accounts, any_value(d.n) > ${maxAccounts} AS too_common
FROM art a JOIN deg d USING (kind, value)
WHERE d.n >= 2 AND d.n <= ${maxAccounts}
GROUP BY a.kind, a.value
UNION ALL
SELECT 'count' AS kind, count(*)::VARCHAR AS value, []::VARCHAR[] AS accounts, true FROM deg WHERE n > ${maxAccounts}
ORDER BY kind, value`);
    const shared: SharedArtifact[] = [];
    let tooCommon = 0;
    const n = c[0]?.length ?? 0;
    for (let i = 0; i < n; i++) {
      const kind = str(c[0]?.[i]) ?? '';
      if (kind === 'count') {
        tooCommon = Number(str(c[1]?.[i]) ?? 0);
        continue;
      }
      shared.push({
        kind: kind as ArtifactKind,
        value: str(c[1]?.[i]) ?? '',
        accounts: listOf(c[2]?.[i]).map((x) => str(x) ?? ''),
      });
    }
    return { shared, tooCommon };
  }

  /**
   * Rows of a query with long text, via a JSON Lines file that DuckDB writes and V8 parses:
   * converting VARCHARs through the node bindings ran at ~16 MB/s here, JSON.parse at
   * hundreds. The file lives in a private temp directory and is removed at the end.
   */
  private async *viaFile<T>(sql: string, accounts?: readonly string[]): AsyncIterable<T[]> {
    const dir = await mkdtemp(join(tmpdir(), 'distillguard-'));
    const file = join(dir, 'rows.jsonl');
    try {
      const conn = await this.connect();
      try {
        if (accounts !== undefined) {
          // The accounts to read, as a temp table the query joins (an IN list of thousands
          // of literals parses slowly).
          await conn.run('CREATE OR REPLACE TEMP TABLE dg_only (account_id VARCHAR)');
          for (let p = 0; p < accounts.length; p += 1000) {
            const page = accounts.slice(p, p + 1000);
            if (page.length > 0)
              await conn.run(`INSERT INTO dg_only VALUES ${page.map((a) => `(${lit(a)})`).join(', ')}`);
          }
        }
        await conn.run(`COPY (${sql}) TO ${lit(file)} (FORMAT json)`);
      } finally {
        conn.closeSync();
      }
      for await (const batch of readLines(file)) yield batch.lines.map((l) => JSON.parse(l) as T);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  textSample(perAccount: number, only?: readonly string[]): AsyncIterable<TextSampleRow[]> {
    // Long texts are cut to what the text stage reads (its detectors scan the first 2,000 and
    // last 1,000 characters; templates live at the start): the sampled JSON was ~1 KB a row,
    // and copying and parsing it cost more than analysing it.
    // Each exchange is kept with probability perAccount / (its account's exchanges), decided by
    // a hash of its key: about perAccount per account, deterministic, and no sort of the whole
    // table (a row_number() window over every exchange cost several times more).
    return this.viaFile<TextSampleRow>(
      `
WITH rate AS (SELECT account_id, least(1.0, ${Math.floor(perAccount)} / count(*)) AS p FROM exchanges
  ${only === undefined ? '' : 'SEMI JOIN dg_only USING (account_id)'} GROUP BY account_id)
SELECT e.account_id, e.ts::DOUBLE AS ts, e.end_user_id, ${clipped('e.prompt')} AS prompt,
  ${clipped('e.system_prompt')} AS system_prompt, e.prompt_fingerprint, coalesce(e.tool_count, 0)::DOUBLE AS tool_count
FROM exchanges e JOIN rate r USING (account_id)
WHERE r.p >= 1.0 OR (hash(coalesce(e.request_id, e.content_hash)) % 1000003) < r.p * 1000003
ORDER BY e.account_id, e.ts, e.seq`,
      only,
    );
  }

  unitExchanges(accounts: readonly string[]): AsyncIterable<UnitExchangeRow[]> {
    return this.viaFile<UnitExchangeRow>(
      `
SELECT request_id, account_id, end_user_id, ${clipped('prompt')} AS prompt, ${clipped('system_prompt')} AS system_prompt,
  prompt_fingerprint, coalesce(tool_count, 0)::DOUBLE AS tool_count
FROM exchanges SEMI JOIN dg_only USING (account_id) ORDER BY account_id, ts, seq`,
      accounts,
    );
  }

  async daily(accounts: readonly string[]): Promise<DailyCount[]> {
    const out: DailyCount[] = [];
    for (let p = 0; p < accounts.length; p += ACCOUNT_PAGE) {
      const page = accounts.slice(p, p + ACCOUNT_PAGE);
      const c = await this.columns(`
SELECT account_id, strftime(make_timestamp((ts // ${DAY_MS}) * ${DAY_MS * 1000}), '%Y-%m-%d') AS day,
  count(*)::DOUBLE, sum(coalesce(output_tokens, 0))::DOUBLE
FROM exchanges WHERE account_id IN (${page.map(lit).join(', ')}) GROUP BY ALL ORDER BY account_id, day`);
      const n = c[0]?.length ?? 0;
      for (let i = 0; i < n; i++)
        out.push({
          account_id: str(c[0]?.[i]) ?? '',
          day: str(c[1]?.[i]) ?? '',
          exchanges: num(c[2]?.[i]),
          output_tokens: num(c[3]?.[i]),
        });
    }
    return out;
  }

  async bareGroupBy(what: YardstickQuery = 'count'): Promise<number> {
    const inner = {
      count: 'SELECT account_id, count(*) FROM exchanges GROUP BY account_id',
      distinct_ips: 'SELECT account_id, count(DISTINCT ip) FROM exchanges GROUP BY account_id',
      gaps: `SELECT account_id, stddev_pop(gap) FROM (SELECT account_id, ts - lag(ts) OVER (PARTITION BY account_id ORDER BY ts) AS gap FROM exchanges) GROUP BY account_id`,
    }[what];
    const c = await this.columns(`SELECT count(*)::DOUBLE FROM (${inner})`);
    return num(c[0]?.[0]);
  }
}

function listOf(v: DuckDBValue | undefined): DuckDBValue[] {
  if (v === null || v === undefined) return [];
  const items = (v as { items?: DuckDBValue[] }).items;
  return Array.isArray(items) ? items : [];
}
