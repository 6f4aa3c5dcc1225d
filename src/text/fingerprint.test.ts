import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { mulberry32 as rng } from '../rng/index.js';
import {
  EMPTY_FINGERPRINT,
  FINGERPRINT_VERSION,
  type FingerprintHalves,
  fingerprintHashesHalves,
  fingerprintTokenHash,
  fingerprintTokensHalves,
  formatFingerprint,
  hammingDistance,
  hammingDistanceHalves,
  isFingerprint,
  parseFingerprint,
  promptFingerprint,
  promptFingerprintHalves,
} from './fingerprint.js';
import { promptTokens } from './normalize.js';

const DOC = fileURLToPath(new URL('../../docs/fingerprint.md', import.meta.url));
const PROMPTS = fileURLToPath(new URL('../../sim/data/prompts/', import.meta.url));

/** The fenced ```json block that follows `marker` in docs/fingerprint.md. */
function docJson<T>(marker: string): T {
  const doc = readFileSync(DOC, 'utf8');
  const at = doc.indexOf(marker);
  expect(at, `marker ${marker} in docs/fingerprint.md`).toBeGreaterThanOrEqual(0);
  const start = doc.indexOf('```json\n', at) + '```json\n'.length;
  const end = doc.indexOf('\n```', start);
  return JSON.parse(doc.slice(start, end)) as T;
}

const hex = (x: number): string => (x >>> 0).toString(16).padStart(8, '0');

describe('published test vectors (docs/fingerprint.md)', () => {
  it('names the version the vectors are for', () => {
    expect(FINGERPRINT_VERSION).toBe('dgfp1');
    expect(readFileSync(DOC, 'utf8')).toContain(`\`${FINGERPRINT_VERSION}\``);
  });

  it('reproduces every prompt vector, with its tokens', () => {
    const vectors =
      docJson<Array<{ text: string; tokens: string; fingerprint: string }>>('<!-- vectors:prompts -->');
    expect(vectors.length).toBeGreaterThanOrEqual(8);
    for (const v of vectors) {
      expect(promptTokens(v.text).join(' '), JSON.stringify(v.text)).toBe(v.tokens);
      expect(promptFingerprint(v.text), JSON.stringify(v.text)).toBe(v.fingerprint);
    }
    const texts = vectors.map((v) => v.text);
    expect(texts).toContain('');
    expect(texts.some((t) => /\p{Script=Han}/u.test(t))).toBe(true);
    expect(texts.some((t) => /\p{Extended_Pictographic}/u.test(t))).toBe(true);
  });

  it('reproduces every token-hash vector (FNV-1a 64, then fmix64)', () => {
    const vectors =
      docJson<Array<{ token: string; fnv1a64: string; hash: string }>>('<!-- vectors:tokens -->');
    expect(vectors.length).toBeGreaterThanOrEqual(5);
    for (const v of vectors) {
      const [hi, lo] = fingerprintTokenHash(v.token);
      expect(hex(hi) + hex(lo), JSON.stringify(v.token)).toBe(v.hash);
    }
    // The standard FNV-1a 64 of "a" (as published by the FNV authors) is the value in the doc.
    expect(vectors.find((v) => v.token === 'a')?.fnv1a64).toBe('af63dc4c8601ec8c');
  });
});

