import type { RecordIssue } from './issues.js';
import type { RecordKind, RecordOf } from './schemas.js';

/** Input file formats the readers understand. */
export const INPUT_FORMATS = ['jsonl', 'csv', 'parquet', 'otlp'] as const;
export type InputFormat = (typeof INPUT_FORMATS)[number];

/**
 * What every reader yields: validated records in batches (one async step per batch, not
 * per record, keeps the hot path cheap), with the 1-based line (or row) each came from,
 * and the issues found in the same stretch of input.
 *
 * Per batch: records.length + (issues with action 'rejected') = records read in it.
 */
export interface RecordBatch<T> {
  records: T[];
  lines: number[];
  issues: RecordIssue[];
  /** Input bytes consumed so far (compressed bytes for .gz), for progress bars. */
  bytesRead: number;
}

export interface ReadOptions {
  /** Force a format instead of guessing from the file name. */
  format?: InputFormat;
  /** Records per batch (default 4096). */
  batchSize?: number;
}

/** A source of validated records of one kind, e.g. one file. */
export type RecordStream<K extends RecordKind> = AsyncIterable<RecordBatch<RecordOf[K]>>;
