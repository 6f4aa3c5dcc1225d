/**
 * Identity of records for idempotent ingest, shared by every adapter so that they agree
 * on what a duplicate is.
 */
import { createHash } from 'node:crypto';
import { EXCHANGE_FIELDS, type Exchange } from '../formats/index.js';

/** Every field of an exchange that is stored, in a fixed order (harvest is simulator ground truth). */
const HASHED_FIELDS = [...EXCHANGE_FIELDS, 'harvest'] as const;

function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) out[k] = sortedKeys((value as Record<string, unknown>)[k]);
    return out;
  }
  return value;
}

/**
 * Content hash of an exchange without `request_id`: SHA-256 over the canonical JSON of
 * every stored field (absent fields as null) and `extra` with sorted keys. SHA-256 rather
 * than a fast 64-bit hash because a sender who could forge collisions could make real
 * exchanges vanish as "duplicates".
 */
export function exchangeContentHash(e: Exchange): string {
  const values: unknown[] = [];
  const rec = e as unknown as Record<string, unknown>;
  for (const f of HASHED_FIELDS) values.push(rec[f] ?? null);
  values.push(e.extra === undefined ? null : sortedKeys(e.extra));
  return createHash('sha256').update(JSON.stringify(values)).digest('hex');
}

/**
 * The dedup key of an exchange: `r:` + request_id, else `h:` + content hash. The prefixes
 * keep the two spaces apart (a request_id can never equal another record's hash key).
 */
export function exchangeKey(e: Exchange): string {
  return e.request_id !== undefined ? `r:${e.request_id}` : `h:${exchangeContentHash(e)}`;
}
