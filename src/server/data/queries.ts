/**
 * The dashboard's reads of the store, in SQL over the read-only store and the server's own
 * tables (indexes.ts). Each function is one or two statements; results are pulled as plain
 * rows (all small: a page, a day series, a graph capped at GRAPH_MAX_ARTIFACTS).
 *
 * Read methods the `Store` port could offer later instead of this module: accountExchanges
 * (paged, newest first), dailyByAccount, artifactHolders(kind, value | prefix), and a read-only
 * open (`openDuckDbStore(path, { readOnly: true })` skipping the DDL).
 */
import { listValue } from '@duckdb/node-api';
import { toRfc3339 } from '../../formats/index.js';
import { templateKeys } from '../../signals/index.js';
import { FINGERPRINT_VERSION, isFingerprint, NEAR_DUPLICATE_DISTANCE } from '../../text/index.js';
import type { CampaignGraph, ExchangePage, GraphNode, MetricRow, SampleRow, Timeline } from '../api-types.js';
import { promptView } from '../redact.js';
import { bool, type DuckReader, lit, num, numOrNull, type Row, str } from './duck.js';
import { ACCOUNT_METRICS, DAY_MS, type Indexes, RECENT_PER_ACCOUNT } from './indexes.js';

export { LINKED_MAX_HOLDERS } from './indexes.js';
/** Linked accounts listed on an account page. */
export const LINKED_LIMIT = 25;
/** Artifact nodes drawn in a campaign graph, most shared first: beyond a few thousand nodes a
 * graph is a hairball to a person and a cost to the page. */
export const GRAPH_MAX_ARTIFACTS = 3_000;
/** …and links: software WebGL draws ~40k links and ForceAtlas2 lays them out in a few hundred ms. */
export const GRAPH_MAX_EDGES = 40_000;
/** An artifact is drawn when at least this share of the accounts holding it are members. */
export const GRAPH_MIN_INSIDE_SHARE = 0.5;
/** Accounts drawn one by one in a campaign timeline (the largest); the rest are in the totals. */
export const TIMELINE_ACCOUNTS = 60;
/** Sample prompts shown for a campaign. */
export const SAMPLE_PROMPTS = 12;
/** Rows a template search reads and skeletonises at most (each ~10 µs of JS). */
export const TEMPLATE_CANDIDATES = 20_000;
/** Rows of exchanges read by one query of fetchBySeq at most (DuckDB's vector size): within
 * that span one query for several rows costs what one row does; over wider spans a query per
 * row is cheaper (a query over a whole row group decompresses every vector of it). */
const FETCH_SPAN = 2_048;
/** Literal words of a template used to pre-filter rows in SQL (longest first). */
const TEMPLATE_FILTER_WORDS = 3;

const dayString = (d: number): string => toRfc3339(d * DAY_MS).slice(0, 10);
const members = (ids: readonly string[]) => listValue([...ids]);

export class StoreQueries {
  constructor(
    readonly db: DuckReader,
    readonly indexes: Indexes,
  ) {}

  async totals(): Promise<{
    exchanges: number;
    accounts: number;
    first: number | null;
    last: number | null;
  }> {
    await this.indexes.core;
    const [r] = await this.db.rows(
      `SELECT sum(exchanges)::DOUBLE AS e, count(*)::DOUBLE AS a, min(first_ts) AS f, max(last_ts) AS l FROM memory.acct`,
    );
    return { exchanges: num(r?.e), accounts: num(r?.a), first: numOrNull(r?.f), last: numOrNull(r?.l) };
  }

  /** What text the deployment ships: raw prompts, fingerprints only, or neither. */
  async textMode(): Promise<'raw' | 'fingerprint' | 'none'> {
    const [r] = await this.db.rows(
      `SELECT EXISTS (SELECT 1 FROM exchanges WHERE prompt IS NOT NULL) AS p,
              EXISTS (SELECT 1 FROM exchanges WHERE prompt_fingerprint IS NOT NULL) AS f`,
    );
    return r?.p === true ? 'raw' : r?.f === true ? 'fingerprint' : 'none';
  }

  async releases(): Promise<{ model: string; released_at: string }[]> {
    const rows = await this.db.rows(`SELECT model, released_at::DOUBLE AS t FROM releases ORDER BY t, model`);
    return rows.map((r) => ({ model: str(r.model) ?? '', released_at: toRfc3339(num(r.t)) }));
  }

