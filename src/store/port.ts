/**
 * The `Store` port: where validated records are kept and what the later stages ask of
 * them. Adapters: `memory` (tests, small runs) and `duckdb` (the embedded default). Both
 * run the one contract suite in `test-support/contract.ts` (STYLE.md §3).
 *
 * Idempotence: ingesting the same records twice stores them once. The first record with
 * a given key wins and later ones are counted as duplicates (for every kind; a changed
 * account is therefore not updated by re-ingesting it: records are facts, not edits).
 * Keys: exchanges by `request_id`, or by a content hash of the whole record (extra
 * included) when it has none; accounts and labels by `account_id`; releases by `model`.
 */
import type { Exchange, RecordKind, RecordOf } from '../formats/index.js';

/** What one `ingest` call did: accepted + duplicates = records given. */
export interface IngestResult {
  accepted: number;
  duplicates: number;
}

/** Kinds small enough to read whole (thousands to a few million records). */
export type SmallKind = Exclude<RecordKind, 'exchanges'>;

export type StoreCounts = { [K in RecordKind]: number };

/** Earliest and latest exchange time, epoch ms (inclusive). */
export interface TimeRange {
  min: number;
  max: number;
}

/**
 * One line of the ground-truth breakdown: accounts labelled (label, archetype) and the
 * exchanges they sent. Accounts that sent exchanges but carry no label are grouped under
 * `label: null, archetype: null`.
 */
export interface LabelBreakdownRow {
  label: 'legit' | 'attack' | null;
  archetype: string | null;
  accounts: number;
  exchanges: number;
}

export interface ScanOptions {
  /** Exchanges per yielded batch (default SCAN_BATCH_ROWS). */
  batchSize?: number;
  /** Only exchanges with ts ≥ from (epoch ms). */
  from?: number;
  /** Only exchanges with ts < to (epoch ms). */
  to?: number;
}

/** Default batch of `scanExchanges`: a few DuckDB vectors (2048 rows each). */
export const SCAN_BATCH_ROWS = 8192;

export interface Store {
  /** Adapter name, for messages and reports ('memory', 'duckdb'). */
  readonly adapter: string;
  /** Stores a batch of validated records of one kind; see the file header for keys. */
  ingest<K extends RecordKind>(kind: K, records: readonly RecordOf[K][]): Promise<IngestResult>;
  counts(): Promise<StoreCounts>;
  /** Every stored record of a small kind (accounts, releases, labels), sorted by key. */
  readAll<K extends SmallKind>(kind: K): Promise<RecordOf[K][]>;
  /** null when there are no exchanges. */
  timeRange(): Promise<TimeRange | null>;
  /** Sorted by label (attack, legit, then null), then archetype. */
  labelBreakdown(): Promise<LabelBreakdownRow[]>;
  /**
   * Exchanges in time order (ties in ingest order), in batches, holding one batch at a
   * time: the stages after ingest stream through the store with it.
   */
  scanExchanges(opts?: ScanOptions): AsyncIterable<Exchange[]>;
  close(): Promise<void>;
}

/** Key of a small-kind record: account_id, or model for releases. */
export function recordKey(kind: SmallKind, r: RecordOf[SmallKind]): string {
  return kind === 'releases'
    ? (r as RecordOf['releases']).model
    : (r as RecordOf['accounts' | 'labels']).account_id;
}

/** Code-unit order, the same in every adapter (SQL collations differ). */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Makes a fresh store (for the contract suite and the assembly code). */
export type StoreFactory = () => Promise<Store>;
