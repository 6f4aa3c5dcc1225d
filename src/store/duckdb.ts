/**
 * DuckDB `Store`: one database file (or ':memory:'), nothing to start.
 *
 * Exchanges, per batch: the records are appended column by column straight into
 * `exchanges` (`duckdb-append.ts`), each with a fresh `seq`; then one
 * `DELETE … WHERE EXISTS` removes the new rows whose key (request_id, else content_hash)
 * already belongs to a row with a smaller seq — stored earlier or earlier in the batch.
 * Batches share one write transaction (see COMMIT_EVERY_ROWS). Duplicates are counted
 * exactly (rows deleted), each row is written once, and there is no PRIMARY KEY index: an ART index over every request_id
 * would have to be built, held in memory and reloaded on open. Measured on 200k
 * exchanges, this used ~18% less CPU than appending to a TEMP staging table and moving
 * the new keys with `INSERT … SELECT … ANTI JOIN` (which writes every row twice).
 * The cost of the duplicate check grows with the rows stored (a scan of the key column
 * per batch); fine to tens of millions, beyond that partition the check by time.
 *
 * Accounts, releases and labels (small) go through a TEMP staging table and an
 * `INSERT … ANTI JOIN` on their key, after dropping in-batch duplicates in JS.
 *
 * Layout: `ts` and other times are BIGINT epoch ms (exact, no time-zone question);
 * fields outside the spec are kept as JSON text in `extra`; exchanges carry
 * `content_hash` (only when there is no request_id) and `seq`, the ingest order, which
 * breaks ties of equal `ts` in scans.
 */
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { Account, Exchange, Label, RecordKind, RecordOf, Release } from '../formats/index.js';
import { ChunkWriter, type ColumnDef, type DerivedColumns } from './duckdb-append.js';
import { DuckDbFeatureSource } from './duckdb-features.js';
import type { FeatureSource } from './features.js';
import { exchangeContentHash } from './keys.js';
import { compareBreakdown } from './memory.js';
import {
  compareKeys,
  type IngestResult,
  type LabelBreakdownRow,
  recordKey,
  SCAN_BATCH_ROWS,
  type ScanOptions,
  type SmallKind,
  type Store,
  type StoreCounts,
  type TimeRange,
} from './port.js';

/**
 * Ingest calls share one write transaction, committed after this many records, before any
 * read, and on close. Per-call commits cost most of the time at a million exchanges
 * (each commit writes its rows through the WAL; measured 18.7 s → 11.9 s for 1M rows in
 * 64k batches): one transaction lets DuckDB write full row groups straight to the file.
 * A failed call rolls back everything since the last commit; ingest is idempotent, so
 * running it again completes it.
 */
export const COMMIT_EVERY_ROWS = 4_194_304;

/** Bumped when the table layout changes; a file written by another version is refused. */
export const SCHEMA_VERSION = 1;

const V = 'VARCHAR' as const;
const I = 'BIGINT' as const;
const D = 'DOUBLE' as const;
const B = 'BOOLEAN' as const;