  /** Exchanges per day: every account, and the given ones (accounts in campaigns). */
  async volume(
    campaignAccounts: readonly string[],
  ): Promise<{ days: string[]; all: number[]; campaigns: number[] }> {
    await this.indexes.core;
    const rows = await this.db.rows(
      `SELECT day, sum(n)::DOUBLE AS n,
              coalesce(sum(n) FILTER (WHERE account_id IN (SELECT unnest($1::VARCHAR[]))), 0)::DOUBLE AS c
         FROM memory.daily GROUP BY day ORDER BY day`,
      [members(campaignAccounts)],
    );
    return {
      days: rows.map((r) => dayString(num(r.day))),
      all: rows.map((r) => num(r.n)),
      campaigns: rows.map((r) => num(r.c)),
    };
  }

  /** Exchanges and output tokens per account (for member tables). */
  async accountVolumes(
    ids: readonly string[],
  ): Promise<Map<string, { exchanges: number; output_tokens: number }>> {
    await this.indexes.core;
    const rows = await this.db.rows(
      `SELECT account_id, exchanges, output_tokens FROM memory.acct
        WHERE account_id IN (SELECT unnest($1::VARCHAR[]))`,
      [members(ids)],
    );
    return new Map(
      rows.map((r) => [
        str(r.account_id) ?? '',
        { exchanges: num(r.exchanges), output_tokens: num(r.output_tokens) },
      ]),
    );
  }

  async accountInfo(id: string): Promise<Record<string, string | number | boolean | null> | null> {
    const rows = await this.db.rows(
      `SELECT created_at::DOUBLE AS created_at, pathway, country, email_domain, payment_fingerprint, verified,
              org_name, trust FROM accounts WHERE account_id = $1`,
      [id],
    );
    const r = rows[0];
    if (r === undefined) return null;
    const out: Record<string, string | number | boolean | null> = {};
    for (const [k, v] of Object.entries(r))
      out[k] =
        k === 'created_at' ? (v === null ? null : toRfc3339(num(v))) : typeof v === 'boolean' ? v : str(v);
    return out;
  }

  /** The account's aggregates beside the medians of accounts of its size class; null when it sent nothing. */
  async accountMetrics(
    id: string,
  ): Promise<{ metrics: MetricRow[]; sizeClass: string; peers: number; exchanges: number } | null> {
    await this.indexes.core;
    const cols = ACCOUNT_METRICS.map((m) => `a.${m} AS "a_${m}", p.${m} AS "p_${m}"`).join(', ');
    const rows = await this.db.rows(
      `SELECT a.size_class, p.accounts, ${cols} FROM memory.acct a JOIN memory.peer p USING (size_class)
        WHERE a.account_id = $1`,
      [id],
    );
    const r = rows[0];
    if (r === undefined) return null;
    const k = num(r.size_class);
    return {
      metrics: ACCOUNT_METRICS.map((m) => ({
        metric: m,
        value: numOrNull(r[`a_${m}`]),
        peerMedian: numOrNull(r[`p_${m}`]),
      })),
      sizeClass: `${2 ** k}–${2 ** (k + 1) - 1} exchanges`,
      peers: num(r.accounts),
      exchanges: num(r.a_exchanges),
    };
  }

  /** Accounts sharing this account's IPs, end users, TLS fingerprint, payment instrument or email
   * domain — each artifact held by at most LINKED_MAX_HOLDERS accounts. */
  async linkedAccounts(id: string): Promise<{ account_id: string; shared: number; kinds: string[] }[]> {
    await this.indexes.core;
    // memory.rare_acct and memory.rare hold exactly the artifacts that may link (rare enough).
    const rows = await this.db.rows(
      `WITH mine AS (SELECT kind, value FROM memory.rare_acct WHERE account_id = $1)
       SELECT r.account_id, count(*)::DOUBLE AS shared, list(DISTINCT r.kind ORDER BY r.kind) AS kinds
         FROM memory.rare r SEMI JOIN mine m ON r.kind = m.kind AND r.value = m.value
        WHERE r.account_id <> $1
        GROUP BY r.account_id ORDER BY shared DESC, r.account_id LIMIT ${LINKED_LIMIT}`,
      [id],
    );
    return rows.map((r) => ({
      account_id: str(r.account_id) ?? '',
      shared: num(r.shared),
      kinds: Array.isArray(r.kinds) ? r.kinds.map((k) => String(k)) : [],
    }));
  }