describe('promptFingerprint', () => {
  it('returns 16 lower-case hex digits', () => {
    for (const t of ['', 'a', 'Hello, World!', '中文', '🍕', 'x'.repeat(10_000)]) {
      expect(promptFingerprint(t)).toMatch(/^[0-9a-f]{16}$/);
    }
  });

  it('gives EMPTY_FINGERPRINT exactly for texts without tokens', () => {
    expect(promptFingerprint('')).toBe(EMPTY_FINGERPRINT);
    expect(promptFingerprint(' \n\t')).toBe(EMPTY_FINGERPRINT);
    expect(promptFingerprint('?!.,;:()[]{}')).toBe(EMPTY_FINGERPRINT);
    expect(promptFingerprint('\u200b\ufeff')).toBe(EMPTY_FINGERPRINT);
    expect(promptFingerprint('.')).not.toBe(promptFingerprint('a'));
  });

  it('is the same for texts that normalise to the same token set', () => {
    const base = promptFingerprint('What is the capital of France? Answer in 3 words.');
    for (const t of [
      'what is the capital of france answer in 3 words',
      '  WHAT   is the Capital of FRANCE?\n\nAnswer in 7 words!!',
      'What is the capital of France? Answer in 12.5 words.',
      'What\u200b is the capital of France? Answer in ３ words.',
      'words 9 in answer france of capital the is what',
    ]) {
      expect(promptFingerprint(t), t).toBe(base);
    }
  });

  it('depends on the token set only: repeats and order do not matter', () => {
    expect(promptFingerprint('a b c a b c c')).toBe(promptFingerprint('c b a'));
    const r = rng(3);
    const words = 'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu'.split(' ');
    for (let k = 0; k < 50; k++) {
      const shuffled = [...words].sort(() => r() - 0.5);
      expect(promptFingerprint(shuffled.join(' '))).toBe(promptFingerprint(words.join(' ')));
    }
  });

  it('takes the same value on the ASCII fast path, the general path and from tokens', () => {
    const r = rng(7);
    const ascii = 'aB9 .,;$+<=>^`|~_-#\n';
    const mixed = 'aB9 .,$+ é中文ß٣ΣςИ🍕❤️\u200b\ufe0fｆ①';
    for (let k = 0; k < 3000; k++) {
      const alphabet = k % 2 === 0 ? ascii : mixed;
      const chars = [...alphabet];
      let t = '';
      const n = Math.floor(r() * 40);
      for (let i = 0; i < n; i++) t += chars[Math.floor(r() * chars.length)];
      const viaTokens = formatFingerprint(fingerprintTokensHalves(promptTokens(t)));
      expect(promptFingerprint(t), JSON.stringify(t)).toBe(viaTokens);
    }
  });

  it('hashes a lone surrogate like U+FFFD and never crashes on one', () => {
    expect(fingerprintTokenHash('a\ud800b')).toEqual(fingerprintTokenHash('a\ufffdb'));
    expect(promptFingerprint('abc \ud800 def')).toBe(promptFingerprint('abc def'));
  });

  it('is pure: results do not depend on what was computed before', () => {
    const texts = ['one two three', '中文 text', '', 'x + y = z', 'Ünïcödé wörds'];
    const first = texts.map(promptFingerprint);
    const again = [...texts].reverse().map(promptFingerprint).reverse();
    expect(again).toEqual(first);
  });

  it('fills the halves object it is given', () => {
    const out: FingerprintHalves = { hi: 0, lo: 0 };
    const h = promptFingerprintHalves('hello world', out);
    expect(h).toBe(out);
    expect(formatFingerprint(h)).toBe(promptFingerprint('hello world'));
  });
});

/** The sketch written plainly, as in the reference implementation of docs/fingerprint.md. */
function referenceSketch(hashes: ReadonlyArray<readonly [number, number]>): string {
  const fmix32 = (x: number): number => {
    let h = x >>> 0;
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b) >>> 0;
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35) >>> 0;
    return (h ^ (h >>> 16)) >>> 0;
  };
  const w = (m: number): number => Math.imul(m, 0x9e3779b9) >>> 0;
  type Held = { x: number; hi: number; lo: number };
  const slots: Array<Held | undefined> = new Array(64).fill(undefined);
  const less = (a: Held, b: Held): boolean =>
    a.x !== b.x ? a.x < b.x : a.hi !== b.hi ? a.hi < b.hi : a.lo < b.lo;
  for (const [hi, lo] of hashes) {
    for (let r = 1; r <= 2; r++) {
      const x = fmix32((lo ^ w(r)) >>> 0);
      const s = x >>> 26;
      const cand = { x, hi: hi >>> 0, lo: lo >>> 0 };
      const cur = slots[s];
      if (cur === undefined || less(cand, cur)) slots[s] = cand;
    }
  }
  if (slots.every((v) => v === undefined)) return EMPTY_FINGERPRINT;
  let out = 0n;
  for (let j = 0; j < 64; j++) {
    let k = j;
    while (slots[k] === undefined) k = (k + 1) % 64;
    const bit = fmix32((slots[k]!.hi ^ w(j + 1)) >>> 0) & 1;
    out |= BigInt(bit) << BigInt(j);
  }
  return out.toString(16).padStart(16, '0');
}

