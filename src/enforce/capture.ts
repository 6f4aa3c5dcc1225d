/**
 * Exchange capture: the request path hands over what it saw (a few references, no parsing) and
 * goes on; a queue drained on a later turn of the event loop builds the exchange record
 * (formats.md) — parsing the request body, the prompt fingerprint, the usage of a non-streamed
 * response — and hands batches to the ExchangeSink port (segment files, HTTP to `watch`).
 *
 * Text policy (`text`): `raw` records the last user turn, the system prompt and the fingerprint;
 * `fingerprint` only the fingerprint (dgfp1, src/text); `none` neither.
 */
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import { type ExchangeIn, MAX_TEXT_CHARS, toRfc3339 } from '../formats/index.js';
import { promptFingerprint } from '../text/index.js';
import { type Endpoint, mergeUsage, requestFacts, type Usage, usageObject } from './api.js';
import { SseUsageReader } from './sse.js';

export const TEXT_MODES = ['raw', 'fingerprint', 'none'] as const;
export type TextMode = (typeof TEXT_MODES)[number];

/** An exchange record as written (formats.md field names, `ts` as RFC 3339). */
export type ExchangeRecord = ExchangeIn & { ts: string; account_id: string };

/** What the request path hands over: references only, work is done later. */
export interface PendingExchange {
  ts: number;
  account_id: string;
  ip: string;
  request_id: string;
  api_key_id?: string;
  user_agent?: string;
  tls_fingerprint?: string;
  forwarded_for?: string;
  endpoint: Endpoint;
  requestBody: Buffer;
  status: number;
  latency_ms: number;
  /** Usage read from a streamed response on the fly. */
  usage?: Usage;
  /** A response body (bounded), parsed later for its usage. */
  responseBody?: Buffer;
  /** `responseBody` is an event stream (SSE): its usage is read from its events. */
  responseStream?: boolean;
  contentEncoding?: string;
}

/** Where exchange records go. `write` must not block: a sink queues and counts what it drops. */
export interface ExchangeSink {
  readonly name: string;
  write(records: readonly ExchangeRecord[]): void;
  /** Resolves when what was written so far has been delivered (or given up on). */
  flush(): Promise<void>;
  close(): Promise<void>;
  stats(): SinkStats;
}

export interface SinkStats {
  written: number;
  dropped: number;
  [k: string]: number;
}

/** Responses larger than this are not kept for their usage: a JSON answer's is then not read, a
 * stream's is read as it passes (a usage object sits in a few hundred bytes at the end; the cap
 * bounds what one slow capture can hold). */
export const MAX_CAPTURED_RESPONSE_BYTES = 4 << 20;

function decode(body: Buffer, encoding: string | undefined): Buffer {
  switch ((encoding ?? '').toLowerCase()) {
    case '':
    case 'identity':
      return body;
    case 'gzip':
    case 'x-gzip':
      return gunzipSync(body);
    case 'deflate':
      return inflateSync(body);
    case 'br':
      return brotliDecompressSync(body);
    default:
      throw new Error(`unsupported content-encoding ${encoding}`);
  }
}

function clip(s: string): string {
  return s.length > MAX_TEXT_CHARS ? s.slice(0, MAX_TEXT_CHARS) : s;
}

/** The exchange record of a pending exchange. Never throws: unreadable bodies leave fields out. */
export function buildRecord(p: PendingExchange, text: TextMode): ExchangeRecord {
  const r: ExchangeRecord = {
    ts: toRfc3339(p.ts),
    account_id: p.account_id,
    ip: p.ip,
    request_id: p.request_id,
    endpoint: p.endpoint,
    status: p.status,
    latency_ms: Math.round(p.latency_ms * 1000) / 1000,
  };
  if (p.api_key_id !== undefined) r.api_key_id = p.api_key_id;
  if (p.user_agent !== undefined) r.user_agent = p.user_agent.slice(0, 2048);
  if (p.tls_fingerprint !== undefined) r.tls_fingerprint = p.tls_fingerprint.slice(0, 512);
  if (p.forwarded_for !== undefined) r.forwarded_for = p.forwarded_for.slice(0, 2048);
  let body: unknown;
  try {
    body = JSON.parse(p.requestBody.toString('utf8'));
  } catch {
    body = undefined;
  }
  const f = requestFacts(p.endpoint, body);
  if (f.model !== undefined) r.model = f.model.slice(0, 256);
  if (f.end_user_id !== undefined) r.end_user_id = f.end_user_id.slice(0, 512);
  if (f.turns !== undefined) r.turns = f.turns;
  if (f.tool_count !== undefined) r.tool_count = f.tool_count;
  if (f.reasoning !== undefined) r.reasoning = f.reasoning;
  if (f.max_tokens !== undefined) r.max_tokens = f.max_tokens;
  if (f.temperature !== undefined) r.temperature = f.temperature;
  if (text === 'raw') {
    if (f.system_prompt !== undefined) r.system_prompt = clip(f.system_prompt);
    if (f.prompt !== undefined) r.prompt = clip(f.prompt);
  }
  if (text !== 'none' && f.prompt !== undefined) r.prompt_fingerprint = promptFingerprint(f.prompt);
  const usage: Usage = { ...p.usage };
  if (p.responseBody !== undefined && p.responseBody.length > 0) {
    try {
      let raw = p.responseBody;
      try {
        raw = decode(raw, p.contentEncoding);
      } catch {
        // already decoded by the app (a fetch() response keeps its content-encoding header)
      }
      if (p.responseStream === true) {
        const reader = new SseUsageReader();
        reader.push(raw);
        mergeUsage(usage, reader.end());
      } else mergeUsage(usage, usageObject(JSON.parse(raw.toString('utf8'))));
    } catch {
      // an error page or a body that is not JSON: no usage
    }
  }
  if (usage.input_tokens !== undefined) r.input_tokens = usage.input_tokens;
  if (usage.output_tokens !== undefined) r.output_tokens = usage.output_tokens;
  return r;
}