/** Table layouts. Columns after the record's own fields are derived (extra, keys, order). */
export const TABLES = {
  exchanges: {
    key: 'request_id',
    columns: [
      { name: 'ts', type: I },
      { name: 'account_id', type: V },
      { name: 'ip', type: V },
      { name: 'request_id', type: V },
      { name: 'api_key_id', type: V },
      { name: 'end_user_id', type: V },
      { name: 'user_agent', type: V },
      { name: 'tls_fingerprint', type: V },
      { name: 'forwarded_for', type: V },
      { name: 'endpoint', type: V },
      { name: 'model', type: V },
      { name: 'input_tokens', type: I },
      { name: 'output_tokens', type: I },
      { name: 'status', type: I },
      { name: 'latency_ms', type: D },
      { name: 'turns', type: I },
      { name: 'tool_count', type: I },
      { name: 'reasoning', type: B },
      { name: 'max_tokens', type: I },
      { name: 'temperature', type: D },
      { name: 'system_prompt', type: V },
      { name: 'prompt', type: V },
      { name: 'prompt_fingerprint', type: V },
      { name: 'harvest', type: B },
      { name: 'extra', type: V },
      { name: 'content_hash', type: V },
      { name: 'seq', type: I },
    ],
  },
  accounts: {
    key: 'account_id',
    columns: [
      { name: 'account_id', type: V },
      { name: 'created_at', type: I },
      { name: 'pathway', type: V },
      { name: 'country', type: V },
      { name: 'email_domain', type: V },
      { name: 'payment_fingerprint', type: V },
      { name: 'verified', type: B },
      { name: 'org_name', type: V },
      { name: 'trust', type: V },
      { name: 'extra', type: V },
    ],
  },
  releases: {
    key: 'model',
    columns: [
      { name: 'model', type: V },
      { name: 'released_at', type: I },
      { name: 'extra', type: V },
    ],
  },
  labels: {
    key: 'account_id',
    columns: [
      { name: 'account_id', type: V },
      { name: 'label', type: V },
      { name: 'campaign_id', type: V },
      { name: 'archetype', type: V },
      { name: 'extra', type: V },
    ],
  },
} as const satisfies Record<RecordKind, { key: string; columns: readonly ColumnDef[] }>;

/** Columns that are not fields of the record. */
const DERIVED = new Set(['extra', 'content_hash', 'seq']);
/** Fields that are nullable-but-required: NULL reads back as null, not as absent. */
const NULL_KEPT = new Set(['campaign_id']);

function ddl(kind: RecordKind, table: string, temp: boolean): string {
  const cols = TABLES[kind].columns.map((c) => `"${c.name}" ${c.type}`).join(', ');
  return `CREATE ${temp ? 'TEMP TABLE' : 'TABLE IF NOT EXISTS'} ${table} (${cols})`;
}

function extraJson(records: readonly { extra?: Record<string, unknown> }[]): (string | undefined)[] {
  return records.map((r) => (r.extra === undefined ? undefined : JSON.stringify(r.extra)));
}

/** Turns one row read back (BIGINTs cast to DOUBLE) into a record. */
function toRecord(
  kind: RecordKind,
  names: readonly string[],
  values: readonly unknown[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < names.length; i++) {
    const name = names[i] as string;
    const v = values[i];
    if (name === 'extra') {
      if (typeof v === 'string') out.extra = JSON.parse(v);
    } else if (v !== null && v !== undefined) out[name] = v;
    else if (kind === 'labels' && NULL_KEPT.has(name)) out[name] = null;
  }
  return out;
}

/** One exchange row as JSON text (nulls for absent fields, extra as JSON text) → record. */
function fromJsonRow(text: string): Exchange {
  const row = JSON.parse(text) as Record<string, unknown>;
  // Copied rather than `delete`d: deleting keys would leave V8 objects in slow mode.
  const out: Record<string, unknown> = {};
  for (const k in row) {
    const v = row[k];
    if (v !== null) out[k] = k === 'extra' ? JSON.parse(v as string) : v;
  }
  return out as unknown as Exchange;
}

function selectList(kind: RecordKind): { sql: string; names: string[] } {
  const cols = TABLES[kind].columns.filter((c) => c.name === 'extra' || !DERIVED.has(c.name));
  return {
    sql: cols
      .map((c) => (c.type === 'BIGINT' ? `"${c.name}"::DOUBLE AS "${c.name}"` : `"${c.name}"`))
      .join(', '),
    names: cols.map((c) => c.name),
  };
}

export interface DuckDbStoreOptions {
  /** DuckDB settings passed at open, e.g. { threads: '2', memory_limit: '4GB' }. */
  config?: Record<string, string>;
}