/** Inverse of MurmurHash3 fmix32, to craft token hashes with chosen slot keys. */
function unfmix32(y: number): number {
  let h = y >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7ed1b41d) >>> 0;
  h ^= (h >>> 13) ^ (h >>> 26);
  h = Math.imul(h, 0xa5cb9243) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

describe('the slot logic', () => {
  const W1 = Math.imul(1, 0x9e3779b9) >>> 0;

  it('matches a plain reference implementation on random hash sets', () => {
    const r = rng(11);
    for (let k = 0; k < 500; k++) {
      const n = Math.floor(r() * 120);
      const hashes: Array<[number, number]> = [];
      for (let i = 0; i < n; i++) hashes.push([Math.floor(r() * 2 ** 32), Math.floor(r() * 2 ** 32)]);
      expect(formatFingerprint(fingerprintHashesHalves(hashes))).toBe(referenceSketch(hashes));
    }
  });

  it('breaks ties on the slot key by the 64-bit hash, whatever the insertion order', () => {
    // Same low half, hence the same keys in both slots: the smaller (hi, lo) must win.
    const a: [number, number] = [0x10000000, 0x12345678];
    const b: [number, number] = [0x90000000, 0x12345678];
    const c: [number, number] = [0x10000000, 0x12345678];
    expect(formatFingerprint(fingerprintHashesHalves([a, b]))).toBe(
      formatFingerprint(fingerprintHashesHalves([b, a])),
    );
    expect(formatFingerprint(fingerprintHashesHalves([a, b]))).toBe(referenceSketch([a, b]));
    expect(formatFingerprint(fingerprintHashesHalves([a, c, b]))).toBe(referenceSketch([a]));
  });

  it('handles a token whose slot key is the largest possible value', () => {
    const lo = (unfmix32(0xffffffff) ^ W1) >>> 0;
    const big: [number, number] = [0x01234567, lo];
    const other: [number, number] = [0xfedcba98, lo];
    expect(formatFingerprint(fingerprintHashesHalves([big]))).toBe(referenceSketch([big]));
    expect(formatFingerprint(fingerprintHashesHalves([big]))).not.toBe(EMPTY_FINGERPRINT);
    expect(formatFingerprint(fingerprintHashesHalves([other, big]))).toBe(referenceSketch([big, other]));
    expect(formatFingerprint(fingerprintHashesHalves([big, other]))).toBe(referenceSketch([big, other]));
  });

  it('is all zero for no tokens', () => {
    expect(formatFingerprint(fingerprintHashesHalves([]))).toBe(EMPTY_FINGERPRINT);
  });
});

describe('hammingDistance', () => {
  it('counts differing bits', () => {
    expect(hammingDistance('0000000000000000', '0000000000000000')).toBe(0);
    expect(hammingDistance('0000000000000000', 'ffffffffffffffff')).toBe(64);
    expect(hammingDistance('8000000000000001', '0000000000000000')).toBe(2);
    expect(hammingDistance('00000000ffffffff', 'ffffffff00000000')).toBe(64);
    expect(hammingDistance('0123456789abcdef', '0123456789ABCDEF')).toBe(0);
  });

  it('agrees with the halves variant and is symmetric', () => {
    const r = rng(5);
    for (let k = 0; k < 200; k++) {
      const a = { hi: Math.floor(r() * 2 ** 32), lo: Math.floor(r() * 2 ** 32) };
      const b = { hi: Math.floor(r() * 2 ** 32), lo: Math.floor(r() * 2 ** 32) };
      const fa = formatFingerprint(a);
      const fb = formatFingerprint(b);
      let bits = 0;
      for (let i = 0; i < 16; i++) {
        let x = Number.parseInt(fa[i]!, 16) ^ Number.parseInt(fb[i]!, 16);
        for (; x; x &= x - 1) bits++;
      }
      expect(hammingDistance(fa, fb)).toBe(bits);
      expect(hammingDistance(fb, fa)).toBe(bits);
      expect(hammingDistanceHalves(a.hi, a.lo, b.hi, b.lo)).toBe(bits);
      expect(parseFingerprint(fa)).toEqual(a);
    }
  });

  it('rejects malformed fingerprints with a TypeError', () => {
    expect(isFingerprint('0123456789abcdef')).toBe(true);
    for (const bad of [
      '',
      '0123',
      '0123456789abcdeg',
      '0123456789abcdef0',
      ' 123456789abcdef',
      '0x23456789abcdef',
    ]) {
      expect(isFingerprint(bad)).toBe(false);
      expect(() => hammingDistance(bad, '0000000000000000')).toThrow(TypeError);
    }
  });
});

