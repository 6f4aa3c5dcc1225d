/**
 * CSV reader (RFC 4180) for every record kind, plain or gzip'd.
 *
 * Records are framed on the raw bytes (the CSV delimiters are ASCII, so a UTF-8 sequence can
 * never be mistaken for one): that keeps each record's bytes at hand for the UTF-8 check and
 * lets a record over MAX_RECORD_BYTES be skipped without ever being held in memory. A record
 * without a quote takes a fast path (one decode, one `split`); a quoted one goes through a
 * small state machine. The header row names the columns (the JSON field names); cells are
 * coerced to each field's wire type (FIELD_TYPES) and every record then goes through
 * `validateRecord`, so CSV rejects and repairs exactly as the other formats do.
 *
 * Leniencies, on purpose: a blank line is skipped (not a record); a quote inside an unquoted
 * cell is kept as a literal character; CRLF and LF may be mixed.
 */

import { isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { batchSizeOf, checkRecord } from './check.js';
import { FormatError, type RecordIssue } from './issues.js';
import { MAX_LINE_BYTES } from './lines.js';
import type { ReadOptions, RecordBatch, RecordStream } from './read-types.js';
import type { RecordKind, RecordOf } from './schemas.js';
import { FIELD_TYPES, type FieldType } from './validate.js';

/** A CSV record longer than this is skipped unread: the JSON Lines reader's line limit, so
 * that a record too long for one format is too long for the other. */
export const MAX_RECORD_BYTES = MAX_LINE_BYTES;

/** Read size: large enough that a long record spans few chunks, small enough to stay cheap. */
const READ_CHUNK_BYTES = 1024 * 1024;

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const COMMA = 0x2c;

/** Framing states, carried across chunk boundaries. */
const FIELD_START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
const QUOTE_IN_QUOTED = 3;

/** An input file's bytes, gunzipped when the file starts with the gzip magic number. */
export interface ByteSource {
  chunks: AsyncIterable<Buffer>;
  /** Bytes consumed from the file itself (compressed bytes for gzip). */
  bytesRead: () => number;
  gzip: boolean;
}

/** Opens a file for streaming; a missing file or a directory is a FormatError. */
export async function openByteSource(path: string): Promise<ByteSource> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new FormatError('file_not_found', `${path}: no such file`, path);
    if (code === 'EISDIR') throw new FormatError('not_a_file', `${path} is a directory`, path);
    throw new FormatError('unreadable', `${path}: ${(err as Error).message}`, path);
  }
  let gzip = false;
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new FormatError('not_a_file', `${path} is not a regular file`, path);
    const magic = Buffer.alloc(2);
    const { bytesRead } = await handle.read(magic, 0, 2, 0);
    gzip = bytesRead === 2 && magic[0] === 0x1f && magic[1] === 0x8b;
  } finally {
    await handle.close();
  }
  const file = createReadStream(path, { highWaterMark: READ_CHUNK_BYTES });
  if (!gzip) return { chunks: file, bytesRead: () => file.bytesRead, gzip };
  const gunzip = createGunzip({ chunkSize: READ_CHUNK_BYTES });
  file.on('error', (err) => gunzip.destroy(err));
  // a consumer that stops early destroys the gunzip stream; the file must close with it
  gunzip.on('close', () => file.destroy());
  file.pipe(gunzip);
  return { chunks: gunzip as Readable, bytesRead: () => file.bytesRead, gzip };
}

/** True for the error zlib raises when a gzip stream stops before its end. */
export function isTruncatedGzip(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'Z_BUF_ERROR' || (err instanceof Error && /unexpected end of file/i.test(err.message));
}

/** Decodes bytes as UTF-8; null when they are not valid UTF-8. Cheap in the common case:
 * the exact check runs only when the lenient decode produced a replacement character. */
export function decodeUtf8(buf: Buffer, start: number, end: number): string | null {
  const text = buf.toString('utf8', start, end);
  if (text.includes('\uFFFD') && !isUtf8(buf.subarray(start, end))) return null;
  return text;
}

/** Buffer's own slice decoders: `toString(enc, a, b)` wraps them with argument checks that
 * cost ~10% of the CSV hot path. Not in Node's typings, hence the feature test. */
interface SliceDecoders {
  utf8Slice(start: number, end: number): string;
  latin1Slice(start: number, end: number): string;
}
const proto = Buffer.prototype as Partial<SliceDecoders>;
const utf8Slice: (buf: Buffer, a: number, b: number) => string =
  typeof proto.utf8Slice === 'function'
    ? (buf, a, b) => (buf as Buffer & SliceDecoders).utf8Slice(a, b)
    : (buf, a, b) => buf.toString('utf8', a, b);
