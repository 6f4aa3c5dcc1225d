/**
 * OTLP/JSON trace reader: OpenTelemetry GenAI spans → exchanges.
 *
 * Accepts one ExportTraceServiceRequest document (pretty-printed or not, up to
 * MAX_OTLP_DOCUMENT_BYTES) or JSON Lines of them, one per line, as the OpenTelemetry
 * Collector's file exporter writes them; plain or gzip'd. The attribute mapping follows the
 * OpenTelemetry semantic conventions for generative AI, pinned at v1.37.0, and is
 * documented field by field in docs/otlp.md. Spans without any `gen_ai.*` attribute are not
 * GenAI calls: they are skipped and counted (`OtlpStats`), never rejected. Each mapped span
 * goes through `validateRecord`, like a record of any other format.
 */

import { batchSizeOf, checkRecord } from './check.js';
import { decodeUtf8, isTruncatedGzip, openByteSource } from './csv.js';
import { FormatError, type RecordIssue } from './issues.js';
import type { ReadOptions, RecordBatch, RecordStream } from './read-types.js';
import { EXCHANGE_FIELDS, type Exchange } from './schemas.js';

/** A single (non-JSON-Lines) document is parsed whole, so it must fit in memory: 256 MiB of
 * JSON is already ~1 GB of JS objects. Larger traces belong in JSON Lines, one request per line;
 * the same bound caps one line. */
export const MAX_OTLP_DOCUMENT_BYTES = 256 * 1024 * 1024;

/** Semantic-conventions version the mapping follows (docs/otlp.md). */
export const OTEL_SEMCONV_VERSION = '1.37.0';

/** The attribute that carries the account, unless the caller names another. */
export const DEFAULT_ACCOUNT_ATTRIBUTE = 'distillguard.account_id';

/** Counts of what the reader saw, filled in as it goes (spans skipped are not issues). */
export interface OtlpStats {
  requests: number;
  spans: number;
  genAiSpans: number;
  /** Spans without gen_ai.* attributes, skipped silently. */
  skippedSpans: number;
}

export interface OtlpOptions extends ReadOptions {
  /** Attribute (span first, then resource) holding the account id; default DEFAULT_ACCOUNT_ATTRIBUTE. */
  accountAttribute?: string;
  /** Filled in while reading. */
  stats?: OtlpStats;
  /** Size limit of a single document (and of one line); default MAX_OTLP_DOCUMENT_BYTES. */
  maxDocumentBytes?: number;
}

type Attrs = Map<string, unknown>;
type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** An OTLP AnyValue → a plain JS value (int64 arrives as a string in OTLP/JSON). */
export function anyValue(v: unknown): unknown {
  if (!isObj(v)) return undefined;
  if ('stringValue' in v) return v.stringValue;
  if ('intValue' in v) {
    const n = Number(v.intValue);
    return Number.isFinite(n) ? n : v.intValue;
  }
  if ('doubleValue' in v) return typeof v.doubleValue === 'string' ? Number(v.doubleValue) : v.doubleValue;
  if ('boolValue' in v) return v.boolValue;
  if ('arrayValue' in v) {
    const values = isObj(v.arrayValue) ? v.arrayValue.values : undefined;
    return Array.isArray(values) ? values.map(anyValue) : [];
  }
  if ('kvlistValue' in v) {
    const values = isObj(v.kvlistValue) ? v.kvlistValue.values : undefined;
    const out: Obj = {};
    if (Array.isArray(values))
      for (const kv of values) if (isObj(kv) && typeof kv.key === 'string') out[kv.key] = anyValue(kv.value);
    return out;
  }
  if ('bytesValue' in v) return v.bytesValue;
  return undefined;
}

function attributes(list: unknown): Attrs {
  const m: Attrs = new Map();
  if (!Array.isArray(list)) return m;
  for (const kv of list) {
    if (isObj(kv) && typeof kv.key === 'string') m.set(kv.key, anyValue(kv.value));
  }
  return m;
}

/** Unix nanoseconds (string or number) → BigInt, or null. */
function nanos(v: unknown): bigint | null {
  if (typeof v === 'string' && /^\d{1,20}$/.test(v)) return BigInt(v);
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  return null;
}

interface Message {
  role: string;
  text: string;
}

/** Text of a message's content: semconv `parts` ({type:'text', content}) or an OpenAI-style
 * `content` (a string or [{type:'text', text}]). */
