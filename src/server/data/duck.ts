/**
 * Read-only access to the store's DuckDB file for the dashboard. The store file is ATTACHed
 * READ_ONLY to an in-memory database: `DuckDbStore.open` creates its tables and so cannot open
 * a read-only file, and an instance opened read-only cannot hold the in-memory tables the
 * server builds (indexes.ts). Read-only means several `serve` processes may share the file, but
 * no writer (ingest, hunt) may hold it at the same time: DuckDB locks the file.
 */
import { existsSync } from 'node:fs';
import type { JS } from '@duckdb/node-api';
import { type DuckDBConnection, DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import { SCHEMA_VERSION } from '../../store/index.js';
import { ServeConfigError } from '../errors.js';

/** Connections kept open: DuckDB runs one statement at a time per connection, and the
 * dashboard asks for several panels at once. More than the cores buys nothing here. */
export const POOL_SIZE = 4;
/** Name of the attached store inside the in-memory database. */
export const STORE_DB = 'st';

export type Row = Record<string, JS>;
export type Params = DuckDBValue[];

export interface DuckOptions {
  /** DuckDB memory_limit (spills beyond it). */
  memoryLimit?: string;
  threads?: number;
}

export class DuckReader {
  private readonly idle: DuckDBConnection[] = [];
  private readonly waiting: ((c: DuckDBConnection) => void)[] = [];
  private closed = false;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly all: DuckDBConnection[],
  ) {
    this.idle.push(...all);
  }

  static async open(path: string, opts: DuckOptions = {}): Promise<DuckReader> {
    if (!existsSync(path)) throw new ServeConfigError('missing_db', `no database at ${path}`);
    const config: Record<string, string> = { memory_limit: opts.memoryLimit ?? '2GB' };
    if (opts.threads !== undefined) config.threads = String(opts.threads);
    const instance = await DuckDBInstance.create(':memory:', config);
    const first = await instance.connect();
    try {
      await first.run(`ATTACH '${path.replaceAll("'", "''")}' AS ${STORE_DB} (READ_ONLY)`);
      const meta = await first.runAndReadAll(
        `SELECT value FROM ${STORE_DB}.dg_meta WHERE key = 'schema_version'`,
      );
      const v = meta.getRows()[0]?.[0];
      if (v !== String(SCHEMA_VERSION))
        throw new ServeConfigError(
          'bad_db',
          `${path}: store schema version ${String(v)}, this build reads version ${SCHEMA_VERSION}`,
        );
    } catch (err) {
      first.closeSync();
      instance.closeSync();
      if (err instanceof ServeConfigError) throw err;
      throw new ServeConfigError(
        'bad_db',
        `${path}: cannot open the store read-only (${(err as Error).message.split('\n')[0]}); ` +
          'is an ingest or hunt writing it?',
      );
    }
    const conns = [first];
    for (let i = 1; i < POOL_SIZE; i++) conns.push(await instance.connect());
    for (const c of conns) await c.run(`USE ${STORE_DB}`);
    return new DuckReader(instance, conns);
  }

  private acquire(): Promise<DuckDBConnection> {
    if (this.closed) return Promise.reject(new Error('reader is closed'));
    const c = this.idle.pop();
    if (c !== undefined) return Promise.resolve(c);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(c: DuckDBConnection): void {
    const w = this.waiting.shift();
    if (w !== undefined) w(c);
    else this.idle.push(c);
  }

  /** Rows as objects of JS values (cast BIGINTs to DOUBLE in SQL to get numbers). */
  async rows(sql: string, params: Params = []): Promise<Row[]> {
    const c = await this.acquire();
    try {
      const r = await c.runAndReadAll(sql, params);
      return r.getRowObjectsJS();
    } finally {
      this.release(c);
    }
  }

  async run(sql: string): Promise<void> {
    const c = await this.acquire();
    try {
      await c.run(sql);
    } finally {
      this.release(c);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.all) c.closeSync();
    this.instance.closeSync();
  }
}

/** A SQL string literal. */
export const lit = (s: string): string => `'${s.replaceAll("'", "''")}'`;

export const num = (v: JS | undefined): number =>
  typeof v === 'number'
    ? v
    : typeof v === 'bigint'
      ? Number(v)
      : v === null || v === undefined
        ? 0
        : Number(v);
export const numOrNull = (v: JS | undefined): number | null =>
  v === null || v === undefined ? null : num(v);
export const str = (v: JS | undefined): string | null =>
  v === null || v === undefined ? null : typeof v === 'string' ? v : String(v);
export const bool = (v: JS | undefined): boolean | null => (typeof v === 'boolean' ? v : null);