const latin1Slice: (buf: Buffer, a: number, b: number) => string =
  typeof proto.latin1Slice === 'function'
    ? (buf, a, b) => (buf as Buffer & SliceDecoders).latin1Slice(a, b)
    : (buf, a, b) => buf.toString('latin1', a, b);

type Coerce = (cell: string) => unknown;
/** Marker returned by a coercer for a cell that is not of the field's type. */
const NOT_COERCIBLE = Symbol('not-coercible');

const NUMBER_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INTEGER_RE = /^[+-]?\d+$/;

function coerceNumber(cell: string): unknown {
  const s = cell.trim();
  return NUMBER_RE.test(s) ? Number(s) : NOT_COERCIBLE;
}
function coerceInteger(cell: string): unknown {
  const s = cell.trim();
  if (INTEGER_RE.test(s)) return Number(s);
  // "12.0" is an integer written by a float-minded exporter; "12.5" goes on to fail as not an integer.
  return NUMBER_RE.test(s) ? Number(s) : NOT_COERCIBLE;
}
function coerceBoolean(cell: string): unknown {
  switch (cell.trim().toLowerCase()) {
    case 'true':
    case '1':
      return true;
    case 'false':
    case '0':
      return false;
    default:
      return NOT_COERCIBLE;
  }
}
const identity: Coerce = (cell) => cell;

function coercerFor(type: FieldType | undefined): Coerce {
  switch (type) {
    case 'integer':
      return coerceInteger;
    case 'number':
      return coerceNumber;
    case 'boolean':
      return coerceBoolean;
    // timestamps stay text: validateRecord parses RFC 3339 and epoch-millisecond strings alike
    case 'timestamp':
    case 'string':
    case 'nullable_string':
    case undefined:
      return identity;
  }
}

/** How the byte-level path reads a column (see simpleRecord). */
const TEXT_CELL = 0;
const INTEGER_CELL = 1;
const NUMBER_CELL = 2;
const BOOLEAN_CELL = 3;

function cellKind(type: FieldType | undefined): number {
  if (type === 'integer') return INTEGER_CELL;
  if (type === 'number') return NUMBER_CELL;
  if (type === 'boolean') return BOOLEAN_CELL;
  return TEXT_CELL;
}

/** Longest digit run parsed by hand: 15 digits stay below 2^53, so the sum is exact. */
const MAX_FAST_DIGITS = 15;

/** An optionally signed run of ASCII digits → its value; NOT_COERCIBLE for anything else
 * (the caller then retries on the decoded text, which also accepts spaces and "12.0"). */
function integerFromBytes(buf: Buffer, a: number, b: number): number | typeof NOT_COERCIBLE {
  let i = a;
  const sign = buf[i];
  if (sign === 0x2d || sign === 0x2b) i++;
  if (i === b || b - i > MAX_FAST_DIGITS) return NOT_COERCIBLE;
  let v = 0;
  for (; i < b; i++) {
    const d = buf[i]! - 48;
    if (d < 0 || d > 9) return NOT_COERCIBLE;
    v = v * 10 + d;
  }
  return sign === 0x2d ? -v : v;
}

/**
 * Shares the repeated values of a text column (account ids, models, user agents…) so that a
 * batch holds one string per distinct value instead of one per record: what a young-generation
 * collection must copy shrinks with it (JSON.parse does the same for short strings).
 * A column whose values rarely repeat (request ids) switches itself off after a trial.
 */
export class Interner {
  private readonly map = new Map<string, string>();
  private lookups = 0;
  private hits = 0;
  private on = true;
  get(s: string): string {
    if (!this.on || s.length > INTERN_MAX_CHARS) return s;
    const v = this.map.get(s);
    if (v !== undefined) {
      this.hits++;
      return v;
    }
    if (++this.lookups >= INTERN_TRIAL && this.hits < this.lookups) {
      // fewer hits than misses over the trial: not worth a hash lookup per cell
      this.on = false;
      this.map.clear();
      return s;
    }
    if (this.map.size < INTERN_MAX_ENTRIES) this.map.set(s, s);
    return s;
  }
}
/** Values longer than this are not shared (prompts, long headers): they rarely repeat. */
const INTERN_MAX_CHARS = 256;
/** Distinct values kept per column: bounds the memory of the cache. */
const INTERN_MAX_ENTRIES = 65_536;
/** Misses counted before a column's cache is judged. */
const INTERN_TRIAL = 8192;

interface Columns {
  names: string[];
  intern: Interner[];
  kinds: number[];
  coerce: Coerce[];
  /** The cell type of each column, for the wrong_type reason. */
  types: (FieldType | undefined)[];
}

