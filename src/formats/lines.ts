/**
 * Streams a text file (plain or gzip) as lines, in constant memory: a 1 MiB read buffer
 * and at most one line held whole (up to MAX_LINE_BYTES; longer lines are skipped without
 * being buffered and reported). Handles a UTF-8 BOM, CRLF endings, invalid UTF-8 and a
 * gzip stream that ends early. Blank lines are skipped (they are not records).
 */
import { isUtf8 } from 'node:buffer';
import { createReadStream, ReadStream, statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { FormatError, type RecordIssue } from './issues.js';

/** Lines over this size are rejected unread: 16 MiB holds the longest real prompt we know
 * of (a ~1M-token context) while bounding memory per line. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

const READ_CHUNK = 1024 * 1024;

export interface LineBatch {
  lines: string[];
  /** 1-based physical line numbers, parallel to `lines`. */
  lineNos: number[];
  issues: RecordIssue[];
  /** Bytes of the file consumed so far (compressed bytes for .gz). */
  bytesRead: number;
}

export function isGzipPath(path: string): boolean {
  return path.endsWith('.gz');
}

/** Gzip members start with 1f 8b; checked so a mislabelled file fails clearly. */
async function looksGzip(raw: Readable): Promise<boolean> {
  return new Promise((resolve) => {
    raw.once('readable', () => {
      const head = raw.read(2) as Buffer | null;
      if (head === null) return resolve(false);
      raw.unshift(head);
      resolve(head[0] === 0x1f && head[1] === 0x8b);
    });
    raw.once('error', () => resolve(false));
  });
}

