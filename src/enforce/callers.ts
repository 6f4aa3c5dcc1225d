/**
 * Who is calling: API key → account through a keys file, or a trusted header set by an edge in
 * front of the gateway. Keys are held as SHA-256 digests only, and an exchange names a key by
 * its `key_id` from the file or by a prefix of its digest: raw keys never reach memory beyond the
 * request that carried them, nor any log or record.
 */
import * as crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { EnforceError } from './errors.js';

const SHA256_HEX = /^[0-9a-f]{64}$/;

const KeyEntry = z
  .object({
    account_id: z.string().min(1).max(512),
    /** The key itself (hashed on load); prefer key_sha256 in files that are shared. */
    key: z.string().min(1).optional(),
    key_sha256: z
      .string()
      .toLowerCase()
      .regex(SHA256_HEX, 'must be 64 hex digits (SHA-256 of the key)')
      .optional(),
    key_id: z.string().min(1).max(512).optional(),
  })
  .strict()
  .refine((e) => (e.key === undefined) !== (e.key_sha256 === undefined), {
    message: 'give exactly one of "key" and "key_sha256"',
  });

export const KeysFile = z.object({ keys: z.array(KeyEntry) }).strict();
export type KeysFile = z.input<typeof KeysFile>;

export interface KeyInfo {
  account_id: string;
  key_id: string;
}

/** The `api_key_id` of a key the file does not name: `sha256:` and the first 12 hex digits of its
 * digest (48 bits: distinct across millions of keys, useless for recovering the key). */
export function keyIdOf(digest: string): string {
  return `sha256:${digest.slice(0, 12)}`;
}

/** One-shot `crypto.hash` (Node >= 20.12) where there is one: a quarter of the cost of a
 * `createHash` object per request (~1 µs against ~4.5 µs here), and this runs for every call. */
const oneShot = (crypto as { hash?: (alg: string, data: string, enc: 'hex') => string }).hash;

export function sha256Hex(s: string): string {
  return oneShot !== undefined
    ? oneShot('sha256', s, 'hex')
    : crypto.createHash('sha256').update(s).digest('hex');
}

/** key digest → account, from a parsed keys file. */
export function keyTable(file: KeysFile, path = '<keys>'): Map<string, KeyInfo> {
  const parsed = KeysFile.safeParse(file);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('') ?? '';
    throw new EnforceError(
      'bad_keys_file',
      `${path}: ${field.replace(/^\./, '') || '(top level)'}: ${issue?.message ?? 'invalid'} (expected {"keys": [{"account_id", "key" | "key_sha256", "key_id"?}]})`,
      path,
      field.replace(/^\./, ''),
    );
  }
  const table = new Map<string, KeyInfo>();
  parsed.data.keys.forEach((e, i) => {
    const digest = e.key_sha256 ?? sha256Hex(e.key ?? '');
    if (table.has(digest))
      throw new EnforceError(
        'bad_keys_file',
        `${path}: keys[${i}]: the same key is listed twice`,
        path,
        `keys[${i}]`,
      );
    table.set(digest, { account_id: e.account_id, key_id: e.key_id ?? keyIdOf(digest) });
  });
  return table;
}

export function loadKeysFile(path: string): Map<string, KeyInfo> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new EnforceError(
      'bad_keys_file',
      `${path}: cannot read the keys file (${(e as Error).message})`,
      path,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new EnforceError('bad_keys_file', `${path}: not valid JSON (${(e as Error).message})`, path);
  }
  return keyTable(json as KeysFile, path);
}

/** The key a request presents: OpenAI `Authorization: Bearer`, Anthropic `x-api-key`. */
export function presentedKey(
  authorization: string | undefined,
  xApiKey: string | undefined,
): string | undefined {
  if (xApiKey !== undefined && xApiKey !== '') return xApiKey;
  if (authorization === undefined) return undefined;
  const m = /^Bearer\s+(.+)$/i.exec(authorization);
  return m?.[1]?.trim();
}

export interface Caller {
  account: string;
  api_key_id?: string;
  /** How the account was found. */
  via: 'header' | 'key' | 'unknown_key' | 'anonymous';
}

export interface CallerResolverOptions {
  keys?: Map<string, KeyInfo>;
  /** A header that names the account, set by a trusted edge (lower case). */
  accountHeader?: string;
}

export type HeaderGetter = (name: string) => string | undefined;

/**
 * Header first (when configured), then the key table; a key the table does not know becomes its
 * own account `key:<digest prefix>` (so it is still counted, throttled and captured), and a request
 * without any credential `anonymous`.
 */
export function resolveCaller(get: HeaderGetter, opts: CallerResolverOptions): Caller {
  const key = presentedKey(get('authorization'), get('x-api-key'));
  const digest = key !== undefined ? sha256Hex(key) : undefined;
  const known = digest !== undefined ? opts.keys?.get(digest) : undefined;
  const keyId = known?.key_id ?? (digest !== undefined ? keyIdOf(digest) : undefined);
  if (opts.accountHeader !== undefined) {
    const a = get(opts.accountHeader);
    if (a !== undefined && a !== '')
      return keyId !== undefined
        ? { account: a, api_key_id: keyId, via: 'header' }
        : { account: a, via: 'header' };
  }
  if (known !== undefined) return { account: known.account_id, api_key_id: known.key_id, via: 'key' };
  if (digest !== undefined && keyId !== undefined)
    return { account: `key:${digest.slice(0, 12)}`, api_key_id: keyId, via: 'unknown_key' };
  return { account: 'anonymous', via: 'anonymous' };
}