function textOfParts(parts: unknown): string {
  if (typeof parts === 'string') return parts;
  if (!Array.isArray(parts)) return '';
  const texts: string[] = [];
  for (const p of parts) {
    if (typeof p === 'string') texts.push(p);
    else if (isObj(p) && (p.type === undefined || p.type === 'text')) {
      if (typeof p.content === 'string') texts.push(p.content);
      else if (typeof p.text === 'string') texts.push(p.text);
    }
  }
  return texts.join('\n');
}

/** A JSON string or a structured value → a list of messages, or null. */
function messages(v: unknown): Message[] | null {
  let list = v;
  if (typeof v === 'string') {
    const s = v.trimStart();
    if (!s.startsWith('[')) return null;
    try {
      list = JSON.parse(s);
    } catch {
      return null;
    }
  }
  if (!Array.isArray(list)) return null;
  const out: Message[] = [];
  for (const m of list) {
    if (!isObj(m)) continue;
    const role = typeof m.role === 'string' ? m.role : 'user';
    out.push({ role, text: textOfParts(m.parts ?? m.content) });
  }
  return out;
}

/** gen_ai.system_instructions: a JSON array of parts, a structured array, or plain text. */
function systemInstructions(v: unknown): string | undefined {
  if (typeof v === 'string') {
    const s = v.trimStart();
    if (s.startsWith('[')) {
      try {
        return textOfParts(JSON.parse(s));
      } catch {
        return v;
      }
    }
    return v;
  }
  if (Array.isArray(v)) return textOfParts(v);
  return undefined;
}

/** Legacy flattened prompts (`gen_ai.prompt.0.role`, `gen_ai.prompt.0.content`, …). */
function flattenedPrompt(span: Attrs): Message[] | null {
  const byIndex = new Map<number, Message>();
  for (const [k, v] of span) {
    const m = /^gen_ai\.prompt\.(\d+)\.(role|content)$/.exec(k);
    if (m === null) continue;
    const i = Number(m[1]);
    const msg = byIndex.get(i) ?? { role: 'user', text: '' };
    if (m[2] === 'role' && typeof v === 'string') msg.role = v;
    if (m[2] === 'content') msg.text = typeof v === 'string' ? v : textOfParts(v);
    byIndex.set(i, msg);
  }
  if (byIndex.size === 0) return null;
  return [...byIndex.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1]);
}

const EXCHANGE_FIELD_SET = new Set<string>(EXCHANGE_FIELDS);

/** Maps one GenAI span (its attributes layered over the resource's) onto an exchange object. */
export function spanToExchange(span: Obj, spanAttrs: Attrs, resAttrs: Attrs, accountAttribute: string): Obj {
  const get = (key: string): unknown => (spanAttrs.has(key) ? spanAttrs.get(key) : resAttrs.get(key));
  const first = (...keys: string[]): unknown => {
    for (const k of keys) {
      const v = get(k);
      if (v !== undefined) return v;
    }
    return undefined;
  };
  const out: Obj = {};
  const set = (field: string, v: unknown): void => {
    if (v !== undefined && v !== null) out[field] = v;
  };

  const start = nanos(span.startTimeUnixNano);
  const end = nanos(span.endTimeUnixNano);
  if (start !== null) out.ts = Number(start / 1_000_000n);
  else set('ts', span.startTimeUnixNano); // left for validateRecord to reject
  if (start !== null && end !== null && end > 0n) out.latency_ms = Number(end - start) / 1e6;

  set('account_id', first(accountAttribute, DEFAULT_ACCOUNT_ATTRIBUTE));
  set('ip', first('client.address', 'http.client_ip'));
  set('user_agent', first('user_agent.original', 'http.user_agent'));
  set('end_user_id', first('enduser.id', 'user.id'));
  set('endpoint', get('gen_ai.operation.name'));
  set('model', first('gen_ai.request.model', 'gen_ai.response.model'));
  set('input_tokens', first('gen_ai.usage.input_tokens', 'gen_ai.usage.prompt_tokens'));
  set('output_tokens', first('gen_ai.usage.output_tokens', 'gen_ai.usage.completion_tokens'));
  set('max_tokens', get('gen_ai.request.max_tokens'));
  set('temperature', get('gen_ai.request.temperature'));
  set('status', first('http.response.status_code', 'http.status_code'));
  set(
    'request_id',
    first('gen_ai.response.id') ??
      (typeof span.spanId === 'string' && span.spanId !== '' ? span.spanId : undefined),
  );
  const xff = get('http.request.header.x-forwarded-for');
  set('forwarded_for', Array.isArray(xff) ? xff.join(', ') : xff);

  const msgs =
    messages(get('gen_ai.input.messages')) ?? messages(get('gen_ai.prompt')) ?? flattenedPrompt(spanAttrs);
  const legacyPrompt = get('gen_ai.prompt');
  if (msgs !== null) {
    const conversation = msgs.filter((m) => m.role !== 'system');
    if (conversation.length > 0) out.turns = conversation.length;
    const lastUser = [...msgs].reverse().find((m) => m.role === 'user');
    if (lastUser !== undefined) out.prompt = lastUser.text;
    const system = msgs.filter((m) => m.role === 'system').map((m) => m.text);
    if (system.length > 0) out.system_prompt = system.join('\n');
  } else if (typeof legacyPrompt === 'string') {
    out.prompt = legacyPrompt;
  }
  const sys = systemInstructions(get('gen_ai.system_instructions'));
  if (sys !== undefined) out.system_prompt = sys;
  const tools = get('gen_ai.tool.definitions');
  const toolList = typeof tools === 'string' ? messagesSafeParse(tools) : tools;
  if (Array.isArray(toolList)) out.tool_count = toolList.length;

  // distillguard.<field> on the span or resource overrides everything above: the way to ship
  // the fields no semantic convention covers (api_key_id, tls_fingerprint, reasoning, …).
  for (const attrs of [resAttrs, spanAttrs]) {
    for (const [k, v] of attrs) {
      if (!k.startsWith('distillguard.')) continue;
      const field = k.slice('distillguard.'.length);
      if (EXCHANGE_FIELD_SET.has(field) && v !== undefined) out[field] = v;
    }
  }
  if (accountAttribute !== DEFAULT_ACCOUNT_ATTRIBUTE && get(accountAttribute) !== undefined) {
    out.account_id = get(accountAttribute);
  }

  // fields outside formats.md: validateRecord keeps them in `extra`, passed through to storage
  if (typeof span.traceId === 'string' && span.traceId !== '') out.trace_id = span.traceId;
  if (typeof span.spanId === 'string' && span.spanId !== '') out.span_id = span.spanId;
  return out;
}

