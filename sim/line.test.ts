import { describe, expect, it } from 'vitest';
import { RequestIds } from './engine.js';
import { ascii, bytes, jsonString, jsonStringChars, num, three, two } from './line.js';
import { Rng } from './rng.js';

/** Runs a writer on a fresh buffer and returns what it wrote. */
function out(write: (buf: Buffer, p: number) => number): string {
  const buf = Buffer.alloc(1 << 16);
  const end = write(buf, 3);
  return buf.subarray(3, end).toString('utf8');
}

describe('line encoders', () => {
  it('write numbers exactly as String(n)', () => {
    const xs = [
      0,
      -0,
      1,
      9,
      10,
      99,
      100,
      12345,
      4294967295,
      4294967296,
      1e21,
      -3,
      0.25,
      0.1 + 0.2,
      Number.NaN,
    ];
    for (const x of xs) expect(out((b, p) => num(b, p, x))).toBe(String(x));
    for (let x = 0; x < 100; x++) expect(out((b, p) => two(b, p, x))).toBe(String(x).padStart(2, '0'));
    for (let x = 0; x < 1000; x += 7) expect(out((b, p) => three(b, p, x))).toBe(String(x).padStart(3, '0'));
  });

  it('writes ASCII and falls back to UTF-8 from the first other char', () => {
    for (const s of ['', 'org_abc', 'Anthropic/Python 0.40.0', 'café', '東京 x', 'a🙂b'])
      expect(out((b, p) => ascii(b, p, s))).toBe(s);
    const src = Buffer.from('0123456789'.repeat(10));
    expect(out((b, p) => bytes(b, p, src.subarray(0, 7)))).toBe('0123456');
    expect(out((b, p) => bytes(b, p, src))).toBe(src.toString());
  });

  it('JSON-encodes strings to the bytes of Buffer.from(JSON.stringify(s))', () => {
    const fixed = [
      '',
      'plain',
      'quote " backslash \\ slash /',
      'ctl \b\f\n\r\t \u0000 \u0001 \u001f \u007f',
      'é ß ñ 東京 請一步一步思考 \u2028 \u2029',
      'pair 🙂 and lone \ud800 x \udfff \ud83d',
      '\ud83d\ude42\ud83d',
    ];
    const rng = new Rng(1, 'line-test');
    const between = (lo: number, hi: number) => lo + rng.int(hi - lo + 1);
    const random: string[] = [];
    for (let k = 0; k < 300; k++) {
      let s = '';
      const n = between(0, 40);
      for (let i = 0; i < n; i++) {
        const r = rng.next();
        s += String.fromCharCode(
          r < 0.5
            ? between(0x20, 0x7e)
            : r < 0.6
              ? between(0, 0x1f)
              : r < 0.8
                ? between(0x80, 0x7ff)
                : between(0x800, 0xffff),
        );
      }
      random.push(s);
    }
    for (const s of [...fixed, ...random]) {
      const buf = Buffer.alloc(6 * s.length + 2);
      const want = Buffer.from(JSON.stringify(s));
      expect(buf.subarray(0, jsonString(buf, 0, s)).equals(want)).toBe(true);
      expect(buf.subarray(0, jsonStringChars(buf, 0, s)).equals(want)).toBe(true);
    }
  });

  it('writes request ids exactly as RequestIds#next returns them', () => {
    const a = new RequestIds(0x12345678, 0x9abcdef0);
    const b = new RequestIds(0x12345678, 0x9abcdef0);
    for (let i = 0; i < 1000; i++) expect(out((buf, p) => b.writeNext(buf, p))).toBe(a.next());
  });
});
