/**
 * Password hashing with scrypt (node:crypto, RFC 7914), stored as
 * `scrypt$N$r$p$salt$hash` (base64url) so that the cost can be raised later without breaking
 * existing hashes. Verification recomputes with the stored parameters and compares in constant
 * time.
 */
import { randomBytes, type ScryptOptions, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';

/** Cost parameters: N = 2^15 takes ~0.1 s and 32 MiB here, OWASP's 2023 minimum for scrypt
 * (N=2^17 is their first choice, but a login every ~0.4 s on 2 shared cores is too slow a page). */
export const SCRYPT_N = 32_768;
export const SCRYPT_R = 8;
export const SCRYPT_P = 1;
const KEY_BYTES = 32;
const SALT_BYTES = 16;
/** NIST SP 800-63B asks for at least 8 characters; generated passwords have 24. */
export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 256;

function scrypt(password: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  const opts: ScryptOptions = { N: n, r, p, maxmem: 256 * n * r + 1024 * 1024 };
  return new Promise((resolve, reject) =>
    scryptCb(password.normalize('NFKC'), salt, KEY_BYTES, opts, (err, key) =>
      err === null ? resolve(key) : reject(err),
    ),
  );
}

export async function hashPassword(password: string, n = SCRYPT_N): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await scrypt(password, salt, n, SCRYPT_R, SCRYPT_P);
  return ['scrypt', n, SCRYPT_R, SCRYPT_P, salt.toString('base64url'), key.toString('base64url')].join('$');
}

const HASH_RE = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/;

export function isPasswordHash(s: string): boolean {
  return HASH_RE.test(s);
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const m = HASH_RE.exec(stored);
  if (m === null || password.length > MAX_PASSWORD_LENGTH) return false;
  const [n, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const expected = Buffer.from(m[5] as string, 'base64url');
  const key = await scrypt(password, Buffer.from(m[4] as string, 'base64url'), n, r, p);
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** A random password of 24 URL-safe characters (144 bits). */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}

/** A hash that no password matches, checked against when the user does not exist, so that a
 * login for an unknown name costs as much time as one for a known name. */
export const DUMMY_HASH = `scrypt$${SCRYPT_N}$${SCRYPT_R}$${SCRYPT_P}$${Buffer.alloc(SALT_BYTES).toString('base64url')}$${Buffer.alloc(KEY_BYTES).toString('base64url')}`;
