/**
 * Tables the server builds once, in its in-memory database, so that the dashboard's questions
 * are lookups instead of scans of the whole exchanges table (a scan of one text column of 11.7M
 * exchanges took 0.15–0.4 s here; the lookups below take tens of ms):
 *   acct   per-account behaviour (volume, tokens, shares, spread, rhythm) — and its peers' medians
 *   peer   medians of acct per size class (accounts whose exchange counts share a power of two)
 *   art    (kind, value, account, exchanges) for IPs, /24 networks, end users, user agents, TLS
 *          fingerprints (from exchanges), payment instruments and email domains (from accounts),
 *          sorted by kind and value (DuckDB's zone maps then skip most of it on an equality or
 *          a prefix)
 *   artdeg how many accounts hold each artifact (to leave out infrastructure everyone shares)
 *   rare, rare_acct  the rows of art that link accounts on an account page (IPs, end users, TLS,
 *          payment, email domain held by at most LINKED_MAX_HOLDERS accounts), sorted by artifact
 *          and by account
 *   daily  exchanges and output tokens per account, UTC day and model, sorted by account
 *   recent (account number, ts, seq) of each account's newest RECENT_PER_ACCOUNT exchanges,
 *          sorted by account: an account's first pages of exchanges without reading the
 *          exchanges table (stored in time order, so an account's rows are spread over all of it)
 * Built in the background at start: ~1 s per million exchanges on 2 cores here.
 */
import { SUBNET_SQL } from '../../store/index.js';
import type { DuckReader } from './duck.js';

export const DAY_MS = 86_400_000;
/** Exchanges of each account kept in memory.recent (8 pages of 25): pages beyond are found by a
 * time-bounded scan of the exchanges table. Most accounts have fewer, so the table holds ~a
 * quarter of the exchanges at reported-2026 scale (20 bytes each). */
export const RECENT_PER_ACCOUNT = 200;
/** An artifact held by more accounts than this links everyone and explains nothing (a NAT, a
 * cloud egress, a popular SDK's user agent): left out of "linked accounts". */
export const LINKED_MAX_HOLDERS = 50;
/** Kinds of artifact that link accounts on an account page. */
const LINK_KINDS = ['ip', 'end_user', 'tls_fingerprint', 'payment_fingerprint', 'email_domain'];
const HOUR_MS = 3_600_000;

export const ART_KINDS = [
  'ip',
  'subnet',
  'end_user',
  'user_agent',
  'tls_fingerprint',
  'payment_fingerprint',
  'email_domain',
] as const;
export type ArtKind = (typeof ART_KINDS)[number];

/** Account aggregates shown beside the peers' medians (name → SQL over one account's rows). */
export const ACCOUNT_METRICS = [
  'exchanges',
  'output_tokens',
  'output_per_input',
  'mean_output_tokens',
  'reasoning_share',
  'single_turn_share',
  'error_share',
  'distinct_ips',
  'distinct_user_agents',
  'active_days',
  'peak_hour',
  'exchanges_per_active_day',
] as const;
export type AccountMetric = (typeof ACCOUNT_METRICS)[number];

const ACCT_SQL = `
CREATE OR REPLACE TABLE memory.acct AS
WITH hours AS (SELECT account_id, ts // ${HOUR_MS} AS h, count(*) AS n FROM exchanges GROUP BY ALL),
peak AS (SELECT account_id, max(n) AS peak_hour FROM hours GROUP BY ALL),
base AS (
  SELECT account_id,
    count(*)::DOUBLE AS exchanges,
    coalesce(sum(input_tokens), 0)::DOUBLE AS input_tokens,
    coalesce(sum(output_tokens), 0)::DOUBLE AS output_tokens,
    avg(CASE WHEN reasoning THEN 1 ELSE 0 END) FILTER (WHERE reasoning IS NOT NULL) AS reasoning_share,
    avg(CASE WHEN turns = 1 THEN 1 ELSE 0 END) FILTER (WHERE turns IS NOT NULL) AS single_turn_share,
    avg(CASE WHEN status >= 400 THEN 1 ELSE 0 END) FILTER (WHERE status IS NOT NULL) AS error_share,
    approx_count_distinct(ip)::DOUBLE AS distinct_ips,
    approx_count_distinct(user_agent)::DOUBLE AS distinct_user_agents,
    count(DISTINCT ts // ${DAY_MS})::DOUBLE AS active_days,
    min(ts)::DOUBLE AS first_ts, max(ts)::DOUBLE AS last_ts
  FROM exchanges GROUP BY account_id)
SELECT b.*, p.peak_hour::DOUBLE AS peak_hour,
  CASE WHEN b.input_tokens > 0 THEN b.output_tokens / b.input_tokens END AS output_per_input,
  b.output_tokens / b.exchanges AS mean_output_tokens,
  b.exchanges / b.active_days AS exchanges_per_active_day,
  floor(log2(b.exchanges))::INTEGER AS size_class,
  (row_number() OVER (ORDER BY b.account_id))::INTEGER AS acct_no
FROM base b JOIN peak p USING (account_id)
ORDER BY account_id`;

