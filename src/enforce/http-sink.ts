/**
 * Exchange records to a `distillguard watch` endpoint: `POST <url>/v1/exchanges`, NDJSON body,
 * `Authorization: Bearer <token>`. Records are batched (by count or after a short wait), a failed
 * batch is retried a bounded number of times with a growing pause, and what cannot be delivered is
 * dropped and counted — the request path never waits for `watch`.
 */
import { Agent, request } from 'undici';
import type { ExchangeRecord, ExchangeSink, SinkStats } from './capture.js';
import { EnforceError } from './errors.js';

/** Records per POST: ~1 MB of NDJSON with raw prompts, one request every few ms at full load. */
export const HTTP_BATCH_RECORDS = 1_000;
/** A partial batch is sent after this wait: alerts in `watch` lag the traffic by no more. */
export const HTTP_FLUSH_MS = 200;
/** Records held while `watch` is unreachable; beyond, the oldest batches are dropped. */
export const HTTP_MAX_QUEUED = 100_000;
/** Attempts per batch (the first and two retries), pausing 250 ms, then 1 s: a restart of `watch`
 * is bridged, an outage is not allowed to build a backlog. */
export const HTTP_ATTEMPTS = 3;
const RETRY_PAUSE_MS = [250, 1_000] as const;
/** A POST that takes longer than this is abandoned (and retried). */
export const HTTP_TIMEOUT_MS = 10_000;

export interface HttpSinkOptions {
  token?: string;
  batchRecords?: number;
  flushMs?: number;
  maxQueued?: number;
  /** Pauses between attempts, ms (tests pass zeros). */
  retryPausesMs?: readonly number[];
}

/** `http://host:port` or `…/v1/exchanges` → the exchanges endpoint. */
export function exchangesUrl(base: string): URL {
  let u: URL;
  try {
    u = new URL(base);
  } catch {
    throw new EnforceError('bad_config', `--watch-url: not a URL: ${base}`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new EnforceError('bad_config', `--watch-url: must be http(s), got ${u.protocol}`);
  if (!u.pathname.endsWith('/v1/exchanges')) u.pathname = `${u.pathname.replace(/\/$/, '')}/v1/exchanges`;
  return u;
}

export class HttpSink implements ExchangeSink {
  readonly name = 'watch';
  private readonly url: URL;
  private readonly agent = new Agent({ keepAliveTimeout: 30_000, connections: 4 });
  private batch: string[] = [];
  private readonly ready: string[][] = [];
  private queued = 0;
  private timer: NodeJS.Timeout | null = null;
  private sending: Promise<void> | null = null;
  private readonly counts = { written: 0, dropped: 0, sent: 0, retries: 0, failed_batches: 0 };
  private readonly batchRecords: number;
  private readonly flushMs: number;
  private readonly maxQueued: number;
  private readonly pauses: readonly number[];

  constructor(
    base: string,
    private readonly opts: HttpSinkOptions = {},
  ) {
    this.url = exchangesUrl(base);
    this.batchRecords = opts.batchRecords ?? HTTP_BATCH_RECORDS;
    this.flushMs = opts.flushMs ?? HTTP_FLUSH_MS;
    this.maxQueued = opts.maxQueued ?? HTTP_MAX_QUEUED;
    this.pauses = opts.retryPausesMs ?? RETRY_PAUSE_MS;
  }

  write(records: readonly ExchangeRecord[]): void {
    for (const r of records) {
      this.batch.push(JSON.stringify(r));
      this.counts.written++;
      this.queued++;
      if (this.batch.length >= this.batchRecords) this.seal();
    }
    while (this.queued > this.maxQueued && this.ready.length > 0) {
      const dropped = this.ready.shift() ?? [];
      this.queued -= dropped.length;
      this.counts.dropped += dropped.length;
    }
    if (this.batch.length > 0 && this.timer === null) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.seal();
      }, this.flushMs);
      this.timer.unref();
    }
    this.pump();
  }

  private seal(): void {
    if (this.batch.length === 0) return;
    this.ready.push(this.batch);
    this.batch = [];
    this.pump();
  }

  private pump(): void {
    if (this.sending !== null || this.ready.length === 0) return;
    this.sending = this.sendAll().finally(() => {
      this.sending = null;
      if (this.ready.length > 0) this.pump();
    });
  }

  private async sendAll(): Promise<void> {
    for (let b = this.ready.shift(); b !== undefined; b = this.ready.shift()) {
      const ok = await this.send(b);
      this.queued -= b.length;
      if (ok) this.counts.sent += b.length;
      else {
        this.counts.dropped += b.length;
        this.counts.failed_batches++;
      }
    }
  }

  private async send(lines: readonly string[]): Promise<boolean> {
    const body = `${lines.join('\n')}\n`;
    const headers: Record<string, string> = { 'content-type': 'application/x-ndjson' };
    if (this.opts.token !== undefined) headers.authorization = `Bearer ${this.opts.token}`;
    for (let attempt = 0; attempt < HTTP_ATTEMPTS; attempt++) {
      if (attempt > 0) {
        this.counts.retries++;
        const pause = this.pauses[Math.min(attempt - 1, this.pauses.length - 1)] ?? 0;
        if (pause > 0) await new Promise((r) => setTimeout(r, pause));
      }
      try {
        const res = await request(this.url, {
          method: 'POST',
          headers,
          body,
          dispatcher: this.agent,
          headersTimeout: HTTP_TIMEOUT_MS,
          bodyTimeout: HTTP_TIMEOUT_MS,
        });
        await res.body.dump();
        if (res.statusCode < 300) return true;
        // A client error other than overload will not succeed on a retry (bad token, bad record).
        if (res.statusCode < 500 && res.statusCode !== 429 && res.statusCode !== 408) return false;
      } catch {
        // network error: retry
      }
    }
    return false;
  }

  async flush(): Promise<void> {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    this.seal();
    while (this.sending !== null) await this.sending;
  }

  async close(): Promise<void> {
    await this.flush();
    await this.agent.close();
  }

  stats(): SinkStats {
    return { ...this.counts, queued: this.queued };
  }
}
