/**
 * What every reader does with one decoded record: the hand-written fast path for
 * well-formed exchanges (fast-exchange.ts), then `validateRecord` for everything else,
 * so all formats accept, repair and reject alike. Also the batch size every reader uses.
 */
import { fastExchange } from './fast-exchange.js';
import { FormatError, type RecordIssue } from './issues.js';
import type { ReadOptions } from './read-types.js';
import type { RecordKind, RecordOf } from './schemas.js';
import { type Validated, validateRecord } from './validate.js';

/** Records per batch: large enough that the per-batch async step is noise, small enough
 * that a batch dies young (the CSV reader measured less GC at 4k than at 64k). */
export const DEFAULT_BATCH_SIZE = 4096;

const NO_REPAIRS: RecordIssue[] = [];

/** The batch size asked for, checked (a bad value is a programmer error). */
export function batchSizeOf(opts: ReadOptions): number {
  const batchSize = opts.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new FormatError('bad_option', `batchSize must be a positive integer, got ${batchSize}`);
  }
  return batchSize;
}

/** Validates one freshly decoded record (which it may normalise in place). */
export function checkRecord<K extends RecordKind>(
  kind: K,
  obj: Record<string, unknown>,
  file: string,
  line: number,
): Validated<RecordOf[K]> {
  if (kind === 'exchanges') {
    const fast = fastExchange(obj);
    if (fast !== undefined) return { ok: true, record: fast as RecordOf[K], repairs: NO_REPAIRS };
  }
  return validateRecord(kind, obj, file, line);
}