const PEER_SQL = `
CREATE OR REPLACE TABLE memory.peer AS
SELECT size_class, count(*)::DOUBLE AS accounts,
  ${ACCOUNT_METRICS.map((m) => `median(${m})::DOUBLE AS ${m}`).join(',\n  ')}
FROM memory.acct GROUP BY size_class`;

const ART_SQL = `
CREATE OR REPLACE TABLE memory.art AS
WITH ex AS (
  SELECT kind, value, account_id, count(*)::DOUBLE AS n FROM (
    SELECT account_id, UNNEST([
      {'k': 'ip', 'v': ip}, {'k': 'end_user', 'v': end_user_id},
      {'k': 'user_agent', 'v': user_agent}, {'k': 'tls_fingerprint', 'v': tls_fingerprint}
    ], recursive := true) FROM exchanges
  ) x(account_id, kind, value)
  WHERE value IS NOT NULL GROUP BY ALL),
subnets AS (
  SELECT 'subnet' AS kind, ${SUBNET_SQL.replace(/\bip\b/g, 'value')} AS value, account_id, sum(n) AS n
  FROM ex WHERE kind = 'ip' GROUP BY ALL),
acc AS (
  SELECT 'payment_fingerprint' AS kind, payment_fingerprint AS value, account_id, 0::DOUBLE AS n
    FROM accounts WHERE payment_fingerprint IS NOT NULL
  UNION ALL
  SELECT 'email_domain', lower(email_domain), account_id, 0 FROM accounts WHERE email_domain IS NOT NULL)
SELECT * FROM ex UNION ALL SELECT * FROM subnets UNION ALL SELECT * FROM acc
ORDER BY kind, value, account_id`;

const ARTDEG_SQL = `
CREATE OR REPLACE TABLE memory.artdeg AS
SELECT kind, value, count(*)::DOUBLE AS holders FROM memory.art GROUP BY ALL ORDER BY kind, value`;

const DAILY_SQL = `
CREATE OR REPLACE TABLE memory.daily AS
SELECT account_id, (ts // ${DAY_MS})::INTEGER AS day, coalesce(model, '') AS model,
  count(*)::DOUBLE AS n, coalesce(sum(output_tokens), 0)::DOUBLE AS output_tokens
FROM exchanges GROUP BY ALL ORDER BY account_id, day, model`;

const RARE_SQL = `
CREATE OR REPLACE TABLE memory.rare AS
SELECT a.kind, a.value, a.account_id FROM memory.art a JOIN memory.artdeg d USING (kind, value)
WHERE d.holders <= ${LINKED_MAX_HOLDERS} AND a.kind IN (${LINK_KINDS.map((k) => `'${k}'`).join(', ')})
ORDER BY a.kind, a.value, a.account_id`;

const RARE_ACCT_SQL = `
CREATE OR REPLACE TABLE memory.rare_acct AS SELECT * FROM memory.rare ORDER BY account_id, kind, value`;

const RECENT_SQL = `
CREATE OR REPLACE TABLE memory.recent AS
SELECT n.acct_no, x.ts, x.seq FROM (
  SELECT account_id, ts, seq FROM exchanges
  QUALIFY row_number() OVER (PARTITION BY account_id ORDER BY ts DESC, seq DESC) <= ${RECENT_PER_ACCOUNT}) x
JOIN memory.acct n USING (account_id)
ORDER BY n.acct_no, x.ts DESC, x.seq DESC`;

export type IndexState =
  | { status: 'building'; started: number }
  | { status: 'ready'; seconds: number }
  | { status: 'failed'; message: string };

export class Indexes {
  private state: IndexState;
  /** Every table built (memory.recent last). */
  readonly ready: Promise<void>;
  /** Every table but memory.recent (which only the pages of exchanges and samples read): most
   * views answer this much sooner after start. */
  readonly core: Promise<void>;
  /** Seconds each table took to build (for the benchmark). */
  readonly steps: { table: string; seconds: number }[] = [];

  constructor(db: DuckReader, now: () => number = Date.now) {
    const started = now();
    this.state = { status: 'building', started };
    let coreDone: () => void = () => undefined;
    let coreFailed: (err: unknown) => void = () => undefined;
    this.core = new Promise<void>((resolve, reject) => {
      coreDone = resolve;
      coreFailed = reject;
    });
    this.ready = (async () => {
      try {
        for (const [name, sql] of [
          ['acct', ACCT_SQL],
          ['peer', PEER_SQL],
          ['daily', DAILY_SQL],
          ['art', ART_SQL],
          ['artdeg', ARTDEG_SQL],
          ['rare', RARE_SQL],
          ['rare_acct', RARE_ACCT_SQL],
          ['recent', RECENT_SQL],
        ] as const) {
          if (name === 'recent') coreDone();
          const t = now();
          await db.run(sql);
          this.steps.push({ table: name, seconds: (now() - t) / 1000 });
        }
        this.state = { status: 'ready', seconds: (now() - started) / 1000 };
      } catch (err) {
        coreFailed(err);
        this.state = { status: 'failed', message: (err as Error).message.split('\n')[0] ?? 'failed' };
        throw err;
      }
    })();
    // The failure is reported by status() and by every route that awaits `ready` or `core`.
    this.ready.catch(() => undefined);
    this.core.catch(() => undefined);
  }

  status(): IndexState {
    return this.state;
  }
}