export class DuckDbStore implements Store {
  readonly adapter = 'duckdb';
  private readonly writers = new Map<RecordKind, ChunkWriter>();
  /** Serialises ingest calls and commits: they share one connection and its transaction. */
  private tail: Promise<unknown> = Promise.resolve();
  private inTransaction = false;
  private uncommitted = 0;
  private closed = false;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
    private nextSeq: number,
  ) {}

  static async open(path = ':memory:', opts: DuckDbStoreOptions = {}): Promise<DuckDbStore> {
    const instance = await DuckDBInstance.create(path, opts.config);
    const conn = await instance.connect();
    await conn.run('CREATE TABLE IF NOT EXISTS dg_meta (key VARCHAR PRIMARY KEY, value VARCHAR)');
    const meta = await conn.runAndReadAll(`SELECT value FROM dg_meta WHERE key = 'schema_version'`);
    const found = meta.getRows()[0]?.[0];
    if (found === undefined) {
      await conn.run(`INSERT INTO dg_meta VALUES ('schema_version', '${SCHEMA_VERSION}')`);
    } else if (found !== String(SCHEMA_VERSION)) {
      conn.closeSync();
      instance.closeSync();
      throw new Error(
        `${path}: store schema version ${String(found)}, this build reads version ${SCHEMA_VERSION}`,
      );
    }
    for (const kind of Object.keys(TABLES) as RecordKind[]) {
      await conn.run(ddl(kind, kind, false));
      if (kind !== 'exchanges') await conn.run(ddl(kind, `stage_${kind}`, true));
    }
    const seq = await conn.runAndReadAll('SELECT coalesce(max(seq), 0)::DOUBLE FROM exchanges');
    return new DuckDbStore(instance, conn, Number(seq.getRows()[0]?.[0] ?? 0) + 1);
  }

  ingest<K extends RecordKind>(kind: K, records: readonly RecordOf[K][]): Promise<IngestResult> {
    this.assertOpen();
    return this.serial(async () => {
      if (!this.inTransaction) {
        await this.conn.run('BEGIN TRANSACTION');
        this.inTransaction = true;
      }
      try {
        const result = await this.ingestNow(kind, records);
        this.uncommitted += records.length;
        if (this.uncommitted >= COMMIT_EVERY_ROWS) await this.commit();
        return result;
      } catch (err) {
        this.inTransaction = false;
        this.uncommitted = 0;
        await this.conn.run('ROLLBACK').catch(() => undefined);
        throw err;
      }
    });
  }

  /** Runs `f` after every earlier ingest or commit (they share one connection). */
  private serial<T>(f: () => Promise<T>): Promise<T> {
    const run = this.tail.then(f);
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async commit(): Promise<void> {
    if (!this.inTransaction) return;
    this.inTransaction = false;
    this.uncommitted = 0;
    await this.conn.run('COMMIT');
  }

  /** Waits for pending ingests and commits them, so that every reader sees them. */
  private settled(): Promise<void> {
    this.assertOpen();
    return this.serial(() => this.commit());
  }

  private async ingestNow<K extends RecordKind>(
    kind: K,
    records: readonly RecordOf[K][],
  ): Promise<IngestResult> {
    if (records.length === 0) return { accepted: 0, duplicates: 0 };
    const firstSeq = this.nextSeq;
    const { rows, derived, hashed } = this.prepare(kind, records);
    let writer = this.writers.get(kind);
    if (writer === undefined) {
      writer = new ChunkWriter(TABLES[kind].columns);
      this.writers.set(kind, writer);
    }
    if (kind === 'exchanges')
      return this.ingestExchanges(writer, rows, derived, hashed, firstSeq, records.length);
    const appender = await this.conn.createAppender(`stage_${kind}`, 'main', 'temp');
    try {
      writer.append(appender, rows, derived);
    } finally {
      appender.closeSync();
    }
    try {
      const key = TABLES[kind].key;
      const r = await this.conn.run(
        `INSERT INTO ${kind} SELECT s.* FROM stage_${kind} s ANTI JOIN ${kind} t ON t."${key}" = s."${key}"`,
      );
      return { accepted: r.rowsChanged, duplicates: records.length - r.rowsChanged };
    } finally {
      await this.conn.run(`DELETE FROM stage_${kind}`);
    }
  }

  /**
   * Exchanges skip the staging table: they are appended straight into `exchanges` (in the
   * open write transaction), then the new rows (seq ≥ firstSeq) whose key is taken are
   * deleted. Duplicates are rare, so each row is written once instead of twice (stage,
   * then copy).
   */
  private async ingestExchanges(
    writer: ChunkWriter,
    rows: readonly object[],
    derived: DerivedColumns,
    hashed: boolean,
    firstSeq: number,
    given: number,
  ): Promise<IngestResult> {
    const appender = await this.conn.createAppender('exchanges');
    try {
      writer.append(appender, rows, derived);
    } finally {
      appender.closeSync();
    }
    // A new row is a duplicate when a row with the same key and a smaller seq exists:
    // stored before this batch, or earlier in it.
    let dropped = 0;
    const byId = await this.conn.run(
      `DELETE FROM exchanges n WHERE n.seq >= ${firstSeq} AND n.request_id IS NOT NULL
         AND EXISTS (SELECT 1 FROM exchanges o WHERE o.request_id = n.request_id AND o.seq < n.seq)`,
    );
    dropped += byId.rowsChanged;
    if (hashed) {
      const byHash = await this.conn.run(
        `DELETE FROM exchanges n WHERE n.seq >= ${firstSeq} AND n.request_id IS NULL
           AND EXISTS (SELECT 1 FROM exchanges o WHERE o.content_hash = n.content_hash AND o.seq < n.seq)`,
      );
      dropped += byHash.rowsChanged;
    }
    const accepted = rows.length - dropped;
    return { accepted, duplicates: given - accepted };
  }

  /** Computes the derived columns (and, for small kinds, drops in-batch duplicates: first wins). */
  private prepare(
    kind: RecordKind,
    records: readonly RecordOf[RecordKind][],
  ): { rows: readonly object[]; derived: DerivedColumns; hashed: boolean } {
    if (kind === 'exchanges') {
      // Duplicates inside the batch are left to the DELETE in ingestExchanges (first by
      // seq wins): a JS Set of 64k request_ids cost more than the join that finds them.
      const rows = records as readonly Exchange[];
      const n = rows.length;
      const hashes = new Array<string | undefined>(n);
      const extra = new Array<string | undefined>(n);
      const seq = new Array<number>(n);
      let hashed = false;
      for (let i = 0; i < n; i++) {
        const e = rows[i] as Exchange;
        if (e.request_id === undefined) {
          hashes[i] = exchangeContentHash(e);
          hashed = true;
        }
        if (e.extra !== undefined) extra[i] = JSON.stringify(e.extra);
        seq[i] = this.nextSeq + i;
      }
      this.nextSeq += n;
      return { rows, derived: { extra, content_hash: hashes, seq }, hashed };
    }
    const keyOf =
      kind === 'releases'
        ? (r: RecordOf[RecordKind]) => (r as Release).model
        : (r: RecordOf[RecordKind]) => (r as Account | Label).account_id as string;
    const seen = new Set<string>();
    const rows: RecordOf[RecordKind][] = [];
    for (const r of records) {
      const k = keyOf(r);
      if (seen.has(k)) continue;
      seen.add(k);
      rows.push(r);
    }
    return { rows, derived: { extra: extraJson(rows) }, hashed: false };
  }

  async counts(): Promise<StoreCounts> {
    await this.settled();
    const r = await this.conn.runAndReadAll(
      `SELECT (SELECT count(*) FROM exchanges)::DOUBLE, (SELECT count(*) FROM accounts)::DOUBLE,
              (SELECT count(*) FROM releases)::DOUBLE, (SELECT count(*) FROM labels)::DOUBLE`,
    );
    const [e, a, rl, l] = (r.getRows()[0] ?? []).map(Number);
    return { exchanges: e ?? 0, accounts: a ?? 0, releases: rl ?? 0, labels: l ?? 0 };
  }

  async timeRange(): Promise<TimeRange | null> {
    await this.settled();
    const r = await this.conn.runAndReadAll('SELECT min(ts)::DOUBLE, max(ts)::DOUBLE FROM exchanges');
    const [min, max] = r.getRows()[0] ?? [];
    return typeof min === 'number' && typeof max === 'number' ? { min, max } : null;
  }

  async labelBreakdown(): Promise<LabelBreakdownRow[]> {
    await this.settled();
    const r = await this.conn.runAndReadAll(`
      WITH per_account AS (SELECT account_id, count(*) AS n FROM exchanges GROUP BY account_id)
      SELECT l.label, l.archetype, count(*)::DOUBLE, coalesce(sum(p.n), 0)::DOUBLE
        FROM labels l LEFT JOIN per_account p ON p.account_id = l.account_id
        GROUP BY l.label, l.archetype
      UNION ALL
      SELECT NULL, NULL, count(*)::DOUBLE, coalesce(sum(p.n), 0)::DOUBLE
        FROM per_account p ANTI JOIN labels l ON l.account_id = p.account_id
        HAVING count(*) > 0`);
    return r
      .getRows()
      .map(
        ([label, archetype, accounts, exchanges]): LabelBreakdownRow => ({
          label: label === 'legit' || label === 'attack' ? label : null,
          archetype: typeof archetype === 'string' ? archetype : null,
          accounts: Number(accounts),
          exchanges: Number(exchanges),
        }),
      )
      .sort(compareBreakdown);
  }

  async *scanExchanges(opts: ScanOptions = {}): AsyncIterable<Exchange[]> {
    await this.settled();
    const batchSize = opts.batchSize ?? SCAN_BATCH_ROWS;
    for (const bound of [opts.from, opts.to]) {
      if (bound !== undefined && !Number.isFinite(bound))
        throw new RangeError(`scan bound ${bound} is not a number`);
    }
    const where: string[] = [];
    if (opts.from !== undefined) where.push(`ts >= ${Math.ceil(opts.from)}`);
    if (opts.to !== undefined) where.push(`ts < ${Math.ceil(opts.to)}`);
    const fields = TABLES.exchanges.columns.filter((c) => !DERIVED.has(c.name)).map((c) => `"${c.name}"`);
    // Each row comes back as one JSON text: one string to fetch per row instead of one per
    // field (fetching strings one by one made the scan 3x slower). DuckDB writes numbers
    // in their shortest round-trip form, so values come back exact.
    const sql = `SELECT json_object(${fields.map((f) => `'${f.slice(1, -1)}', ${f}`).join(', ')}, 'extra', extra)::VARCHAR
      FROM exchanges ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ts, seq`;
    // A connection of its own: the caller may ingest or query while it scans.
    const conn = await this.instance.connect();
    try {
      const result = await conn.stream(sql);
      let batch: Exchange[] = [];
      for (;;) {
        const chunk = await result.fetchChunk();
        if (chunk === null || chunk.rowCount === 0) break;
        const rows = chunk.getColumnVector(0);
        for (let j = 0; j < chunk.rowCount; j++) {
          batch.push(fromJsonRow(String(rows.getItem(j))));
          if (batch.length >= batchSize) {
            yield batch;
            batch = [];
          }
        }
      }
      if (batch.length > 0) yield batch;
    } finally {
      conn.closeSync();
    }
  }

  async readAll<K extends SmallKind>(kind: K): Promise<RecordOf[K][]> {
    await this.settled();
    const { sql, names } = selectList(kind);
    const r = await this.conn.runAndReadAll(`SELECT ${sql} FROM ${kind}`);
    return r
      .getRows()
      .map((row) => toRecord(kind, names, row) as unknown as RecordOf[K])
      .sort((a, b) => compareKeys(recordKey(kind, a), recordKey(kind, b)));
  }

  /** The bulk reads of the batch detector, each on a connection of its own (features.ts). */
  features(): FeatureSource {
    return new DuckDbFeatureSource(async () => {
      await this.settled();
      return this.instance.connect();
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.serial(() => this.commit());
    this.closed = true;
    this.conn.closeSync();
    this.instance.closeSync();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('store is closed');
  }
}

/** Opens (creating if needed) a DuckDB store; ':memory:' for a throw-away one. */
export function openDuckDbStore(path = ':memory:', opts: DuckDbStoreOptions = {}): Promise<DuckDbStore> {
  return DuckDbStore.open(path, opts);
}
