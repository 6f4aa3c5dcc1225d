/**
 * The alerts file written by `distillguard watch` (formats.md "alerts"), followed like `tail -F`:
 * polled for growth, re-read from the start when it shrinks (rotated or truncated). A missing
 * file is an empty feed until it appears. Lines are validated; bad ones are counted and skipped.
 */
import { open, stat } from 'node:fs/promises';
import { Alert } from '../../formats/index.js';

/** Poll interval: an alert is a human-scale event; half a second is live enough and costs one stat. */
export const ALERTS_POLL_MS = 500;
/** Alerts kept in memory for the feed's first page. */
export const ALERTS_KEPT = 500;
/** At start, only the end of a large file is read (older alerts are in the file itself). */
export const ALERTS_TAIL_BYTES = 4 * 1024 * 1024;
/** A line longer than this without a newline is dropped (an alert is ~1 KB). */
const MAX_PENDING_BYTES = 1024 * 1024;

export type AlertListener = (a: Alert) => void;

export class AlertFeed {
  private readonly kept: Alert[] = [];
  private readonly listeners = new Set<AlertListener>();
  private offset = 0;
  private pending = '';
  private timer: NodeJS.Timeout | null = null;
  private polling: Promise<void> = Promise.resolve();
  private started = false;
  badLines = 0;

  constructor(
    readonly path: string | null,
    private readonly pollMs = ALERTS_POLL_MS,
  ) {}

  /** Reads what is there and starts following the file. */
  async start(): Promise<void> {
    if (this.path === null || this.started) return;
    this.started = true;
    try {
      const s = await stat(this.path);
      this.offset = Math.max(0, s.size - ALERTS_TAIL_BYTES);
      // Starting mid-file: the first (partial) line is skipped.
      if (this.offset > 0) this.pending = '\u0000';
    } catch {
      this.offset = 0;
    }
    await this.poll();
    this.timer = setInterval(() => void this.poll(), this.pollMs);
    this.timer.unref();
  }

  /** Checks the file once now (tests call it instead of waiting for the timer). Reads run one
   * at a time: two overlapping reads from the same offset would take the same lines twice. */
  poll(): Promise<void> {
    this.polling = this.polling.then(() => this.read()).catch(() => undefined);
    return this.polling;
  }

  private async read(): Promise<void> {
    if (this.path === null) return;
    let size: number;
    try {
      size = (await stat(this.path)).size;
    } catch {
      return;
    }
    if (size < this.offset) {
      this.offset = 0;
      this.pending = '';
    }
    if (size === this.offset) return;
    const fh = await open(this.path, 'r');
    try {
      const buf = Buffer.alloc(size - this.offset);
      const { bytesRead } = await fh.read(buf, 0, buf.length, this.offset);
      this.offset += bytesRead;
      this.consume(buf.subarray(0, bytesRead).toString('utf8'));
    } finally {
      await fh.close();
    }
  }

  private consume(text: string): void {
    const parts = (this.pending + text).split('\n');
    this.pending = parts.pop() ?? '';
    if (this.pending.length > MAX_PENDING_BYTES) {
      this.pending = '';
      this.badLines++;
    }
    for (const [i, line] of parts.entries()) {
      if (i === 0 && line.startsWith('\u0000')) continue;
      if (line.trim() === '') continue;
      let v: unknown;
      try {
        v = JSON.parse(line);
      } catch {
        this.badLines++;
        continue;
      }
      const r = Alert.safeParse(v);
      if (!r.success) {
        this.badLines++;
        continue;
      }
      this.kept.push(r.data);
      if (this.kept.length > ALERTS_KEPT) this.kept.shift();
      for (const l of this.listeners) l(r.data);
    }
  }

  /** Newest first. */
  recent(limit: number): Alert[] {
    return this.kept.slice(-limit).reverse();
  }

  subscribe(l: AlertListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  close(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.listeners.clear();
  }
}