  /**
   * Newest first, `limit` exchanges older than `before` (epoch ms). The exchanges table is stored
   * in time order, not by account, so which exchanges make the page comes first from the
   * server's memory.recent (each account's newest RECENT_PER_ACCOUNT, sorted by account: a few
   * ms). A page beyond those is found by a query bounded by time as well as by account: the
   * account's daily counts (memory.daily) give the earliest day the page reaches, and DuckDB's
   * zone maps on `ts` then skip every other row group. The rows themselves are then read by
   * `seq` (fetchBySeq).
   */
  async accountExchanges(
    id: string,
    opts: { limit: number; before: number | null; raw: boolean },
  ): Promise<ExchangePage> {
    await this.indexes.ready;
    const before = opts.before === null ? '' : `AND ts < ${Math.floor(opts.before)}`;
    const [acct] = await this.db.rows(`SELECT acct_no, exchanges FROM memory.acct WHERE account_id = $1`, [
      id,
    ]);
    if (acct === undefined) return { redacted: !opts.raw, items: [], next: null };
    let ids = await this.db.rows(
      `SELECT seq::DOUBLE AS seq, ts::DOUBLE AS ts FROM memory.recent WHERE acct_no = ${num(acct.acct_no)} ${before}
        ORDER BY ts DESC, seq DESC LIMIT ${opts.limit + 1}`,
    );
    // memory.recent holds a prefix of the account's exchanges, newest first: a full page from it
    // is the true page; a short one is the end only when it holds all of the account's.
    if (ids.length <= opts.limit && num(acct.exchanges) > RECENT_PER_ACCOUNT)
      ids = await this.olderExchangeIds(id, opts.limit, opts.before);
    const pageIds = ids.slice(0, opts.limit);
    const rows = await this.fetchBySeq(
      pageIds.map((r) => num(r.seq)),
      `ts::DOUBLE AS ts, request_id, ip, end_user_id, user_agent, model, endpoint,
       input_tokens::DOUBLE AS input_tokens, output_tokens::DOUBLE AS output_tokens,
       status::DOUBLE AS status, reasoning, prompt, prompt_fingerprint, md5(system_prompt) AS sp`,
    );
    const more = ids.length > opts.limit;
    const page = rows;
    const requestIds = page.map((r) => str(r.request_id)).filter((x): x is string => x !== null);
    const flags = new Map<string, boolean>();
    if (requestIds.length > 0)
      for (const r of await this.db.rows(
        `SELECT request_id, flagged FROM memory.xv WHERE request_id IN (${requestIds.map(lit).join(', ')})`,
      ))
        flags.set(str(r.request_id) ?? '', r.flagged === true);
    return {
      redacted: !opts.raw,
      items: page.map((r) => {
        const rid = str(r.request_id);
        return {
          ts: toRfc3339(num(r.ts)),
          request_id: rid,
          ip: str(r.ip) ?? '',
          end_user_id: str(r.end_user_id),
          user_agent: str(r.user_agent),
          model: str(r.model),
          endpoint: str(r.endpoint),
          input_tokens: numOrNull(r.input_tokens),
          output_tokens: numOrNull(r.output_tokens),
          status: numOrNull(r.status),
          reasoning: bool(r.reasoning),
          flagged: rid === null ? null : (flags.get(rid) ?? null),
          system_prompt_md5: str(r.sp),
          ...promptView(str(r.prompt), str(r.prompt_fingerprint), opts.raw),
        };
      }),
      // Rows with the same ts as the last one shown would be skipped by `ts < before`: rare
      // (millisecond ties within one account) and acceptable for browsing.
      next: more ? num(pageIds[pageIds.length - 1]?.ts) : null,
    };
  }