/** Corpus-based property checks on the prompt sets the project ships (sim/data/prompts). */
describe('near-duplicate properties on the prompt corpora', () => {
  const load = (f: string): string[] =>
    gunzipSync(readFileSync(`${PROMPTS}${f}`))
      .toString('utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { text: string }).text);
  const texts = [...load('human.jsonl.gz'), ...load('tasks.jsonl.gz')];
  const words = (t: string): string[] => t.split(/\s+/).filter(Boolean);
  const mid = texts.filter((t) => {
    const n = words(t).length;
    return n >= 30 && n <= 50;
  });
  const vocab = [...new Set(texts.flatMap(words).filter((w) => /^[a-z]{3,10}$/.test(w)))];
  const N = 1000;

  function nearRate(edit: (t: string, r: () => number) => string): number {
    const r = rng(99);
    let ok = 0;
    for (let i = 0; i < N; i++) {
      const t = mid[Math.floor(r() * mid.length)]!;
      if (hammingDistance(promptFingerprint(t), promptFingerprint(edit(t, r))) <= 3) ok++;
    }
    return ok / N;
  }
  const randomWord = (r: () => number): string => vocab[Math.floor(r() * vocab.length)]!;

  // Thresholds sit a few points under the rates measured in docs/fingerprint.md (N = 4,000).
  it('keeps 40-word prompts with one word replaced within Hamming 3 (measured 87%)', () => {
    const rate = nearRate((t, r) => {
      const w = words(t);
      w[Math.floor(r() * w.length)] = randomWord(r);
      return w.join(' ');
    });
    expect(rate).toBeGreaterThan(0.8);
  });

  it('keeps 40-word prompts with three words inserted within Hamming 3 (measured 57%)', () => {
    const rate = nearRate((t, r) => {
      const w = words(t);
      for (let k = 0; k < 3; k++) w.splice(Math.floor(r() * (w.length + 1)), 0, randomWord(r));
      return w.join(' ');
    });
    expect(rate).toBeGreaterThan(0.5);
  });

  it('maps number, whitespace and case changes to the same fingerprint', () => {
    const r = rng(1);
    for (let i = 0; i < N; i++) {
      const t = texts[Math.floor(r() * texts.length)]!;
      const renumbered = t.replace(/\d+/g, () => String(Math.floor(r() * 1e5)));
      const respaced = t
        .split(/\s+/)
        .map((w) => (r() < 0.3 ? w.toUpperCase() : w))
        .join(r() < 0.5 ? '  ' : '\n');
      expect(promptFingerprint(renumbered)).toBe(promptFingerprint(t));
      expect(promptFingerprint(respaced)).toBe(promptFingerprint(t));
    }
  });

  it('keeps unrelated prompts apart: no pair of 2,000 within Hamming 3 (measured minimum 15)', () => {
    const r = rng(777);
    let close = 0;
    let total = 0;
    for (let i = 0; i < 2000; i++) {
      const a = texts[Math.floor(r() * texts.length)]!;
      const b = texts[Math.floor(r() * texts.length)]!;
      if (a === b) continue;
      const d = hammingDistance(promptFingerprint(a), promptFingerprint(b));
      total += d;
      if (d <= 3) close++;
    }
    expect(close).toBe(0);
    expect(total / 2000).toBeGreaterThan(28); // ~32 (1 - J) with J small: measured mean 30.5
  });
});
