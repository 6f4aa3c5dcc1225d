/**
 * Streaming JSON Lines writer: one record per line, optionally gzip'd, with an internal
 * buffer so that millions of small writes become a few large ones, and backpressure passed
 * back to the caller (a `false` from `write` means "await `drain()` before writing more").
 * Records given as objects are written with snake_case keys untouched and `Date` values as
 * RFC 3339 with milliseconds (formats.md); a string is taken as an already-encoded line.
 */

import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { createGzip } from 'node:zlib';

export interface JsonlWriterOptions {
  /** gzip the output (default: when the path ends in `.gz`). */
  gzip?: boolean;
  /** zlib level 1–9. Default 1: on the simulator's output level 1 is ~4× faster than 6 for ~20% more bytes. */
  gzipLevel?: number;
  /** Bytes gathered before a write to the underlying stream. 1 MiB keeps syscalls rare. */
  bufferBytes?: number;
  /** Bytes the underlying stream may hold before `write` reports backpressure (default 4 × buffer). */
  highWaterMark?: number;
}

const encoder = new TextEncoder();

/** Default buffer: large enough that a write per line costs a string append, not a syscall. */
const DEFAULT_BUFFER_BYTES = 1 << 20;

/** `JSON.stringify` already writes a `Date` as RFC 3339 with milliseconds (`toISOString`). */
function encode(record: object): string {
  return JSON.stringify(record);
}

export class JsonlWriter {
  readonly path: string;
  private readonly sink: Writable;
  private readonly file: WriteStream;
  private readonly size: number;
  private buf: Buffer;
  private pos = 0;
  /** Written buffers ready for reuse. */
  private readonly spare: Buffer[] = [];
  /** At most as many spares as the stream holds at its high-water mark, plus two in progress. */
  private readonly maxSpare: number;
  /** A direct `sink.write` (a line larger than the buffer) returned false: wait for 'drain'. */
  private blocked = false;
  /** Bytes handed to the stream whose write has not completed yet. */
  private inflight = 0;
  /** Backpressure starts above `hwm` bytes in flight and ends at `lowWater`: unlike a stream's
   * 'drain' (emitted only once everything is written), resuming at half keeps data queued, so
   * the file system (or zlib) never idles while the producer refills its buffer. */
  private readonly hwm: number;
  private readonly lowWater: number;
  private waiter: (() => void) | null = null;
  private closed = false;
  private failure: Error | null = null;
  /** Lines written so far. */
  lines = 0;

  constructor(path: string, options: JsonlWriterOptions = {}) {
    this.path = path;
    this.size = Math.max(1024, options.bufferBytes ?? DEFAULT_BUFFER_BYTES);
    this.buf = Buffer.allocUnsafe(this.size);
    const gzip = options.gzip ?? path.endsWith('.gz');
    const hwm = options.highWaterMark ?? this.size * 4;
    this.hwm = hwm;
    this.lowWater = hwm / 2;
    this.maxSpare = Math.ceil(hwm / this.size) + 2;
    this.file = createWriteStream(path, { highWaterMark: hwm });
    this.file.on('error', (e) => {
      this.failure ??= e;
      this.wake();
    });
    if (gzip) {
      const z = createGzip({ level: options.gzipLevel ?? 1, chunkSize: 256 * 1024 });
      z.on('error', (e) => {
        this.failure ??= e;
        this.wake();
      });
      z.pipe(this.file);
      this.sink = z;
    } else {
      this.sink = this.file;
    }
  }

  /**
   * Appends one record (an object, JSON-encoded here) or one pre-encoded line (without its
   * newline). Returns false when the underlying stream is full: the caller should
   * `await writer.drain()` before writing more (writing anyway is safe but grows memory).
   */
  write(record: object | string): boolean {
    if (this.closed) throw new Error(`JsonlWriter: write after close (${this.path})`);
    if (this.failure) throw this.failure;
    const line = typeof record === 'string' ? record : encode(record);
    this.lines++;
    // UTF-8 needs at most 3 bytes per UTF-16 code unit: encode straight into the buffer when the
    // line surely fits, which avoids joining strings and a second copy.
    const worst = line.length * 3 + 1;
    if (this.pos + worst > this.size) {
      this.flushBuffer();
      if (worst > this.size) {
        if (!this.sink.write(`${line}\n`)) this.blocked = true;
        return this.ready();
      }
    }
    // TextEncoder.encodeInto flattens a rope (lines built by concatenation) before encoding;
    // Buffer#write walks it piece by piece and measured ~3× slower on simulator lines.
    this.pos += encoder.encodeInto(line, this.buf.subarray(this.pos)).written;
    this.buf[this.pos++] = 10;
    return this.ready();
  }