function columnsFor(kind: RecordKind, header: string[], file: string): Columns {
  const types = FIELD_TYPES[kind] as Record<string, FieldType>;
  const seen = new Set<string>();
  const names: string[] = [];
  for (const raw of header) {
    const name = raw.trim();
    if (name === '')
      throw new FormatError('unreadable', `${file}: the CSV header has an empty column name`, file);
    if (seen.has(name))
      throw new FormatError('unreadable', `${file}: the CSV header repeats column "${name}"`, file);
    seen.add(name);
    names.push(name);
  }
  const colTypes = names.map((n): FieldType | undefined =>
    // `harvest` is the simulator's ground-truth flag (formats.md), a boolean outside FIELD_TYPES
    Object.hasOwn(types, n) ? types[n] : kind === 'exchanges' && n === 'harvest' ? 'boolean' : undefined,
  );
  return {
    names,
    intern: names.map(() => new Interner()),
    kinds: colTypes.map(cellKind),
    coerce: colTypes.map(coercerFor),
    types: colTypes,
  };
}

/** Splits a record that contains quotes into its cells (the framing already found its end). */
function splitQuoted(text: string): { cells: string[]; malformed: boolean } {
  const cells: string[] = [];
  let malformed = false;
  let i = 0;
  const n = text.length;
  for (;;) {
    if (text.charCodeAt(i) === QUOTE) {
      let cell = '';
      let from = i + 1;
      let j = from;
      let closed = false;
      for (;;) {
        j = text.indexOf('"', j);
        if (j === -1) break;
        if (text.charCodeAt(j + 1) === QUOTE) {
          cell += text.slice(from, j + 1);
          j += 2;
          from = j;
          continue;
        }
        closed = true;
        break;
      }
      if (!closed) {
        // only reachable for the last record of a file whose quote never closes
        cells.push(cell + text.slice(from));
        return { cells, malformed: true };
      }
      cell += text.slice(from, j);
      i = j + 1;
      const comma = text.indexOf(',', i);
      const stop = comma === -1 ? n : comma;
      if (stop > i) {
        // characters after the closing quote: `"ab"cd` is not RFC 4180
        malformed = true;
        cell += text.slice(i, stop);
      }
      cells.push(cell);
      if (comma === -1) return { cells, malformed };
      i = comma + 1;
    } else {
      const comma = text.indexOf(',', i);
      if (comma === -1) {
        cells.push(text.slice(i));
        return { cells, malformed };
      }
      cells.push(text.slice(i, comma));
      i = comma + 1;
    }
  }
}