/** Exchanges waiting to be built beyond this are dropped (and counted): at ~1 KB each, 64 MB at
 * most, some seconds of the heaviest traffic this machine can proxy. */
export const MAX_PENDING = 65_536;
/**
 * Records built per turn of the event loop, at least: one. Building one costs some tens of
 * microseconds (two JSON parses, the fingerprint, one stringify); a request arriving meanwhile
 * waits that long at most (a slice of eight measured ~0.25 ms, most of the sequential
 * benchmark's p99 budget), and requests' I/O runs between slices. A turn also builds as many as
 * were queued since the previous one, so that capture keeps pace when many requests end per turn
 * (under saturation) rather than falling behind until the queue drops.
 */
export const BUILD_SLICE = 1;
/**
 * Capture starts building this long after the first exchange of a quiet spell: gathered work
 * runs in one train of slices rather than right after every response, when the same client's
 * next request is likely arriving. A tenth of a second is nothing to `watch`, whose alerts work
 * in minutes.
 */
export const CAPTURE_DELAY_MS = 100;

export interface CaptureStats {
  queued: number;
  built: number;
  dropped: number;
  pending: number;
}

/** The capture queue: push is O(1) and never waits; building and sinking happen on later turns. */
export class CaptureQueue {
  private queue: PendingExchange[] = [];
  private head = 0;
  /** 'idle' | waiting for the delay | building slices. */
  private state: 'idle' | 'delayed' | 'building' = 'idle';
  private timer: NodeJS.Timeout | null = null;
  private readonly counts = { queued: 0, built: 0, dropped: 0 };
  /** `counts.queued` when the previous slice ran (or building started). */
  private queuedAtSlice = 0;
  private idle: (() => void)[] = [];

  constructor(
    private readonly sinks: readonly ExchangeSink[],
    private readonly text: TextMode,
  ) {}

  push(p: PendingExchange): void {
    if (this.sinks.length === 0) return;
    if (this.queue.length - this.head >= MAX_PENDING) {
      this.counts.dropped++;
      return;
    }
    this.queue.push(p);
    this.counts.queued++;
    if (this.state === 'idle') {
      this.state = 'delayed';
      this.timer = setTimeout(() => this.start(), CAPTURE_DELAY_MS);
    }
  }

  private start(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.state = 'building';
    // What waited through the delay is the backlog, built one by one; only later arrivals add to a slice.
    this.queuedAtSlice = this.counts.queued;
    setImmediate(() => this.slice());
  }

  private slice(): void {
    const arrived = this.counts.queued - this.queuedAtSlice;
    this.queuedAtSlice = this.counts.queued;
    const end = Math.min(this.queue.length, this.head + Math.max(BUILD_SLICE, arrived));
    const records: ExchangeRecord[] = [];
    for (let i = this.head; i < end; i++)
      records.push(buildRecord(this.queue[i] as PendingExchange, this.text));
    this.head = end;
    this.counts.built += records.length;
    for (const s of this.sinks) s.write(records);
    if (this.head < this.queue.length) {
      setImmediate(() => this.slice());
      return;
    }
    this.queue = [];
    this.head = 0;
    this.state = 'idle';
    const waiting = this.idle;
    this.idle = [];
    for (const w of waiting) w();
  }

  /** Resolves once every pushed exchange has been built and its sinks have flushed. */
  async flush(): Promise<void> {
    if (this.state === 'delayed') this.start(); // build now rather than at the end of the delay
    if (this.state !== 'idle') await new Promise<void>((resolve) => this.idle.push(resolve));
    await Promise.all(this.sinks.map((s) => s.flush()));
  }

  async close(): Promise<void> {
    await this.flush();
    await Promise.all(this.sinks.map((s) => s.close()));
  }

  stats(): CaptureStats {
    return { ...this.counts, pending: this.queue.length - this.head };
  }

  sinkStats(): Record<string, SinkStats> {
    return Object.fromEntries(this.sinks.map((s) => [s.name, s.stats()]));
  }
}