function messagesSafeParse(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}

function hasGenAi(spanAttrs: Attrs): boolean {
  for (const k of spanAttrs.keys()) if (k.startsWith('gen_ai.')) return true;
  return false;
}

interface Sink {
  records: Exchange[];
  lines: number[];
  issues: RecordIssue[];
}

/** Walks one ExportTraceServiceRequest, pushing each GenAI span's exchange or issue. */
function walkRequest(
  doc: unknown,
  file: string,
  line: number,
  accountAttribute: string,
  stats: OtlpStats,
  sink: Sink,
): void {
  const reject = (field: string | null, code: RecordIssue['code'], reason: string): void => {
    sink.issues.push({ file, line, field, code, reason, action: 'rejected' });
  };
  if (!isObj(doc)) {
    reject(null, 'not_an_object', 'not an ExportTraceServiceRequest object');
    return;
  }
  stats.requests++;
  const resourceSpans = doc.resourceSpans;
  if (resourceSpans === undefined) {
    // metrics or logs written by the same collector exporter: not ours, not an error
    if ('resourceMetrics' in doc || 'resourceLogs' in doc) return;
    reject('resourceSpans', 'bad_record', 'no resourceSpans: not an OTLP/JSON trace export');
    return;
  }
  if (!Array.isArray(resourceSpans)) {
    reject('resourceSpans', 'bad_record', 'resourceSpans is not an array');
    return;
  }
  for (let ri = 0; ri < resourceSpans.length; ri++) {
    const rs: unknown = resourceSpans[ri];
    if (!isObj(rs)) {
      reject(`resourceSpans[${ri}]`, 'bad_record', 'not an object');
      continue;
    }
    const resAttrs = attributes(isObj(rs.resource) ? rs.resource.attributes : undefined);
    // instrumentationLibrarySpans: the name before OTLP 0.15, still found in old files
    const scopeSpans = rs.scopeSpans ?? rs.instrumentationLibrarySpans ?? [];
    if (!Array.isArray(scopeSpans)) {
      reject(`resourceSpans[${ri}].scopeSpans`, 'bad_record', 'not an array');
      continue;
    }
    for (let si = 0; si < scopeSpans.length; si++) {
      const ss: unknown = scopeSpans[si];
      const spans = isObj(ss) ? (ss.spans ?? []) : null;
      if (!Array.isArray(spans)) {
        reject(`resourceSpans[${ri}].scopeSpans[${si}]`, 'bad_record', 'spans is not an array');
        continue;
      }
      for (let k = 0; k < spans.length; k++) {
        const span: unknown = spans[k];
        stats.spans++;
        const where = `resourceSpans[${ri}].scopeSpans[${si}].spans[${k}]`;
        if (!isObj(span)) {
          reject(null, 'bad_record', `${where}: span is not an object`);
          continue;
        }
        const spanAttrs = attributes(span.attributes);
        if (!hasGenAi(spanAttrs)) {
          stats.skippedSpans++;
          continue;
        }
        stats.genAiSpans++;
        const obj = spanToExchange(span, spanAttrs, resAttrs, accountAttribute);
        const res = checkRecord('exchanges', obj, file, line);
        if (res.ok) {
          sink.records.push(res.record);
          sink.lines.push(line);
          for (const r of res.repairs) sink.issues.push({ ...r, reason: `${where}: ${r.reason}` });
        } else {
          sink.issues.push({ ...res.issue, reason: `${where}: ${res.issue.reason}` });
        }
      }
    }
  }
}