/** Reads a CSV (or gzip'd CSV) file of one record kind. */
export async function* readCsv<K extends RecordKind>(
  path: string,
  kind: K,
  opts: ReadOptions = {},
): RecordStream<K> {
  const batchSize = batchSizeOf(opts);
  const source = await openByteSource(path);
  const file = path;

  let columns: Columns | null = null;
  let records: RecordOf[K][] = [];
  let lines: number[] = [];
  let issues: RecordIssue[] = [];

  const reject = (line: number, field: string | null, code: RecordIssue['code'], reason: string): void => {
    issues.push({ file, line, field, code, reason, action: 'rejected' });
  };

  /**
   * A record without quotes, read cell by cell straight from the bytes: no line string, no
   * cell array, integers without any string. This is the hot path, and what it saves is
   * mostly garbage-collector time (records are held a whole batch long, and every string
   * sliced from a shared line string keeps that line alive with it).
   */
  const simpleRecord = (buf: Buffer, s: number, e: number, line: number, cols: Columns): void => {
    const ncols = cols.names.length;
    const obj: Record<string, unknown> = {};
    let c = 0;
    let a = s;
    let replacement = false; // a decoded cell holds U+FFFD: the bytes may not be UTF-8
    let badCol = -1; // first cell that does not coerce
    for (;;) {
      let b = buf.indexOf(COMMA, a);
      if (b === -1 || b > e) b = e;
      if (c < ncols && badCol === -1) {
        if (b > a) {
          let v: unknown;
          switch (cols.kinds[c]) {
            case INTEGER_CELL:
              v = integerFromBytes(buf, a, b);
              if (v === NOT_COERCIBLE) v = coerceInteger(utf8Slice(buf, a, b));
              break;
            case NUMBER_CELL:
              v = coerceNumber(latin1Slice(buf, a, b));
              break;
            case BOOLEAN_CELL:
              v = coerceBoolean(latin1Slice(buf, a, b));
              break;
            default: {
              const t = utf8Slice(buf, a, b);
              if (t.includes('\uFFFD')) replacement = true;
              v = cols.intern[c]!.get(t);
            }
          }
          if (v === NOT_COERCIBLE) badCol = c;
          else obj[cols.names[c]!] = v;
        } else if (cols.types[c] === 'nullable_string') {
          obj[cols.names[c]!] = null; // empty = absent, but a nullable field reads it as null
        }
      }
      c++;
      if (b === e) break;
      a = b + 1;
    }
    const rejecting = badCol !== -1 || c !== ncols;
    if ((replacement || rejecting) && !isUtf8(buf.subarray(s, e))) {
      reject(line, null, 'invalid_utf8', 'the record is not valid UTF-8');
      return;
    }
    if (c !== ncols) {
      reject(line, null, 'bad_csv', `${c} cells where the header has ${ncols}`);
      return;
    }
    if (badCol !== -1) {
      // find the offending cell again for the reason (rare: only for rejected records)
      const cell = buf.toString('utf8', s, e).split(',')[badCol] ?? '';
      const name = cols.names[badCol]!;
      reject(
        line,
        name,
        'wrong_type',
        `${name}: ${JSON.stringify(cell.slice(0, 40))} is not a ${cols.types[badCol]}`,
      );
      return;
    }
    const res = checkRecord(kind, obj, file, line);
    if (res.ok) {
      records.push(res.record);
      lines.push(line);
      for (const r of res.repairs) issues.push(r);
    } else {
      issues.push(res.issue);
    }
  };

  /** One complete record: bytes [start, end) of buf (end excludes the LF), starting at `line`. */
  const onRecord = (
    buf: Buffer,
    start: number,
    end: number,
    line: number,
    quoted: boolean,
    unclosed: boolean,
  ): void => {
    let e = end;
    if (e > start && buf[e - 1] === CR) e--;
    if (e === start) return; // blank line
    let s = start;
    if (
      columns === null &&
      line === 1 &&
      e - s >= 3 &&
      buf[s] === 0xef &&
      buf[s + 1] === 0xbb &&
      buf[s + 2] === 0xbf
    ) {
      s += 3; // UTF-8 byte order mark
    }
    if (columns !== null && !quoted && !unclosed) {
      simpleRecord(buf, s, e, line, columns);
      return;
    }
    const text = decodeUtf8(buf, s, e);
    if (columns === null) {
      if (text === null)
        throw new FormatError('unreadable', `${file}: the CSV header is not valid UTF-8`, file);
      if (unclosed)
        throw new FormatError('unreadable', `${file}: the CSV header has an unclosed quote`, file);
      columns = columnsFor(kind, quoted ? splitQuoted(text).cells : text.split(','), file);
      return;
    }
    if (text === null) {
      reject(line, null, 'invalid_utf8', 'the record is not valid UTF-8');
      return;
    }
    if (unclosed) {
      reject(line, null, 'bad_csv', 'unclosed quote at the end of the file');
      return;
    }
    let cells: string[];
    if (quoted) {
      const split = splitQuoted(text);
      if (split.malformed) {
        reject(line, null, 'bad_csv', 'characters after a closing quote');
        return;
      }
      cells = split.cells;
    } else {
      cells = text.split(',');
    }
    const cols = columns;
    if (cells.length !== cols.names.length) {
      reject(line, null, 'bad_csv', `${cells.length} cells where the header has ${cols.names.length}`);
      return;
    }
    const obj: Record<string, unknown> = {};
    for (let c = 0; c < cells.length; c++) {
      const cell = cells[c]!;
      const name = cols.names[c]!;
      if (cell === '') {
        // empty cell = absent; a nullable field (labels.campaign_id) reads it as null
        if (cols.types[c] === 'nullable_string') obj[name] = null;
        continue;
      }
      const v = cols.coerce[c]!(cell);
      if (v === NOT_COERCIBLE) {
        reject(
          line,
          name,
          'wrong_type',
          `${name}: ${JSON.stringify(cell.slice(0, 40))} is not a ${cols.types[c]}`,
        );
        return;
      }
      obj[name] = v;
    }
    const res = checkRecord(kind, obj, file, line);
    if (res.ok) {
      records.push(res.record);
      lines.push(line);
      for (const r of res.repairs) issues.push(r);
    } else {
      issues.push(res.issue);
    }
  };

  // Framing state of the record in progress.
  let line = 1; // physical line of the next byte
  let recLine = 1; // line where the record in progress started
  let state = FIELD_START;
  let quoted = false; // the record in progress contains a quote
  let pending: Buffer[] = []; // bytes of the record in progress from earlier chunks
  let pendingBytes = 0;
  let skipping = false; // the record in progress is over MAX_RECORD_BYTES and is being skipped

  const endRecord = (buf: Buffer, start: number, end: number, unclosed: boolean): void => {
    if (skipping || pendingBytes + end - start > MAX_RECORD_BYTES) {
      reject(recLine, null, 'line_too_long', `record longer than ${MAX_RECORD_BYTES} bytes skipped`);
    } else if (pendingBytes > 0) {
      pending.push(buf.subarray(start, end));
      const whole = Buffer.concat(pending, pendingBytes + end - start);
      onRecord(whole, 0, whole.length, recLine, quoted, unclosed);
    } else {
      onRecord(buf, start, end, recLine, quoted, unclosed);
    }
    pending = [];
    pendingBytes = 0;
    skipping = false;
    quoted = false;
    state = FIELD_START;
  };

  const takeBatch = (): RecordBatch<RecordOf[K]> => {
    const batch = { records, lines, issues, bytesRead: source.bytesRead() };
    records = [];
    lines = [];
    issues = [];
    return batch;
  };

  let truncated = false;
  try {
    for await (const chunk of source.chunks as AsyncIterable<Buffer>) {
      const buf = chunk;
      const n = buf.length;
      let pos = 0; // start of the record in progress within buf (0 when it began in an earlier chunk)
      let i = 0; // scan position
      let nextQuote = -2; // cached index of the next quote at or after i (-1: none in buf)
      while (i < n) {
        if (state === FIELD_START && pendingBytes === 0 && !skipping && i === pos) {
          // Fast path: a record with no quote before its LF.
          const lf = buf.indexOf(LF, i);
          if (nextQuote !== -1 && nextQuote < i) nextQuote = buf.indexOf(QUOTE, i);
          if (lf !== -1 && (nextQuote === -1 || nextQuote > lf)) {
            recLine = line;
            endRecord(buf, pos, lf, false);
            line++;
            i = lf + 1;
            pos = i;
            recLine = line;
            if (records.length >= batchSize || issues.length >= batchSize) yield takeBatch();
            continue;
          }
          recLine = line;
        }
        // Slow path: byte by byte through quotes, to the record's end or the chunk's.
        const b = buf[i]!;
        if (b === LF) {
          if (state === QUOTED) {
            line++;
          } else {
            endRecord(buf, pos, i, false);
            line++;
            i++;
            pos = i;
            recLine = line;
            if (records.length >= batchSize || issues.length >= batchSize) yield takeBatch();
            continue;
          }
        } else if (b === QUOTE) {
          quoted = true;
          if (state === FIELD_START) state = QUOTED;
          else if (state === QUOTED) state = QUOTE_IN_QUOTED;
          else if (state === QUOTE_IN_QUOTED) state = QUOTED;
          // a quote inside an unquoted cell is a literal
        } else if (b === COMMA) {
          if (state !== QUOTED) state = FIELD_START;
        } else if (state === FIELD_START) {
          state = UNQUOTED;
        } else if (state === QUOTE_IN_QUOTED && b !== CR) {
          state = UNQUOTED; // text after a closing quote; splitQuoted reports it
        }
        i++;
      }
      // The chunk ends inside a record: keep its bytes (or, past the limit, only its state).
      if (pos < n && !skipping) {
        const tail = buf.subarray(pos, n);
        if (pendingBytes + tail.length > MAX_RECORD_BYTES) {
          skipping = true;
          pending = [];
          pendingBytes = 0;
        } else {
          // copy: the stream may reuse its buffer
          pending.push(Buffer.from(tail));
          pendingBytes += tail.length;
        }
      }
    }
  } catch (err) {
    if (!(source.gzip && isTruncatedGzip(err))) {
      if (err instanceof FormatError) throw err;
      throw new FormatError('unreadable', `${file}: ${(err as Error).message}`, file);
    }
    truncated = true;
  }

  if (truncated) {
    if (pendingBytes > 0 || skipping) {
      issues.push({
        file,
        line: recLine,
        field: null,
        code: 'truncated_file',
        reason: 'the gzip stream ends early; the partial record at its end was dropped',
        action: 'rejected',
      });
    } else {
      issues.push({
        file,
        line: recLine,
        field: null,
        code: 'truncated_file',
        reason: 'the gzip stream ends early (on a record boundary)',
        action: 'file',
      });
    }
  } else if (pendingBytes > 0 || skipping) {
    // last record without a final newline, or one whose quote never closes
    const unclosed = state === QUOTED;
    endRecord(Buffer.alloc(0), 0, 0, unclosed);
  }
  if (records.length > 0 || issues.length > 0) yield takeBatch();
}
