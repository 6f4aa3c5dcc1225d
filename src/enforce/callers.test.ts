import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keyTable, loadKeysFile, resolveCaller, sha256Hex } from './callers.js';

const headers = (h: Record<string, string>) => (n: string) => h[n];

describe('keys file', () => {
  it('maps keys (raw or as SHA-256) to accounts and never keeps a raw key', () => {
    const t = keyTable({
      keys: [
        { account_id: 'acct_1', key: 'sk-one', key_id: 'prod' },
        { account_id: 'acct_2', key_sha256: sha256Hex('sk-two').toUpperCase() },
      ],
    });
    expect([...t.keys()]).toEqual([sha256Hex('sk-one'), sha256Hex('sk-two')]);
    expect(JSON.stringify([...t.entries()])).not.toContain('sk-one');
    expect(resolveCaller(headers({ authorization: 'Bearer sk-one' }), { keys: t })).toEqual({
      account: 'acct_1',
      api_key_id: 'prod',
      via: 'key',
    });
    expect(resolveCaller(headers({ 'x-api-key': 'sk-two' }), { keys: t })).toMatchObject({
      account: 'acct_2',
      api_key_id: `sha256:${sha256Hex('sk-two').slice(0, 12)}`,
    });
  });

  it('names the file, the field and the reason of a bad entry, with a stable code', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dg-keys-'));
    const p = join(dir, 'keys.json');
    writeFileSync(
      p,
      JSON.stringify({
        keys: [
          { account_id: 'a', key: 'k' },
          { account_id: 'b', key_sha256: 'xyz' },
        ],
      }),
    );
    expect(() => loadKeysFile(p)).toThrowError(
      expect.objectContaining({ code: 'bad_keys_file', field: 'keys[1].key_sha256' }),
    );
    expect(() => loadKeysFile(p)).toThrow(/keys\.json: keys\[1\]\.key_sha256: must be 64 hex digits/);
    writeFileSync(p, '{ not json');
    expect(() => loadKeysFile(p)).toThrowError(expect.objectContaining({ code: 'bad_keys_file' }));
    writeFileSync(p, JSON.stringify({ keys: [{ account_id: 'a' }] }));
    expect(() => loadKeysFile(p)).toThrow(/exactly one of "key" and "key_sha256"/);
    expect(() => loadKeysFile(join(dir, 'missing.json'))).toThrowError(
      expect.objectContaining({ code: 'bad_keys_file' }),
    );
  });
});

describe('resolveCaller', () => {
  it('prefers the trusted header when configured, keeps the key id', () => {
    const c = resolveCaller(headers({ 'x-distillguard-account': 'org_9', authorization: 'Bearer k' }), {
      accountHeader: 'x-distillguard-account',
    });
    expect(c).toMatchObject({
      account: 'org_9',
      via: 'header',
      api_key_id: `sha256:${sha256Hex('k').slice(0, 12)}`,
    });
  });

  it('an unknown key is its own account; no credential is anonymous', () => {
    expect(resolveCaller(headers({ authorization: 'Bearer zzz' }), {})).toMatchObject({
      account: `key:${sha256Hex('zzz').slice(0, 12)}`,
      via: 'unknown_key',
    });
    expect(resolveCaller(headers({}), {})).toEqual({ account: 'anonymous', via: 'anonymous' });
  });
});
