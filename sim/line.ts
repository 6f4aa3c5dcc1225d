/**
 * Byte-level helpers that encode an exchange line straight into the writer's buffer
 * (`JsonlWriter.room`): ASCII fields by a char-code loop, integers digit by digit, timestamps
 * from their parts, recurring UTF-8 text copied from bytes encoded once. They produce exactly the
 * bytes of the template-string line they replace (`String(n)` for numbers, UTF-8 for text), so
 * the simulator's output does not depend on which path built it.
 */

/** Writes `s` at `p` and returns the end. ASCII (every id, IP, key, model, endpoint) takes the
 * fast loop; from the first non-ASCII char on, the rest goes through UTF-8 encoding. The caller
 * must have made room for `3 * s.length` bytes. */
export function ascii(buf: Buffer, p: number, s: string): number {
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) return p + i + buf.write(s.slice(i), p + i);
    buf[p + i] = c;
  }
  return p + n;
}

/** Copies pre-encoded bytes (`set` measured faster than a loop even for 20 bytes). */
export function bytes(buf: Buffer, p: number, src: Uint8Array): number {
  buf.set(src, p);
  return p + src.length;
}

/** Largest integer written digit by digit; anything else (fractions, NaN, huge) uses `String`. */
const MAX_FAST_INT = 0xffffffff;

/** Writes a number as `String(x)` would, with a digit loop for non-negative integers. */
export function num(buf: Buffer, p: number, x: number): number {
  if (!(x >= 0 && x <= MAX_FAST_INT && Math.floor(x) === x)) return ascii(buf, p, String(x));
  if (x < 10) {
    buf[p] = 48 + x;
    return p + 1;
  }
  let digits = 1;
  for (let y = x; y >= 10; y = Math.floor(y / 10)) digits++;
  let q = p + digits;
  let y = x;
  while (q > p) {
    const d = Math.floor(y / 10);
    buf[--q] = 48 + (y - d * 10);
    y = d;
  }
  return p + digits;
}

/** Writes `x` (0–99) as two digits. */
export function two(buf: Buffer, p: number, x: number): number {
  const t = Math.floor(x / 10);
  buf[p] = 48 + t;
  buf[p + 1] = 48 + (x - t * 10);
  return p + 2;
}

/** Writes `x` (0–999) as three digits. */
export function three(buf: Buffer, p: number, x: number): number {
  const h = Math.floor(x / 100);
  buf[p] = 48 + h;
  return two(buf, p + 1, x - h * 100);
}

/** Lower-case hex digits by value. */
const HEX = Uint8Array.from('0123456789abcdef', (c) => c.charCodeAt(0));

/** Writes `\uXXXX` (lower-case hex, as `JSON.stringify` does). */
function u4(buf: Buffer, p: number, c: number): number {
  buf[p] = 92;
  buf[p + 1] = 117;
  buf[p + 2] = HEX[(c >> 12) & 15] as number;
  buf[p + 3] = HEX[(c >> 8) & 15] as number;
  buf[p + 4] = HEX[(c >> 4) & 15] as number;
  buf[p + 5] = HEX[c & 15] as number;
  return p + 6;
}

/** Writes the JSON escape of the code unit `c` (a quote, backslash or control character). */
function jsonEscape(buf: Buffer, p: number, c: number): number {
  buf[p] = 92;
  switch (c) {
    case 34:
    case 92:
      buf[p + 1] = c;
      return p + 2;
    case 8:
      buf[p + 1] = 98; // b
      return p + 2;
    case 12:
      buf[p + 1] = 102; // f
      return p + 2;
    case 10:
      buf[p + 1] = 110; // n
      return p + 2;
    case 13:
      buf[p + 1] = 114; // r
      return p + 2;
    case 9:
      buf[p + 1] = 116; // t
      return p + 2;
    default:
      return u4(buf, p, c);
  }
}

/** Any surrogate: the only code units whose JSON escaping cannot be decided from UTF-8 bytes
 * (a lone one is escaped as `\udxxx`, while UTF-8 encoding would replace it with U+FFFD). */
const SURROGATE = /[\ud800-\udfff]/;

/** Scratch space for the UTF-8 bytes of a string before escaping (grows as needed). */
let scratch = Buffer.allocUnsafe(1 << 16);

/**
 * Writes `s` as a JSON string literal in UTF-8: the bytes of `Buffer.from(JSON.stringify(s))`
 * (short escapes for `"` `\` and \b \f \n \r \t, `\u00xx` for other control characters, `\udxxx`
 * for lone surrogates), without the two intermediate strings. The string is UTF-8 encoded
 * natively into scratch space, then copied byte by byte with escapes (bytes of multi-byte UTF-8
 * characters are ≥ 0x80, never escaped): measured ~2× faster than a char-code loop and than
 * `JSON.stringify` + encoding on prompt text. Strings with surrogates take the char-code loop.
 * The caller must have made room for `6 * s.length + 2` bytes.
 */
export function jsonString(buf: Buffer, p: number, s: string): number {
  if (SURROGATE.test(s)) return jsonStringChars(buf, p, s);
  if (scratch.length < 3 * s.length) scratch = Buffer.allocUnsafe(6 * s.length);
  const sc = scratch;
  const m = sc.write(s, 0);
  buf[p++] = 34;
  for (let i = 0; i < m; i++) {
    const b = sc[i] as number;
    if (b >= 0x20 && b !== 34 && b !== 92) buf[p++] = b;
    else p = jsonEscape(buf, p, b);
  }
  buf[p++] = 34;
  return p;
}

/** `jsonString` by char codes (any string, lone surrogates included). */
export function jsonStringChars(buf: Buffer, p: number, s: string): number {
  buf[p++] = 34;
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      if (c >= 0x20 && c !== 34 && c !== 92) buf[p++] = c;
      else p = jsonEscape(buf, p, c);
    } else if (c < 0x800) {
      buf[p] = 0xc0 | (c >> 6);
      buf[p + 1] = 0x80 | (c & 63);
      p += 2;
    } else if (c < 0xd800 || c > 0xdfff) {
      buf[p] = 0xe0 | (c >> 12);
      buf[p + 1] = 0x80 | ((c >> 6) & 63);
      buf[p + 2] = 0x80 | (c & 63);
      p += 3;
    } else {
      const d = c <= 0xdbff && i + 1 < n ? s.charCodeAt(i + 1) : 0;
      if (d >= 0xdc00 && d <= 0xdfff) {
        const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        buf[p] = 0xf0 | (cp >> 18);
        buf[p + 1] = 0x80 | ((cp >> 12) & 63);
        buf[p + 2] = 0x80 | ((cp >> 6) & 63);
        buf[p + 3] = 0x80 | (cp & 63);
        p += 4;
        i++;
      } else p = u4(buf, p, c);
    }
  }
  buf[p++] = 34;
  return p;
}