  /**
   * Appends part of a line, without a newline: callers that keep pre-encoded UTF-8 bytes of
   * recurring text (the simulator's prompt pools) copy them instead of re-encoding. Finish the
   * line with `write(lastPart)`, which adds the newline and reports backpressure.
   */
  append(part: string | Uint8Array): void {
    if (this.closed) throw new Error(`JsonlWriter: write after close (${this.path})`);
    if (typeof part === 'string') {
      const worst = part.length * 3;
      if (this.pos + worst > this.size) {
        this.flushBuffer();
        if (worst > this.size) {
          if (!this.sink.write(part)) this.blocked = true;
          return;
        }
      }
      this.pos += encoder.encodeInto(part, this.buf.subarray(this.pos)).written;
      return;
    }
    if (this.pos + part.length > this.size) {
      this.flushBuffer();
      if (part.length > this.size) {
        if (!this.sink.write(part)) this.blocked = true;
        return;
      }
    }
    this.buf.set(part, this.pos);
    this.pos += part.length;
  }

  /**
   * In-place writing for hot producers (the simulator encodes each exchange straight into the
   * buffer, with no intermediate string): makes room for `n` more bytes, flushing the buffer
   * first when they would not fit, and returns the buffer. Write from `offset`, then call
   * `commit(end)` (part of a line) or `endLine(end)`. A line may span several `room` calls:
   * a flush in the middle of a line only splits it between two chunks of the same stream.
   */
  room(n: number): Buffer {
    if (this.closed) throw new Error(`JsonlWriter: write after close (${this.path})`);
    if (this.pos + n > this.buf.length) {
      this.flushBuffer();
      if (n > this.buf.length) this.buf = Buffer.allocUnsafe(n);
    }
    return this.buf;
  }

  /** Where the next in-place byte goes in the buffer returned by `room`. */
  get offset(): number {
    return this.pos;
  }

  /** Records that bytes were written in place up to `end` (exclusive). */
  commit(end: number): void {
    this.pos = end;
  }

  /**
   * Ends a line written in place up to `end` with a newline (its byte must have been included in
   * `room`). Returns false on backpressure, like `write`.
   */
  endLine(end: number): boolean {
    this.buf[end] = 10;
    this.pos = end + 1;
    this.lines++;
    if (this.failure) throw this.failure;
    return this.ready();
  }

  /** True while neither backpressure signal is up. */
  private ready(): boolean {
    return !this.blocked && this.inflight <= this.hwm;
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  /** Resolves when the underlying stream has room again (at once when it already has). */
  async drain(): Promise<void> {
    if (this.blocked) {
      if (this.sink.writableNeedDrain) await once(this.sink, 'drain');
      this.blocked = false;
    }
    while (this.inflight > this.lowWater && this.failure === null) {
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
      });
    }
    if (this.failure) throw this.failure;
  }

  private flushBuffer(): void {
    if (this.pos === 0) return;
    // The stream keeps a reference to the chunk until written: hand it this buffer, take a new one.
    // Buffers come back to `spare` once written: a fresh multi-MiB buffer per flush costs page
    // faults on first touch (the kernel zeroes every page): recycling cut the simulator's CPU
    // time by about a third.
    const full = this.buf;
    const chunk = full.subarray(0, this.pos);
    this.buf = this.spare.pop() ?? Buffer.allocUnsafe(this.size);
    this.pos = 0;
    this.inflight += chunk.length;
    this.sink.write(chunk, () => {
      this.inflight -= chunk.length;
      if (full.length === this.size && this.spare.length < this.maxSpare) this.spare.push(full);
      if (this.inflight <= this.lowWater) this.wake();
    });
  }

  /** Flushes, ends the stream(s) and resolves once the file is fully written and closed. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.flushBuffer();
    this.closed = true;
    const done = once(this.file, 'close');
    this.sink.end();
    await done;
    if (this.failure) throw this.failure;
  }
}

/** Opens a writer (sugar for `new JsonlWriter(path, options)`). */
export function openJsonlWriter(path: string, options?: JsonlWriterOptions): JsonlWriter {
  return new JsonlWriter(path, options);
}
