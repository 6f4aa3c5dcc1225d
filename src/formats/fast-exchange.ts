/**
 * The hot path of exchange validation. zod checks ~250k objects/s on this machine, which
 * alone would cap ingest below its 300k/s target, so well-formed exchanges (the vast
 * majority of any real log) are checked here by hand, field by field, against the same
 * rules as `ExchangeIn` in schemas.ts. Anything this function is unsure of returns
 * `undefined` and goes through zod (`validateRecord`), which produces the issue text, so
 * there is one source of truth for what is rejected and why. `fast-exchange.test.ts`
 * checks that both paths agree on random and mutated records.
 */
import { isIP } from 'node:net';
import {
  EXCHANGE_FIELDS,
  type Exchange,
  FINGERPRINT_RE,
  MAX_TEXT_CHARS,
  MAX_TS_MS,
  MIN_TS_MS,
  parseTimestamp,
} from './schemas.js';
import { setField } from './validate.js';

function str(v: unknown, max: number): v is string {
  return typeof v === 'string' && v.length <= max;
}
function count(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}
function text(v: unknown): v is string {
  // A NUL or an over-long text needs a repair: leave it to the slow path, which records it.
  return typeof v === 'string' && v.length <= MAX_TEXT_CHARS && !v.includes('\u0000');
}

let cachedDayKey = -1;
let cachedDayMs = 0;

function digit(s: string, i: number): number {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : Number.NaN;
}

/**
 * `YYYY-MM-DDTHH:MM:SS.mmmZ` — the form almost every log writer emits (toISOString) —
 * parsed from char codes, with the day's epoch cached because consecutive records share
 * it. Returns NaN for anything else, and the caller falls back to `parseTimestamp`.
 */
export function parseIsoMillisUtc(s: string): number {
  if (s.length !== 24 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84)
    return Number.NaN;
  if (
    s.charCodeAt(13) !== 58 ||
    s.charCodeAt(16) !== 58 ||
    s.charCodeAt(19) !== 46 ||
    s.charCodeAt(23) !== 90
  ) {
    return Number.NaN;
  }
  const y = digit(s, 0) * 1000 + digit(s, 1) * 100 + digit(s, 2) * 10 + digit(s, 3);
  const mo = digit(s, 5) * 10 + digit(s, 6);
  const d = digit(s, 8) * 10 + digit(s, 9);
  const h = digit(s, 11) * 10 + digit(s, 12);
  const mi = digit(s, 14) * 10 + digit(s, 15);
  const sec = digit(s, 17) * 10 + digit(s, 18);
  const ms = digit(s, 20) * 100 + digit(s, 21) * 10 + digit(s, 22);
  // NaN fails every comparison below, so a non-digit anywhere ends here
  if (!(mo >= 1 && mo <= 12 && d >= 1 && h <= 23 && mi <= 59 && sec <= 59 && ms >= 0)) return Number.NaN;
  const key = y * 10000 + mo * 100 + d;
  if (key !== cachedDayKey) {
    if (d > new Date(Date.UTC(y, mo, 0)).getUTCDate()) return Number.NaN;
    cachedDayMs = Date.UTC(y, mo - 1, d);
    cachedDayKey = key;
  }
  return cachedDayMs + h * 3_600_000 + mi * 60_000 + sec * 1000 + ms;
}

const KNOWN: ReadonlySet<string> = new Set([...EXCHANGE_FIELDS, 'harvest']);

/**
 * Returns the validated exchange, or undefined when the slow path must decide. The input
 * is the reader's own freshly parsed object: in the common case it is normalised in place
 * and returned, so callers must not reuse it.
 */
export function fastExchange(input: Record<string, unknown>): Exchange | undefined {
  let ts = 0;
  let ip = '';
  let fingerprint: string | undefined;
  let plain = true; // no null and no unknown field: the parsed object can be reused as it is
  let required = 0;
  for (const key in input) {
    const v = input[key];
    if (v === null && KNOWN.has(key)) {
      plain = false; // null means absent, as in validateRecord
      continue;
    }
    switch (key) {
      case 'ts': {
        if (typeof v === 'number' ? !Number.isFinite(v) : typeof v !== 'string') return undefined;
        let ms = typeof v === 'string' ? parseIsoMillisUtc(v) : Number.NaN;
        if (Number.isNaN(ms)) ms = parseTimestamp(v);
        if (!(ms >= MIN_TS_MS && ms <= MAX_TS_MS)) return undefined;
        ts = ms;
        required |= 1;
        break;
      }
      case 'account_id':
        if (typeof v !== 'string' || v.length === 0 || v.length > 512) return undefined;
        required |= 2;
        break;
      case 'ip': {
        if (typeof v !== 'string') return undefined;
        const family = isIP(v);
        if (family === 0) return undefined; // (the slow path also accepts surrounding spaces)
        ip = family === 6 ? v.toLowerCase() : v;
        required |= 4;
        break;
      }
      case 'request_id':
        if (typeof v !== 'string' || v.length === 0 || v.length > 512) return undefined;
        break;
      case 'api_key_id':
      case 'end_user_id':
      case 'tls_fingerprint':
        if (!str(v, 512)) return undefined;
        break;
      case 'user_agent':
      case 'forwarded_for':
        if (!str(v, 2048)) return undefined;
        break;
      case 'endpoint':
      case 'model':
        if (!str(v, 256)) return undefined;
        break;
      case 'input_tokens':
      case 'output_tokens':
      case 'tool_count':
        if (!count(v)) return undefined;
        break;
      case 'status':
        if (!(typeof v === 'number' && Number.isSafeInteger(v) && v >= 100 && v <= 599)) return undefined;
        break;
      case 'latency_ms':
        if (!(typeof v === 'number' && Number.isFinite(v) && v >= 0)) return undefined;
        break;
      case 'turns':
        if (!(typeof v === 'number' && Number.isSafeInteger(v) && v >= 1)) return undefined;
        break;
      case 'max_tokens':
        if (!(typeof v === 'number' && Number.isSafeInteger(v))) return undefined;
        break;
      case 'temperature':
        if (!(typeof v === 'number' && Number.isFinite(v))) return undefined;
        break;
      case 'reasoning':
      case 'harvest':
        if (typeof v !== 'boolean') return undefined;
        break;
      case 'system_prompt':
      case 'prompt':
        if (!text(v)) return undefined;
        break;
      case 'prompt_fingerprint':
        if (typeof v !== 'string') return undefined;
        {
          const lower = v.toLowerCase();
          if (!FINGERPRINT_RE.test(lower)) return undefined;
          fingerprint = lower;
        }
        break;
      default:
        plain = false;
    }
  }
  if (required !== 7) return undefined;
  if (plain) {
    // The common case: reuse the parsed object (half the allocation, much less GC).
    input.ts = ts;
    input.ip = ip;
    if (fingerprint !== undefined) input.prompt_fingerprint = fingerprint;
    return input as unknown as Exchange;
  }
  const out: Record<string, unknown> = {};
  let extra: Record<string, unknown> | undefined;
  for (const key in input) {
    const v = input[key];
    if (!KNOWN.has(key)) {
      extra ??= {};
      setField(extra, key, v);
    } else if (v !== null) out[key] = v;
  }
  out.ts = ts;
  out.ip = ip;
  if (fingerprint !== undefined) out.prompt_fingerprint = fingerprint;
  if (extra !== undefined) out.extra = extra;
  return out as unknown as Exchange;
}