/** A line that could be a whole request on its own (JSON Lines), judged cheaply. */
function looksLikeRequestLine(text: string): Obj | null {
  const s = text.trim();
  if (s.length < 2 || s[0] !== '{' || s[s.length - 1] !== '}') return null;
  try {
    const v: unknown = JSON.parse(s);
    return isObj(v) ? v : null;
  } catch {
    return null;
  }
}

/**
 * Reads OTLP/JSON traces; yields exchanges. Lines are file lines (for a single document,
 * line 1); each issue's reason names the span (`resourceSpans[i].scopeSpans[j].spans[k]`).
 */
export async function* readOtlp(path: string, opts: OtlpOptions = {}): RecordStream<'exchanges'> {
  const batchSize = batchSizeOf(opts);
  const accountAttribute = opts.accountAttribute ?? DEFAULT_ACCOUNT_ATTRIBUTE;
  const stats: OtlpStats = opts.stats ?? { requests: 0, spans: 0, genAiSpans: 0, skippedSpans: 0 };
  const maxBytes = opts.maxDocumentBytes ?? MAX_OTLP_DOCUMENT_BYTES;
  const source = await openByteSource(path);
  const file = path;
  let sink: Sink = { records: [], lines: [], issues: [] };
  const takeBatch = (): RecordBatch<Exchange> => {
    const batch = { ...sink, bytesRead: source.bytesRead() };
    sink = { records: [], lines: [], issues: [] };
    return batch;
  };
  const full = (): boolean => sink.records.length >= batchSize || sink.issues.length >= batchSize;

  let mode = 'unknown' as 'unknown' | 'lines' | 'document';
  /** Buffered lines of a single document, from line docFirstLine on. */
  let doc: Buffer[] = [];
  let docBytes = 0;
  let docFirstLine = 1;

  const jsonLine = (text: string, line: number): void => {
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch (err) {
      sink.issues.push({
        file,
        line,
        field: null,
        code: 'bad_json',
        reason: (err as Error).message,
        action: 'rejected',
      });
      return;
    }
    walkRequest(v, file, line, accountAttribute, stats, sink);
  };
  /** The buffered "document" turned out to be JSON Lines (its first line was bad): replay it. */
  const replayAsLines = (): void => {
    mode = 'lines';
    const lines = doc;
    doc = [];
    docBytes = 0;
    lines.forEach((b, j) => {
      const text = decodeUtf8(b, 0, b.length);
      if (text === null) {
        sink.issues.push({
          file,
          line: docFirstLine + j,
          field: null,
          code: 'invalid_utf8',
          reason: 'the line is not valid UTF-8',
          action: 'rejected',
        });
      } else if (text.trim() !== '') {
        jsonLine(text, docFirstLine + j);
      }
    });
  };

  const onLine = (bytes: Buffer, line: number): void => {
    let b = bytes;
    if (line === 1 && b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) b = b.subarray(3);
    if (mode === 'document') {
      // a whole request on one line means JSON Lines after all (with a bad first line)
      if (b[0] === 0x7b && b.length > 2) {
        const v = looksLikeRequestLine(b.toString('utf8'));
        if (v !== null && 'resourceSpans' in v) {
          replayAsLines();
          walkRequest(v, file, line, accountAttribute, stats, sink);
          return;
        }
      }
      docBytes += b.length + 1;
      if (docBytes > maxBytes) throw tooLarge(file, maxBytes);
      doc.push(Buffer.from(b)); // copy: b may be a view of a chunk the stream reuses
      return;
    }
    const text = decodeUtf8(b, 0, b.length);
    if (text === null) {
      if (mode === 'unknown') mode = 'lines';
      sink.issues.push({
        file,
        line,
        field: null,
        code: 'invalid_utf8',
        reason: 'the line is not valid UTF-8',
        action: 'rejected',
      });
      return;
    }
    if (text.trim() === '') return;
    if (mode === 'lines') {
      jsonLine(text, line);
      return;
    }
    // mode unknown: the first line decides
    const v = looksLikeRequestLine(text);
    if (v !== null) {
      mode = 'lines';
      walkRequest(v, file, line, accountAttribute, stats, sink);
    } else {
      mode = 'document';
      docBytes = b.length + 1;
      doc = [Buffer.from(b)];
      docFirstLine = line;
    }
  };

  // Line framing on the raw bytes, as in the CSV reader; over-long lines skipped unbuffered.
  let line = 1;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let skipping = false;
  let truncated = false;
  try {
    for await (const chunk of source.chunks) {
      let pos = 0;
      for (;;) {
        const lf = chunk.indexOf(0x0a, pos);
        if (lf === -1) break;
        if (skipping || pendingBytes + lf - pos > maxBytes) {
          if (mode !== 'lines') throw tooLarge(file, maxBytes);
          sink.issues.push({
            file,
            line,
            field: null,
            code: 'line_too_long',
            reason: `line longer than ${maxBytes} bytes skipped`,
            action: 'rejected',
          });
        } else if (pendingBytes > 0) {
          pending.push(chunk.subarray(pos, lf));
          onLine(Buffer.concat(pending, pendingBytes + lf - pos), line);
        } else {
          onLine(chunk.subarray(pos, lf), line);
        }
        pending = [];
        pendingBytes = 0;
        skipping = false;
        line++;
        pos = lf + 1;
        if (full()) yield takeBatch();
      }
      if (pos < chunk.length && !skipping) {
        const tail = chunk.subarray(pos);
        if (pendingBytes + tail.length > maxBytes) {
          if (mode !== 'lines') throw tooLarge(file, maxBytes);
          skipping = true;
          pending = [];
          pendingBytes = 0;
        } else {
          pending.push(Buffer.from(tail));
          pendingBytes += tail.length;
        }
      }
    }
  } catch (err) {
    if (err instanceof FormatError) throw err;
    if (!(source.gzip && isTruncatedGzip(err)))
      throw new FormatError('unreadable', `${file}: ${(err as Error).message}`, file);
    truncated = true;
  }

  if (truncated) {
    const partial = pendingBytes > 0 || skipping || mode === 'document';
    sink.issues.push({
      file,
      line: mode === 'document' ? 1 : line,
      field: null,
      code: 'truncated_file',
      reason: partial
        ? 'the gzip stream ends early; the partial request at its end was dropped'
        : 'the gzip stream ends early',
      action: partial ? 'rejected' : 'file',
    });
  } else {
    if (skipping) {
      sink.issues.push({
        file,
        line,
        field: null,
        code: 'line_too_long',
        reason: `line longer than ${maxBytes} bytes skipped`,
        action: 'rejected',
      });
    } else if (pendingBytes > 0) {
      onLine(Buffer.concat(pending, pendingBytes), line);
    }
    if (mode === 'document') {
      const text = documentText(doc);
      if (text === null) {
        sink.issues.push({
          file,
          line: docFirstLine,
          field: null,
          code: 'invalid_utf8',
          reason: 'the document is not valid UTF-8',
          action: 'rejected',
        });
      } else {
        let v: unknown;
        let parsed = true;
        try {
          v = JSON.parse(text);
        } catch {
          parsed = false;
        }
        if (parsed) walkRequest(v, file, docFirstLine, accountAttribute, stats, sink);
        else replayAsLines(); // not one JSON value: report it line by line
      }
    }
  }
  if (sink.records.length > 0 || sink.issues.length > 0) {
    // a single document can hold more spans than a batch: hand them out batchSize at a time
    while (sink.records.length > batchSize) {
      const records = sink.records.splice(0, batchSize);
      const lines = sink.lines.splice(0, batchSize);
      const issues = sink.issues.splice(0, sink.issues.length);
      yield { records, lines, issues, bytesRead: source.bytesRead() };
    }
    yield takeBatch();
  }
}

function tooLarge(file: string, maxBytes: number): FormatError {
  return new FormatError(
    'unreadable',
    `${file}: a single OTLP/JSON document larger than ${maxBytes} bytes cannot be read whole; ` +
      'write it as JSON Lines, one ExportTraceServiceRequest per line (the OpenTelemetry Collector file exporter does so)',
    file,
  );
}

/** The lines of a single document joined back, or null if any is not UTF-8. */
function documentText(lines: Buffer[]): string | null {
  const parts: string[] = [];
  for (const b of lines) {
    const t = decodeUtf8(b, 0, b.length);
    if (t === null) return null;
    parts.push(t);
  }
  return parts.join('\n');
}