  /** Which exchanges make a page beyond memory.recent: bounded by the days the page reaches. */
  private async olderExchangeIds(id: string, limit: number, beforeMs: number | null): Promise<Row[]> {
    const beforeDay = beforeMs === null ? null : Math.floor(beforeMs / DAY_MS);
    const days = await this.db.rows(
      `SELECT day, sum(n)::DOUBLE AS n FROM memory.daily WHERE account_id = $1
        ${beforeDay === null ? '' : `AND day <= ${beforeDay}`} GROUP BY day ORDER BY day DESC`,
      [id],
    );
    if (days.length === 0) return [];
    // The earliest day to read so that the days from there on hold `want` exchanges. With
    // `before` inside a day, that day's count includes later rows, so the window may fall short:
    // then it is widened (twice the target) until the page is full or the account's first day.
    const fromDayFor = (want: number): number => {
      let seen = 0;
      for (const d of days) {
        seen += num(d.n);
        if (seen >= want) return num(d.day);
      }
      return num(days[days.length - 1]?.day);
    };
    const oldest = num(days[days.length - 1]?.day);
    let want = limit + 1;
    for (;;) {
      const fromDay = fromDayFor(want);
      const ids = await this.db.rows(
        `SELECT seq::DOUBLE AS seq, ts::DOUBLE AS ts FROM exchanges
          WHERE account_id = $1 AND ts >= ${fromDay * DAY_MS}
            ${beforeMs === null ? '' : `AND ts < ${Math.floor(beforeMs)}`}
          ORDER BY ts DESC, seq DESC LIMIT ${limit + 1}`,
        [id],
      );
      if (ids.length > limit || fromDay <= oldest) return ids;
      want *= 2;
    }
  }

  /**
   * Rows of the exchanges table by `seq`, in the order given. `seq` grows with the storage order,
   * so DuckDB's zone maps prune a query on it to the blocks holding the row: a query per row
   * (~4 ms even when its blocks are cached, 15–40 ms when not, at 11.7M exchanges), except that
   * rows within FETCH_SPAN of each other (an account's bursts) share one query,
   * `seq BETWEEN lo AND hi AND seq IN (…)`, which costs what one row does (an IN list alone, or
   * over a wide span, scans all that lies between). The queries run side by side on the pool.
   */
  async fetchBySeq(seqs: readonly number[], columns: string): Promise<Row[]> {
    if (seqs.length === 0) return [];
    const sorted = [...new Set(seqs.map((s) => Math.floor(s)))].sort((a, b) => a - b);
    const groups: number[][] = [];
    for (const s of sorted) {
      const g = groups[groups.length - 1];
      if (g !== undefined && s - (g[0] as number) < FETCH_SPAN) g.push(s);
      else groups.push([s]);
    }
    const parts = await Promise.all(
      groups.map((g) =>
        this.db.rows(
          g.length === 1
            ? `SELECT seq::DOUBLE AS _seq, ${columns} FROM exchanges WHERE seq = ${g[0]}`
            : `SELECT seq::DOUBLE AS _seq, ${columns} FROM exchanges
                WHERE seq BETWEEN ${g[0]} AND ${g[g.length - 1]} AND seq IN (${g.join(', ')})`,
        ),
      ),
    );
    const bySeq = new Map<number, Row>();
    for (const r of parts.flat()) bySeq.set(num(r._seq), r);
    return seqs.map((s) => bySeq.get(Math.floor(s))).filter((r): r is Row => r !== undefined);
  }

