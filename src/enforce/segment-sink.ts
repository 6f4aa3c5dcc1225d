/**
 * Exchange records to rotating JSON Lines segments in a directory, for `distillguard ingest` and
 * `watch` to read. A segment is written as `exchanges-<start>-<pid>-<n>.jsonl.open` and renamed to
 * `.jsonl` when it is complete (size or age reached, or the gateway closing): readers take the
 * `.jsonl` files and never see a half-written line.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExchangeRecord, ExchangeSink, SinkStats } from './capture.js';

/** A segment is closed at this size: 64 MiB is ~60k exchanges with raw prompts, a file `ingest`
 * loads in well under a second. */
export const SEGMENT_MAX_BYTES = 64 << 20;
/** … or at this age, so that a quiet gateway still hands over its exchanges within minutes. */
export const SEGMENT_MAX_AGE_MS = 5 * 60_000;
/** Lines are gathered and written in one call per this many bytes or SEGMENT_WRITE_MS: capture
 * hands over a few records at a time, and a file write per handful would cost a system call each. */
export const SEGMENT_WRITE_BYTES = 256 << 10;
export const SEGMENT_WRITE_MS = 100;
/** Bytes queued to the file beyond which records are dropped (a disk that stopped keeping up). */
export const SEGMENT_MAX_QUEUED_BYTES = 256 << 20;

export interface SegmentSinkOptions {
  maxBytes?: number;
  maxAgeMs?: number;
}

function stamp(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

export class SegmentSink implements ExchangeSink {
  readonly name = 'segments';
  private file: WriteStream | null = null;
  private path = '';
  private bytes = 0;
  private openedAt = 0;
  private seq = 0;
  private readonly counts = { written: 0, dropped: 0, segments: 0 };
  private readonly renames: Promise<void>[] = [];
  /** Settles when the latest write has reached the file (or failed). */
  private lastWrite: Promise<void> = Promise.resolve();
  private readonly timer: NodeJS.Timeout;
  private readonly maxBytes: number;
  private readonly maxAgeMs: number;
  private pending = '';
  private pendingTimer: NodeJS.Timeout | null = null;

  constructor(
    readonly dir: string,
    opts: SegmentSinkOptions = {},
  ) {
    mkdirSync(dir, { recursive: true });
    this.maxBytes = opts.maxBytes ?? SEGMENT_MAX_BYTES;
    this.maxAgeMs = opts.maxAgeMs ?? SEGMENT_MAX_AGE_MS;
    this.timer = setInterval(
      () => {
        if (this.file !== null && Date.now() - this.openedAt >= this.maxAgeMs) this.rotate();
      },
      Math.min(this.maxAgeMs, 10_000),
    );
    this.timer.unref();
  }

  write(records: readonly ExchangeRecord[]): void {
    if (records.length === 0) return;
    if (this.file !== null && this.file.writableLength > SEGMENT_MAX_QUEUED_BYTES) {
      this.counts.dropped += records.length;
      return;
    }
    for (const r of records) this.pending += `${JSON.stringify(r)}\n`;
    this.counts.written += records.length;
    if (this.pending.length >= SEGMENT_WRITE_BYTES) this.writePending();
    else if (this.pendingTimer === null) {
      this.pendingTimer = setTimeout(() => this.writePending(), SEGMENT_WRITE_MS);
      this.pendingTimer.unref();
    }
  }

  /** Writes the gathered lines to the current segment (opening one), rotating when it is full. */
  private writePending(): void {
    if (this.pendingTimer !== null) clearTimeout(this.pendingTimer);
    this.pendingTimer = null;
    if (this.pending === '') return;
    const text = this.pending;
    this.pending = '';
    if (this.file === null) this.open();
    const f = this.file;
    this.lastWrite = new Promise<void>((resolve) => f?.write(text, () => resolve()));
    this.bytes += Buffer.byteLength(text);
    if (this.bytes >= this.maxBytes) this.rotate();
  }

  private open(): void {
    this.openedAt = Date.now();
    this.path = join(this.dir, `exchanges-${stamp(this.openedAt)}-${process.pid}-${this.seq++}.jsonl.open`);
    this.file = createWriteStream(this.path, { flags: 'a' });
    this.file.on('error', () => {
      this.counts.dropped++;
    });
    this.bytes = 0;
    this.counts.segments++;
  }

  /** Closes the current segment and renames it to `.jsonl`. */
  private rotate(): void {
    const f = this.file;
    if (f === null) return;
    const from = this.path;
    this.file = null;
    this.renames.push(
      new Promise<void>((resolve) => f.end(resolve))
        .then(() => rename(from, from.slice(0, -'.open'.length)))
        .catch(() => {}),
    );
  }

  async flush(): Promise<void> {
    this.writePending();
    await this.lastWrite;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.writePending();
    this.rotate();
    await Promise.all(this.renames);
  }

  stats(): SinkStats {
    return { ...this.counts };
  }
}
