/** Opens any supported input file as a stream of validated record batches. */
import { readCsv } from './csv.js';
import { FormatError } from './issues.js';
import { readJsonl } from './jsonl.js';
import { checkReadable } from './lines.js';
import { readOtlp } from './otlp.js';
import { readParquet } from './parquet.js';
import { INPUT_FORMATS, type InputFormat, type ReadOptions, type RecordStream } from './read-types.js';
import type { RecordKind } from './schemas.js';

/** Guesses the format from the file name; undefined when the name says nothing. */
export function formatFromName(path: string): InputFormat | undefined {
  const name = path.toLowerCase().replace(/\.gz$/, '');
  if (name.endsWith('.otlp.json') || name.endsWith('.otlp.jsonl')) return 'otlp';
  if (name.endsWith('.jsonl') || name.endsWith('.ndjson') || name.endsWith('.json')) return 'jsonl';
  if (name.endsWith('.csv')) return 'csv';
  if (name.endsWith('.parquet') || name.endsWith('.pq')) return 'parquet';
  return undefined;
}

/** Guesses the record kind from the file name (`exchanges*.jsonl`, `accounts.csv` …). */
export function kindFromName(path: string): RecordKind | undefined {
  const base = (path.split(/[\\/]/).pop() ?? path).toLowerCase();
  for (const kind of ['exchanges', 'accounts', 'releases', 'labels'] as const) {
    if (base.startsWith(kind)) return kind;
  }
  if (formatFromName(path) === 'otlp') return 'exchanges';
  return undefined;
}

/**
 * Opens `path` as records of `kind`. Throws FormatError at once when the file is missing
 * or its format cannot be known; bad records inside it are reported in the batches.
 */
export function openRecords<K extends RecordKind>(
  path: string,
  kind: K,
  opts: ReadOptions = {},
): RecordStream<K> {
  checkReadable(path);
  const format = opts.format ?? formatFromName(path);
  if (format === undefined) {
    throw new FormatError(
      'unknown_format',
      `${path}: cannot tell the format from the name; use one of .jsonl, .ndjson, .csv, .parquet, .otlp.json (optionally .gz) or pass a format (${INPUT_FORMATS.join(', ')})`,
      path,
    );
  }
  switch (format) {
    case 'jsonl':
      return readJsonl(path, kind);
    case 'csv':
      return readCsv(path, kind, opts);
    case 'parquet':
      return readParquet(path, kind, opts);
    case 'otlp':
      if (kind !== 'exchanges') {
        throw new FormatError('bad_option', `${path}: OTLP spans carry exchanges only, not ${kind}`, path);
      }
      return readOtlp(path, opts) as RecordStream<K>;
    default: {
      const never: never = format;
      throw new FormatError('unknown_format', `unknown format ${String(never)}`, path);
    }
  }
}