  /** Daily exchanges of the given accounts: per model, and per account for the largest ones. */
  async timeline(
    ids: readonly string[],
    releases: { model: string; released_at: string }[],
    limit = TIMELINE_ACCOUNTS,
  ): Promise<Timeline> {
    await this.indexes.core;
    const m = members(ids);
    const [byModel, byAccount] = await Promise.all([
      this.db.rows(
        `SELECT day, model, sum(n)::DOUBLE AS n FROM memory.daily
          WHERE account_id IN (SELECT unnest($1::VARCHAR[])) GROUP BY ALL ORDER BY day, model`,
        [m],
      ),
      this.db.rows(
        `WITH d AS (SELECT account_id, day, sum(n) AS n FROM memory.daily
                     WHERE account_id IN (SELECT unnest($1::VARCHAR[])) GROUP BY ALL),
              top AS (SELECT account_id, sum(n) AS total, min(day) AS first FROM d GROUP BY ALL
                       ORDER BY total DESC, account_id LIMIT ${limit})
         SELECT d.account_id, d.day, d.n::DOUBLE AS n, t.first FROM d JOIN top t USING (account_id)
          ORDER BY t.first, d.account_id, d.day`,
        [m],
      ),
    ]);
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const r of byModel) {
      lo = Math.min(lo, num(r.day));
      hi = Math.max(hi, num(r.day));
    }
    if (!Number.isFinite(lo))
      return { days: [], models: {}, accounts: [], totalAccounts: ids.length, releases };
    const n = hi - lo + 1;
    const days = Array.from({ length: n }, (_, i) => dayString(lo + i));
    const models: Record<string, number[]> = {};
    for (const r of byModel) {
      const name = str(r.model) || '(none)';
      const series = models[name] ?? new Array<number>(n).fill(0);
      models[name] = series;
      series[num(r.day) - lo] = num(r.n);
    }
    const accounts: { account_id: string; counts: number[] }[] = [];
    const index = new Map<string, number[]>();
    for (const r of byAccount) {
      const id = str(r.account_id) ?? '';
      let counts = index.get(id);
      if (counts === undefined) {
        counts = new Array<number>(n).fill(0);
        index.set(id, counts);
        accounts.push({ account_id: id, counts });
      }
      counts[num(r.day) - lo] = num(r.n);
    }
    const first = days[0] as string;
    const last = days[days.length - 1] as string;
    return {
      days,
      models,
      accounts,
      totalAccounts: ids.length,
      releases: releases.filter(
        (x) => x.released_at.slice(0, 10) >= first && x.released_at.slice(0, 10) <= last,
      ),
    };
  }

  /**
   * The account–artifact graph of a campaign: its members and the artifacts (IPs, /24 networks, TLS
   * fingerprints, user agents, payment instruments, email domains) that at least two members hold
   * and that are mostly theirs (≥ GRAPH_MIN_INSIDE_SHARE of the holders are members: a popular
   * SDK's user agent or a webmail domain ties thousands of accounts and says nothing about this
   * campaign). The most shared first, within GRAPH_MAX_ARTIFACTS nodes and GRAPH_MAX_EDGES links.
   */
  async campaignGraph(
    ids: readonly string[],
    indicators: Record<string, string[]>,
    scores: ReadonlyMap<string, number>,
  ): Promise<CampaignGraph> {
    await this.indexes.core;
    const rows = await this.db.rows(
      `WITH m AS (SELECT unnest($1::VARCHAR[]) AS account_id),
       pairs AS (
         SELECT a.kind, a.value, a.account_id FROM memory.art a SEMI JOIN m USING (account_id)
          WHERE a.kind IN ('ip', 'subnet', 'tls_fingerprint', 'user_agent', 'payment_fingerprint', 'email_domain')),
       inside AS (SELECT kind, value, count(*) AS k FROM pairs GROUP BY ALL HAVING count(*) >= 2),
       keep AS (SELECT i.kind, i.value, i.k FROM inside i JOIN memory.artdeg d USING (kind, value)
                 WHERE i.k >= ${GRAPH_MIN_INSIDE_SHARE} * d.holders),
       ranked AS (SELECT kind, value, k,
                         row_number() OVER (ORDER BY k DESC, kind, value) AS r,
                         sum(k) OVER (ORDER BY k DESC, kind, value ROWS UNBOUNDED PRECEDING) AS edges
                    FROM keep),
       shown AS (SELECT * FROM ranked WHERE r <= ${GRAPH_MAX_ARTIFACTS} AND edges <= ${GRAPH_MAX_EDGES})
       SELECT p.kind, p.value, p.account_id, s.k::DOUBLE AS holders,
              ((SELECT count(*) FROM ranked) - (SELECT count(*) FROM shown))::DOUBLE AS dropped
         FROM pairs p JOIN shown s USING (kind, value)
        ORDER BY s.r, p.account_id`,
      [members(ids)],
    );
    const listed = new Set<string>();
    for (const [kind, values] of Object.entries(indicators))
      for (const v of values) listed.add(`${kind}:${v}`);
    const nodes: GraphNode[] = ids.map((id) => ({
      id: `a:${id}`,
      kind: 'account',
      label: id,
      weight: scores.get(id) ?? 0,
      indicator: false,
    }));
    const seen = new Set<string>();
    const edges: [string, string][] = [];
    for (const r of rows) {
      const kind = str(r.kind) ?? '';
      const value = str(r.value) ?? '';
      const key = `${kind}:${value}`;
      if (!seen.has(key)) {
        seen.add(key);
        nodes.push({
          id: `x:${key}`,
          kind,
          label: value,
          weight: num(r.holders),
          indicator: listed.has(key),
        });
      }
      edges.push([`a:${str(r.account_id) ?? ''}`, `x:${key}`]);
    }
    return { nodes, edges, truncated: num(rows[0]?.dropped) };
  }

  /** A few prompts of the campaign: the latest exchange of each of its largest accounts (from
   * memory.recent), read by `seq` (the largest accounts' latest exchanges mostly share a few row
   * groups, so this is a few queries). */
  async sampleRows(ids: readonly string[], n = SAMPLE_PROMPTS): Promise<SampleText[]> {
    await this.indexes.ready;
    const top = await this.db.rows(
      `WITH top AS (SELECT account_id, acct_no FROM memory.acct
                     WHERE account_id IN (SELECT unnest($1::VARCHAR[]))
                     ORDER BY exchanges DESC, account_id LIMIT ${n})
       SELECT r.seq::DOUBLE AS seq FROM memory.recent r JOIN top t USING (acct_no)
       QUALIFY row_number() OVER (PARTITION BY r.acct_no ORDER BY r.ts DESC, r.seq DESC) = 1`,
      [members(ids)],
    );
    if (top.length === 0) return [];
    const rows = await this.fetchBySeq(
      top.map((t) => num(t.seq)),
      'account_id, ts::DOUBLE AS ts, model, request_id, prompt, prompt_fingerprint',
    );
    rows.sort((a, b) => ((str(a.account_id) ?? '') < (str(b.account_id) ?? '') ? -1 : 1));
    return rows.map((r) => ({
      account_id: str(r.account_id) ?? '',
      ts: toRfc3339(num(r.ts)),
      model: str(r.model),
      request_id: str(r.request_id),
      prompt: str(r.prompt),
      prompt_fingerprint: str(r.prompt_fingerprint),
    }));
  }

  /** Accounts holding an artifact (exact value) or, for IPs, any address in a CIDR range. */
  async holders(
    kind: 'ip' | 'end_user' | 'payment_fingerprint',
    value: string,
    limit: number,
  ): Promise<{ hits: { account_id: string; matches: number }[]; partial: boolean }> {
    await this.indexes.core;
    const rows = await this.db.rows(
      `SELECT account_id, sum(n)::DOUBLE AS n FROM memory.art WHERE kind = $1 AND value = $2
        GROUP BY account_id ORDER BY n DESC, account_id LIMIT ${limit + 1}`,
      [kind, value],
    );
    return hitsOf(rows, limit);
  }

  /** IPv4 addresses in [lo, hi] (as 32-bit integers); `textPrefix` narrows the scan (whole octets). */
  async ipRange(
    lo: number,
    hi: number,
    textPrefix: string,
    limit: number,
  ): Promise<{ hits: { account_id: string; matches: number }[]; partial: boolean }> {
    await this.indexes.core;
    const asInt = `(split_part(value, '.', 1)::UBIGINT * 16777216 + split_part(value, '.', 2)::UBIGINT * 65536
                    + split_part(value, '.', 3)::UBIGINT * 256 + split_part(value, '.', 4)::UBIGINT)`;
    const rows = await this.db.rows(
      `SELECT account_id, sum(n)::DOUBLE AS n FROM memory.art
        WHERE kind = 'ip' AND starts_with(value, $1) AND NOT contains(value, ':')
          AND ${asInt} BETWEEN ${lo} AND ${hi}
        GROUP BY account_id ORDER BY n DESC, account_id LIMIT ${limit + 1}`,
      [textPrefix],
    );
    return hitsOf(rows, limit);
  }

  /** IPv6 addresses whose text starts with the given groups (a /16, /32, /48 … written out). */
  async ipv6Prefix(
    prefix: string,
    limit: number,
  ): Promise<{ hits: { account_id: string; matches: number }[]; partial: boolean }> {
    await this.indexes.core;
    const rows = await this.db.rows(
      `SELECT account_id, sum(n)::DOUBLE AS n FROM memory.art
        WHERE kind = 'ip' AND starts_with(value, $1)
        GROUP BY account_id ORDER BY n DESC, account_id LIMIT ${limit + 1}`,
      [prefix],
    );
    return hitsOf(rows, limit);
  }

  async accountIds(
    fragment: string,
    limit: number,
  ): Promise<{ hits: { account_id: string; matches: number }[]; partial: boolean }> {
    await this.indexes.core;
    const rows = await this.db.rows(
      `SELECT account_id, max(n)::DOUBLE AS n FROM (
         SELECT account_id, exchanges AS n FROM memory.acct WHERE contains(lower(account_id), lower($1))
         UNION ALL SELECT account_id, 0 FROM accounts WHERE contains(lower(account_id), lower($1)))
        GROUP BY account_id ORDER BY starts_with(lower(account_id), lower($1)) DESC, n DESC, account_id
        LIMIT ${limit + 1}`,
      [fragment],
    );
    return hitsOf(rows, limit);
  }

  /**
   * Accounts whose prompts follow a template. `query` is a template key as hunt's indicators
   * show it ("head: …"), a pasted prompt (its key is computed), or a dgfp1 fingerprint (16 hex
   * digits: near duplicates within NEAR_DUPLICATE_DISTANCE bits, over stored fingerprints).
   */
  async template(
    query: string,
    limit: number,
  ): Promise<{ matched: string; hits: { account_id: string; matches: number }[]; partial: boolean }> {
    const q = query.trim();
    if (isFingerprint(q.toLowerCase())) {
      const rows = await this.db.rows(
        `SELECT account_id, count(*)::DOUBLE AS n FROM exchanges
          WHERE prompt_fingerprint IS NOT NULL
            AND bit_count(xor(('0x' || prompt_fingerprint)::UBIGINT, ('0x' || $1)::UBIGINT)) <= ${NEAR_DUPLICATE_DISTANCE}
          GROUP BY account_id ORDER BY n DESC, account_id LIMIT ${limit + 1}`,
        [q.toLowerCase()],
      );
      return {
        matched: `${FINGERPRINT_VERSION} ${q.toLowerCase()} ±${NEAR_DUPLICATE_DISTANCE} bits`,
        ...hitsOf(rows, limit),
      };
    }
    const key = q.startsWith('head: ') ? q : templateKeys(q)[0];
    if (key === undefined)
      return { matched: '(prompt too short to have a template)', hits: [], partial: false };
    const words = key
      .slice('head: '.length)
      .split(' ')
      .filter((w) => !w.startsWith('<') && w.length >= 3)
      .sort((a, b) => b.length - a.length || (a < b ? -1 : 1))
      .slice(0, TEMPLATE_FILTER_WORDS);
    const where = words.map((w) => `contains(lower(prompt), ${lit(w.toLowerCase())})`).join(' AND ');
    const rows = await this.db.rows(
      `SELECT account_id, prompt[1:4000] AS prompt FROM exchanges
        WHERE prompt IS NOT NULL ${where === '' ? '' : `AND ${where}`} LIMIT ${TEMPLATE_CANDIDATES + 1}`,
    );
    const counts = new Map<string, number>();
    for (const r of rows.slice(0, TEMPLATE_CANDIDATES)) {
      const p = str(r.prompt);
      if (p !== null && templateKeys(p)[0] === key) {
        const id = str(r.account_id) ?? '';
        counts.set(id, (counts.get(id) ?? 0) + 1);
      }
    }
    const hits = [...counts.entries()]
      .map(([account_id, matches]) => ({ account_id, matches }))
      .sort((a, b) => b.matches - a.matches || (a.account_id < b.account_id ? -1 : 1));
    return {
      matched: key,
      hits: hits.slice(0, limit),
      partial: hits.length > limit || rows.length > TEMPLATE_CANDIDATES,
    };
  }
}

/** A sampled exchange with its text, before redaction (the route applies `sampleView`). */
export interface SampleText {
  account_id: string;
  ts: string;
  model: string | null;
  request_id: string | null;
  prompt: string | null;
  prompt_fingerprint: string | null;
}

export function sampleView(s: SampleText, raw: boolean): SampleRow {
  const { prompt, prompt_fingerprint, ...rest } = s;
  return { ...rest, ...promptView(prompt, prompt_fingerprint, raw) };
}

function hitsOf(
  rows: Row[],
  limit: number,
): { hits: { account_id: string; matches: number }[]; partial: boolean } {
  return {
    hits: rows.slice(0, limit).map((r) => ({ account_id: str(r.account_id) ?? '', matches: num(r.n) })),
    partial: rows.length > limit,
  };
}