/** Throws the FormatError a command reports when `path` cannot be read at all. */
export function checkReadable(path: string, file = path): void {
  try {
    if (!statSync(path).isFile()) throw new FormatError('not_a_file', `${file}: not a regular file`, file);
  } catch (err) {
    if (err instanceof FormatError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new FormatError('file_not_found', `${file}: no such file`, file);
    throw new FormatError('unreadable', `${file}: cannot be read (${code ?? String(err)})`, file);
  }
}

/**
 * Lines of a file (plain or .gz), or of an already open byte stream such as stdin (plain
 * only), in batches with their line numbers and the issues found on the way.
 */
export async function* readLines(
  input: string | Readable,
  file = typeof input === 'string' ? input : '<stream>',
): AsyncGenerator<LineBatch> {
  const path = typeof input === 'string' ? input : null;
  if (path !== null) checkReadable(path, file);
  const raw: Readable =
    path !== null ? createReadStream(path, { highWaterMark: READ_CHUNK }) : (input as Readable);
  // Bytes consumed, for progress: a file stream counts them itself (compressed bytes for .gz).
  let counted = 0;
  const rawBytes = (): number => (raw instanceof ReadStream ? raw.bytesRead : counted);
  let source: AsyncIterable<Buffer> = raw;
  const gz = path !== null && isGzipPath(path);
  if (gz) {
    const isGz = await looksGzip(raw);
    if (!isGz && raw.readableLength > 0) {
      raw.destroy();
      throw new FormatError('unreadable', `${file}: named .gz but is not gzip data`, file);
    }
    const gunzip = createGunzip({ chunkSize: READ_CHUNK });
    raw.on('error', (e) => gunzip.destroy(e));
    source = raw.pipe(gunzip);
  }

  let lineNo = 0; // lines completed so far
  // The start of an unfinished line, as pieces joined once its end arrives (joining on
  // every chunk would copy a long line over and over).
  let carryParts: Buffer[] = [];
  let carryLen = 0;
  let skipping = false; // inside a line longer than MAX_LINE_BYTES
  let first = true;
  let batch: LineBatch = { lines: [], lineNos: [], issues: [], bytesRead: 0 };

  const emitLine = (buf: Buffer, start: number, end: number): void => {
    lineNo++;
    let e = end;
    if (e > start && buf[e - 1] === 0x0d) e--; // CRLF
    if (e === start) return;
    let text = buf.toString('utf8', start, e);
    if (text.includes('\uFFFD') && !isUtf8(buf.subarray(start, e))) {
      batch.issues.push({
        file,
        line: lineNo,
        field: null,
        code: 'invalid_utf8',
        reason: 'the line is not valid UTF-8',
        action: 'rejected',
      });
      return;
    }
    if (text.charCodeAt(0) <= 32 && text.trim().length === 0) return;
    if (lineNo === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    batch.lines.push(text);
    batch.lineNos.push(lineNo);
  };

  try {
    for await (const chunk of source) {
      let buf: Buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      counted += buf.length;
      if (first) {
        first = false;
        if (buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) buf = buf.subarray(3);
      }
      let pos = 0;
      if (skipping) {
        const nl = buf.indexOf(10);
        if (nl < 0) continue;
        skipping = false;
        pos = nl + 1;
      } else if (carryLen > 0) {
        const nl = buf.indexOf(10);
        if (nl < 0) {
          if (carryLen + buf.length > MAX_LINE_BYTES) {
            lineNo++;
            batch.issues.push(tooLong(file, lineNo));
            carryParts = [];
            carryLen = 0;
            skipping = true;
          } else {
            carryParts.push(Buffer.from(buf)); // copy: the stream may reuse its buffer
            carryLen += buf.length;
          }
          continue;
        }
        if (carryLen + nl > MAX_LINE_BYTES) {
          lineNo++;
          batch.issues.push(tooLong(file, lineNo));
        } else {
          carryParts.push(buf.subarray(0, nl));
          const joined = Buffer.concat(carryParts, carryLen + nl);
          emitLine(joined, 0, joined.length);
        }
        carryParts = [];
        carryLen = 0;
        pos = nl + 1;
      }
      for (;;) {
        const nl = buf.indexOf(10, pos);
        if (nl < 0) break;
        if (nl - pos > MAX_LINE_BYTES) {
          lineNo++;
          batch.issues.push(tooLong(file, lineNo));
        } else {
          emitLine(buf, pos, nl);
        }
        pos = nl + 1;
      }
      if (pos < buf.length) {
        if (buf.length - pos > MAX_LINE_BYTES) {
          lineNo++;
          batch.issues.push(tooLong(file, lineNo));
          skipping = true;
        } else {
          carryParts = [Buffer.from(buf.subarray(pos))]; // copy: the stream may reuse its buffer
          carryLen = buf.length - pos;
        }
      }
      if (batch.lines.length > 0 || batch.issues.length > 0) {
        batch.bytesRead = rawBytes();
        yield batch;
        batch = { lines: [], lineNos: [], issues: [], bytesRead: 0 };
      }
    }
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') throw new FormatError('file_not_found', `${file}: no such file`, file);
    if (e.code === 'EISDIR') throw new FormatError('not_a_file', `${file}: is a directory`, file);
    if (e.code === 'EACCES') throw new FormatError('unreadable', `${file}: permission denied`, file);
    if (!gz || !e.code?.startsWith('Z_')) throw err;
    if (lineNo === 0 && carryLen === 0 && rawBytes() <= 2) {
      throw new FormatError('unreadable', `${file}: not a readable gzip file (${e.message})`, file);
    }
    // The gzip stream ends early or is corrupt: keep what was read, report the rest.
    const partial = carryLen > 0;
    batch.issues.push({
      file,
      line: lineNo + 1,
      field: null,
      code: 'truncated_file',
      reason: partial
        ? `compressed data ends early (${e.message}); the partial record at this line was dropped`
        : `compressed data ends early (${e.message}) after line ${lineNo}`,
      action: partial ? 'rejected' : 'file',
    });
    carryParts = [];
    carryLen = 0;
  } finally {
    raw.destroy();
  }
  if (carryLen > 0) {
    const last = Buffer.concat(carryParts, carryLen); // the last line, without a final \n
    emitLine(last, 0, last.length);
  }
  batch.bytesRead = rawBytes();
  if (batch.lines.length > 0 || batch.issues.length > 0) yield batch;
}

function tooLong(file: string, line: number): RecordIssue {
  return {
    file,
    line,
    field: null,
    code: 'line_too_long',
    reason: `line longer than ${MAX_LINE_BYTES} bytes: skipped unread`,
    action: 'rejected',
  };
}
