/**
 * One record (a plain JS object from JSON, a CSV row after coercion, a Parquet row, an
 * OTLP span after mapping) → a validated record or one issue. Every reader calls this,
 * so every format rejects and repairs the same way.
 */
import type { z } from 'zod';
import type { IssueCode, RecordIssue } from './issues.js';
import { MAX_TEXT_CHARS, RECORD_SCHEMAS, type RecordKind, type RecordOf } from './schemas.js';

export type Validated<T> =
  | { ok: true; record: T; repairs: RecordIssue[] }
  | { ok: false; issue: RecordIssue };

/** Fields cut at MAX_TEXT_CHARS and cleaned of NUL characters before validation. */
const TEXT_FIELDS = ['prompt', 'system_prompt'] as const;

/** The JSON type each field has on the wire, for readers of untyped text (CSV). */
export type FieldType = 'string' | 'integer' | 'number' | 'boolean' | 'timestamp' | 'nullable_string';
export const FIELD_TYPES: {
  [K in RecordKind]: Record<(typeof RECORD_SCHEMAS)[K]['fields'][number], FieldType>;
} = {
  exchanges: {
    ts: 'timestamp',
    account_id: 'string',
    ip: 'string',
    request_id: 'string',
    api_key_id: 'string',
    end_user_id: 'string',
    user_agent: 'string',
    tls_fingerprint: 'string',
    forwarded_for: 'string',
    endpoint: 'string',
    model: 'string',
    input_tokens: 'integer',
    output_tokens: 'integer',
    status: 'integer',
    latency_ms: 'number',
    turns: 'integer',
    tool_count: 'integer',
    reasoning: 'boolean',
    max_tokens: 'integer',
    temperature: 'number',
    system_prompt: 'string',
    prompt: 'string',
    prompt_fingerprint: 'string',
  },
  accounts: {
    account_id: 'string',
    created_at: 'timestamp',
    pathway: 'string',
    country: 'string',
    email_domain: 'string',
    payment_fingerprint: 'string',
    verified: 'boolean',
    org_name: 'string',
    trust: 'string',
  },
  releases: { model: 'string', released_at: 'timestamp' },
  labels: { account_id: 'string', label: 'string', campaign_id: 'nullable_string', archetype: 'string' },
};

function issueFromZod(
  error: z.ZodError,
  file: string,
  line: number,
  obj: Record<string, unknown>,
): RecordIssue {
  const first = error.issues[0];
  const field = first && first.path.length > 0 ? first.path.map(String).join('.') : null;
  let code: IssueCode = 'bad_value';
  if (first) {
    const custom = first.code === 'custom' ? (first.params as { dg?: IssueCode } | undefined)?.dg : undefined;
    if (custom) code = custom;
    else if (first.code === 'invalid_type') {
      const top = first.path[0];
      code =
        top !== undefined && (obj[String(top)] === undefined || obj[String(top)] === null)
          ? 'missing_field'
          : 'wrong_type';
    } else if (
      first.code === 'too_small' &&
      typeof obj[String(first.path[0])] === 'string' &&
      obj[String(first.path[0])] === ''
    ) {
      code = 'missing_field';
    }
  }
  const reason = first ? `${field ?? 'record'}: ${first.message}` : 'invalid record';
  return { file, line, field, code, reason, action: 'rejected' };
}

/**
 * Validates one object. Known fields go through the zod schema; unknown ones are kept in
 * `extra` (formats.md: unknown fields are kept, never an error). `null` in an optional
 * field means absent.
 */
export function validateRecord<K extends RecordKind>(
  kind: K,
  input: unknown,
  file: string,
  line: number,
): Validated<RecordOf[K]> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return {
      ok: false,
      issue: {
        file,
        line,
        field: null,
        code: 'not_an_object',
        reason: 'record is not a JSON object',
        action: 'rejected',
      },
    };
  }
  const { schema, fields } = RECORD_SCHEMAS[kind];
  const known = new Set<string>(fields);
  if (kind === 'exchanges') known.add('harvest');
  const obj: Record<string, unknown> = {};
  let extra: Record<string, unknown> | undefined;
  const repairs: RecordIssue[] = [];
  for (const [key, value] of Object.entries(input as Record<string, unknown>)) {
    if (!known.has(key)) {
      extra ??= {};
      setField(extra, key, value);
      continue;
    }
    if (value === null && !(kind === 'labels' && key === 'campaign_id')) continue;
    obj[key] = value;
  }
  if (kind === 'exchanges') {
    for (const f of TEXT_FIELDS) {
      const v = obj[f];
      if (typeof v === 'string') obj[f] = repairText(v, f, file, line, repairs);
    }
  }
  const parsed = (schema as z.ZodType).safeParse(obj);
  if (!parsed.success) return { ok: false, issue: issueFromZod(parsed.error, file, line, obj) };
  const record = parsed.data as RecordOf[K];
  if (extra) (record as { extra?: Record<string, unknown> }).extra = extra;
  return { ok: true, record, repairs };
}

/** `obj[key] = value`, also for a key named `__proto__` (kept as data, never a prototype). */
export function setField(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Removes NUL characters and cuts text over MAX_TEXT_CHARS, recording each repair. */
export function repairText(
  v: string,
  field: string,
  file: string,
  line: number,
  repairs: RecordIssue[],
): string {
  let s = v;
  if (s.includes('\u0000')) {
    s = s.replaceAll('\u0000', '');
    repairs.push({
      file,
      line,
      field,
      code: 'nul_removed',
      reason: `${field}: NUL characters removed`,
      action: 'repaired',
    });
  }
  if (s.length > MAX_TEXT_CHARS) {
    repairs.push({
      file,
      line,
      field,
      code: 'text_truncated',
      reason: `${field}: ${s.length} characters cut to ${MAX_TEXT_CHARS}`,
      action: 'repaired',
    });
    s = s.slice(0, MAX_TEXT_CHARS);
  }
  return s;
}
