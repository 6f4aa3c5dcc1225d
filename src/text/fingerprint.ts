/**
 * dgfp1, distillguard's published 64-bit prompt fingerprint: a one-bit-per-slot MinHash sketch of
 * the set of normalised tokens of a prompt, compared by Hamming distance. Specified exactly, with
 * test vectors and a reference implementation, in docs/fingerprint.md; a provider computes it in
 * its own gateway and ships it as `prompt_fingerprint` instead of the raw text.
 *
 * Methods:
 * - MinHash: A. Z. Broder, "On the resemblance and containment of documents", SEQUENCES 1997.
 * - One bit per slot: P. Li, A. C. König, "b-Bit minwise hashing", WWW 2010. Two token sets of
 *   Jaccard similarity J differ in each bit with probability about (1 - J) / 2, so the expected
 *   Hamming distance is about 32 (1 - J); Hamming <= 3 means roughly J >= 0.9.
 * - Slots filled in one pass (one-permutation hashing): P. Li, A. Owen, C.-H. Zhang, "One
 *   permutation hashing", NIPS 2012; empty slots filled by rotation: A. Shrivastava, P. Li,
 *   "Densifying one permutation hashing via rotation for fast near neighbor search", ICML 2014.
 *   Here each token is offered to two slots rather than one, which lowers the variance for
 *   prompts of 10-100 tokens.
 * - Hamming-distance fingerprints and the k <= 3 near-duplicate threshold: M. S. Charikar,
 *   "Similarity estimation techniques from rounding algorithms" (SimHash), STOC 2002; G. S. Manku,
 *   A. Jain, A. Das Sarma, "Detecting near-duplicates for web crawling", WWW 2007.
 *
 * Why MinHash over word unigrams rather than SimHash over word 3-grams: SimHash bits flip with
 * probability angle / pi, which grows as the square root of a small change, while one-bit MinHash
 * bits flip linearly in it. On 40-word prompts of the project's prompt corpora one replaced word
 * keeps SimHash-of-3-grams within Hamming 3 about 7% of the time, SimHash-of-words 65%, this
 * sketch about 90%; all keep unrelated prompts apart (docs/fingerprint.md, "Measurements").
 *
 * Hashes: token hash = MurmurHash3 fmix64(FNV-1a 64(UTF-8 bytes of the token)); slot choice and
 * output bits with MurmurHash3 fmix32. The code works on 32-bit halves (no BigInt) and streams
 * ASCII text without building token strings; other text goes through normalize.ts.
 */
import { CHAR_SEPARATOR, CHAR_WORD, charClass, normalizeText } from './normalize.js';

/** Version of the fingerprint function; bumped on any change that alters any output. */
export const FINGERPRINT_VERSION = 'dgfp1';

/** The fingerprint of a prompt with no tokens (empty, whitespace or punctuation only). */
export const EMPTY_FINGERPRINT = '0000000000000000';

/**
 * Largest Hamming distance at which two fingerprints count as near duplicates: the k = 3 of 64
 * bits of Manku, Jain and Das Sarma (WWW 2007); for this sketch it means a Jaccard similarity of
 * the token sets of about 0.9 or more (expected distance 32 (1 - J)).
 */
export const NEAR_DUPLICATE_DISTANCE = 3;

/** Number of MinHash slots, one output bit each: the 64 bits of the fingerprint. */
const SLOTS = 64;
/** Slot index = top 6 bits of a 32-bit mixed value (2^6 = SLOTS). */
const SLOT_SHIFT = 26;
/*
 * Each token is offered to INSERTIONS = 2 slots. Chosen on the project's prompt corpora
 * (docs/fingerprint.md, "Design choices"): 1 (plain one-permutation hashing) has a high variance
 * (an unrelated pair of 9-word questions at distance 4 in 50,000 random pairs); 4 is ~2 points
 * better on 30-100-word prompts, ~4 points worse under 20 words and ~1.3x slower; 2 sits between.
 */

/**
 * The Weyl sequence W_m = m * 0x9E3779B9 mod 2^32 (0x9E3779B9 = 2^32 / golden ratio) keys the
 * insertions (W_1, W_2, mixed with the low half of the token hash) and the output bits (W_1..W_64,
 * mixed with the high half). Stored as int32.
 */
const WEYL: Int32Array = (() => {
  const w = new Int32Array(SLOTS);
  for (let m = 0; m < SLOTS; m++) w[m] = Math.imul(m + 1, 0x9e3779b9);
  return w;
})();
const W1 = WEYL[0]!;
const W2 = WEYL[1]!;

/** FNV-1a 64 offset basis 0xcbf29ce484222325 and prime 0x100000001b3 = 2^40 + 0x1b3. */
const FNV_OFFSET_HI = 0xcbf29ce4;
const FNV_OFFSET_LO = 0x84222325;
const FNV_PRIME_LO = 0x1b3;
/** MurmurHash3 fmix64 multipliers 0xff51afd7ed558ccd and 0xc4ceb9fe1a85ec53. */
const FMIX64_C1_HI = 0xff51afd7;
const FMIX64_C1_LO = 0xed558ccd;
const FMIX64_C2_HI = 0xc4ceb9fe;
const FMIX64_C2_LO = 0x1a85ec53;
/** XOR with the sign bit (2^31, written as the int32 -2^31) turns unsigned order into signed order. */
const SIGN = -0x80000000;

/**
 * High half of one FNV-1a 64 step h = (h ^ byte) * (2^40 + 0x1b3) mod 2^64, given the high half
 * and the low half already xor-ed with the byte (int32 or uint32): hi * 0x1b3 + the carry out of
 * lo * 0x1b3 + (lo << 8), mod 2^32, as int32. The new low half is Math.imul(lo, 0x1b3).
 */
function fnvHi(hi: number, lo: number): number {
  const carry = ((lo >>> 16) * FNV_PRIME_LO + (((lo & 0xffff) * FNV_PRIME_LO) >>> 16)) >>> 16;
  return (Math.imul(hi, FNV_PRIME_LO) + carry + (lo << 8)) | 0;
}

/** MurmurHash3 fmix32 finaliser (a bijection on 32 bits); returns int32. */
function fmix32(x: number): number {
  let h = x ^ (x >>> 16);
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * High 32 bits of the 64-bit product of two 32-bit values taken as unsigned (int32 inputs are read
 * as their bit patterns), as int32. Schoolbook on 16-bit limbs; every partial product is < 2^32,
 * so Math.imul yields its exact bit pattern.
 */
function mulHi32(a: number, b: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const p01 = Math.imul(a0, b1);
  const p10 = Math.imul(a1, b0);
  const mid = (Math.imul(a0, b0) >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  return (Math.imul(a1, b1) + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16)) | 0;
}

// ---------------------------------------------------------------------------------------------
// Sketch state: module-level typed-array scratch (the functions below are synchronous and not
// re-entrant). Hot values live in locals or typed arrays, never in module-level `let`s, which V8
// would box as heap numbers on every store.

/** Per slot: smallest mixed value seen (as signed int32 after ^ SIGN), and its token hash. */
const slotBest = new Int32Array(SLOTS);
const slotHi = new Int32Array(SLOTS);
const slotLo = new Int32Array(SLOTS);
/**
 * Slots 0-31 ([0]) and 32-63 ([1]) filled through the rare equal-key path of `offer`, as bit
 * masks: this includes every slot holding a token whose key is EMPTY_KEY, which `slotBest` alone
 * would show as empty.
 */
const full = new Int32Array(2);
/** The last token hash computed, as [hi, lo] bit patterns in int32 (V8 keeps int32 unboxed). */
const tok = new Int32Array(2);

/** (hi:lo) * (chi:clo) mod 2^64 into tok. */
function mul64(hi: number, lo: number, chi: number, clo: number): void {
  tok[0] = (mulHi32(lo, clo) + Math.imul(hi, clo) + Math.imul(lo, chi)) | 0;
  tok[1] = Math.imul(lo, clo);
}

/** MurmurHash3 fmix64 of (hi:lo) into tok: k ^= k>>>33; k *= C1; k ^= k>>>33; k *= C2; k ^= k>>>33. */
function fmix64(hi: number, lo: number): void {
  mul64(hi, lo ^ (hi >>> 1), FMIX64_C1_HI, FMIX64_C1_LO);
  const h1 = tok[0]!;
  mul64(h1, tok[1]! ^ (h1 >>> 1), FMIX64_C2_HI, FMIX64_C2_LO);
  tok[1] = tok[1]! ^ (tok[0]! >>> 1);
}

/** Key of an empty slot: the largest int32, so that any real key is <= it. */
const EMPTY_KEY = 0x7fffffff;

/**
 * Offer the token with hash (hi:lo) to slot x >>> 26 with x = fmix32(lo ^ w): the slot keeps the
 * token with the smallest x (unsigned), ties to the smaller 64-bit hash. Repeated tokens change
 * nothing, so the sketch depends on the token set only.
 */
function offer(hi: number, lo: number, w: number): void {
  const x = fmix32(lo ^ w);
  const slot = x >>> SLOT_SHIFT;
  const key = x ^ SIGN;
  const b = slotBest[slot]!;
  if (key > b) return;
  if (key === b) {
    // Rare: equal 32-bit keys, or a real key equal to EMPTY_KEY. A slot holding a token whose key
    // is EMPTY_KEY is marked in `full`, so that it is not mistaken for an empty one.
    const bit = 1 << (slot & 31);
    const word = slot >>> 5;
    if (key !== EMPTY_KEY || (full[word]! & bit) !== 0) {
      const a = hi ^ SIGN;
      const h = slotHi[slot]! ^ SIGN;
      if (a > h || (a === h && (lo ^ SIGN) >= (slotLo[slot]! ^ SIGN))) return;
    }
    full[word] = full[word]! | bit;
  }
  slotBest[slot] = key;
  slotHi[slot] = hi;
  slotLo[slot] = lo;
}

/** Offer a token to its INSERTIONS = 2 slots, keyed by W_1 and W_2. */
function insertToken(hi: number, lo: number): void {
  offer(hi, lo, W1);
  offer(hi, lo, W2);
}

/** Insert the hash left in `tok` by fmix64. */
function insertTok(): void {
  insertToken(tok[0]!, tok[1]!);
}

function resetSketch(): void {
  full[0] = 0;
  full[1] = 0;
  slotBest.fill(EMPTY_KEY);
}

function occupied(slot: number): boolean {
  return slotBest[slot] !== EMPTY_KEY || (full[slot >>> 5]! & (1 << (slot & 31))) !== 0;
}

/**
 * Output bit j = lowest bit of fmix32(hi_w ^ W_j) for the token w held by slot j or, if slot j is
 * empty, by the first occupied slot after it (j+1, j+2, ... wrapping around). No token: all zero.
 */
function finishSketch(out: FingerprintHalves): FingerprintHalves {
  let next = 0;
  while (next < SLOTS && !occupied(next)) next++;
  if (next === SLOTS) {
    out.hi = 0;
    out.lo = 0;
    return out;
  }
  let hiBits = 0;
  let loBits = 0;
  // Walk slots downwards so that "the next occupied slot" is known; above the highest occupied
  // slot it wraps around to the lowest one (`next` as found above).
  for (let j = SLOTS - 1; j >= 0; j--) {
    if (occupied(j)) next = j;
    const bit = fmix32(slotHi[next]! ^ WEYL[j]!) & 1;
    if (j < 32) loBits |= bit << j;
    else hiBits |= bit << (j - 32);
  }
  out.hi = hiBits >>> 0;
  out.lo = loBits >>> 0;
  return out;
}

// ---------------------------------------------------------------------------------------------

/** A fingerprint as two uint32 halves: `hi` holds bits 63..32, `lo` bits 31..0. */
export interface FingerprintHalves {
  hi: number;
  lo: number;
}

/** FNV-1a 64 over the UTF-8 encoding of `s`, then fmix64, into `tok`. */
function hashTokenString(s: string): void {
  let hi = FNV_OFFSET_HI | 0;
  let lo = FNV_OFFSET_LO | 0;
  const n = s.length;
  for (let i = 0; i < n; i++) {
    let c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) {
      const d = i + 1 < n ? s.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      } else {
        c = 0xfffd; // a lone surrogate encodes as U+FFFD, as TextEncoder does
      }
    }
    // UTF-8 bytes of c, packed most significant first into `bytes`, `count` of them.
    let bytes: number;
    let count: number;
    if (c < 0x80) {
      bytes = c;
      count = 1;
    } else if (c < 0x800) {
      bytes = ((0xc0 | (c >> 6)) << 8) | (0x80 | (c & 0x3f));
      count = 2;
    } else if (c < 0x10000) {
      bytes = ((0xe0 | (c >> 12)) << 16) | ((0x80 | ((c >> 6) & 0x3f)) << 8) | (0x80 | (c & 0x3f));
      count = 3;
    } else {
      bytes =
        ((0xf0 | (c >> 18)) << 24) |
        ((0x80 | ((c >> 12) & 0x3f)) << 16) |
        ((0x80 | ((c >> 6) & 0x3f)) << 8) |
        (0x80 | (c & 0x3f));
      count = 4;
    }
    for (let k = (count - 1) * 8; k >= 0; k -= 8) {
      lo ^= (bytes >>> k) & 0xff;
      hi = fnvHi(hi, lo);
      lo = Math.imul(lo, FNV_PRIME_LO);
    }
  }
  fmix64(hi, lo);
}

/** The 64-bit hash of one (already normalised) token, as [hi, lo] uint32 halves. */
export function fingerprintTokenHash(token: string): [number, number] {
  hashTokenString(token);
  return [tok[0]! >>> 0, tok[1]! >>> 0];
}

/**
 * The sketch of a set of 64-bit token hashes given as [hi, lo] uint32 pairs (what
 * `fingerprintTokenHash` returns). Lets tests drive the slot logic with crafted hashes (ties,
 * extreme keys); not part of the package surface.
 */
export function fingerprintHashesHalves(hashes: ReadonlyArray<readonly [number, number]>): FingerprintHalves {
  resetSketch();
  for (const [hi, lo] of hashes) insertToken(hi | 0, lo | 0);
  return finishSketch({ hi: 0, lo: 0 });
}

/** The fingerprint of a list of already-normalised tokens (see `promptTokens`), as halves. */
export function fingerprintTokensHalves(tokens: readonly string[]): FingerprintHalves {
  resetSketch();
  for (const t of tokens) {
    hashTokenString(t);
    insertTok();
  }
  return finishSketch({ hi: 0, lo: 0 });
}

/** ASCII character classes of the tokeniser; anything else (0) separates tokens. */
const UPPER = 1;
const LOWER = 2;
const DIGIT = 3;
/** General_Category S in ASCII: `$ + < = > ^ \` | ~`, each a token of its own. */
const SYMBOL = 4;
const ASCII_CLASS: Uint8Array = (() => {
  const t = new Uint8Array(128);
  for (let c = 0x41; c <= 0x5a; c++) t[c] = UPPER;
  for (let c = 0x61; c <= 0x7a; c++) t[c] = LOWER;
  for (let c = 0x30; c <= 0x39; c++) t[c] = DIGIT;
  for (const ch of '$+<=>^`|~') t[ch.charCodeAt(0)] = SYMBOL;
  return t;
})();

/** ASCII code points by `charClass` (normalised text is lower-case and number-masked already). */

const ASCII_TOKEN_CLASS: Uint8Array = (() => {
  const t = new Uint8Array(128);
  for (let c = 0; c < 128; c++) t[c] = charClass(c);
  return t;
})();

function isAsciiDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/**
 * Stream an all-ASCII prompt (the caller checks) straight into the sketch: steps 1-5 for ASCII
 * are lower-casing, number masking and tokenising, done here in one pass without building
 * strings. The same tokens as `promptTokens` (tests check this).
 */
function sketchAscii(s: string): void {
  const n = s.length;
  let inToken = false;
  let hi = FNV_OFFSET_HI | 0;
  let lo = FNV_OFFSET_LO | 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    const k = ASCII_CLASS[c]!;
    if (k !== 0 && k !== SYMBOL) {
      if (!inToken) {
        hi = FNV_OFFSET_HI | 0;
        lo = FNV_OFFSET_LO | 0;
        inToken = true;
      }
      // Lower-case a letter; a number is masked to '0' and the rest of it skipped: digits, and
      // '.' or ',' followed by a digit.
      let byte = c;
      if (k === UPPER) byte = c | 0x20;
      else if (k === DIGIT) {
        byte = 0x30;
        while (i + 1 < n) {
          const d = s.charCodeAt(i + 1);
          if (isAsciiDigit(d)) i++;
          else if ((d === 0x2e || d === 0x2c) && i + 2 < n && isAsciiDigit(s.charCodeAt(i + 2))) i += 2;
          else break;
        }
      }
      lo ^= byte;
      hi = fnvHi(hi, lo);
      lo = Math.imul(lo, FNV_PRIME_LO);
    } else {
      if (inToken) {
        fmix64(hi, lo);
        insertTok();
        inToken = false;
      }
      if (k === SYMBOL) {
        // A one-byte token: FNV-1a 64 of that byte.
        const l = FNV_OFFSET_LO ^ c;
        fmix64(fnvHi(FNV_OFFSET_HI, l), Math.imul(l, FNV_PRIME_LO));
        insertTok();
      }
    }
  }
  if (inToken) {
    fmix64(hi, lo);
    insertTok();
  }
}

/**
 * Stream a normalised text (steps 1-4 done: `normalizeText`) into the sketch, tokenising by
 * `charClass` and hashing UTF-8 on the fly: the same tokens as `promptTokens` (tests check this).
 */
function sketchNormalized(s: string): void {
  const n = s.length;
  let inToken = false;
  let hi = FNV_OFFSET_HI | 0;
  let lo = FNV_OFFSET_LO | 0;
  for (let i = 0; i < n; i++) {
    let c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      }
    }
    const k = c < 0x80 ? ASCII_TOKEN_CLASS[c]! : charClass(c);
    if (k === CHAR_WORD) {
      if (!inToken) {
        hi = FNV_OFFSET_HI | 0;
        lo = FNV_OFFSET_LO | 0;
        inToken = true;
      }
    } else {
      if (inToken) {
        fmix64(hi, lo);
        insertTok();
        inToken = false;
      }
      if (k === CHAR_SEPARATOR) continue;
      hi = FNV_OFFSET_HI | 0;
      lo = FNV_OFFSET_LO | 0;
    }
    // Feed the UTF-8 bytes of c.
    if (c < 0x80) {
      lo ^= c;
      hi = fnvHi(hi, lo);
      lo = Math.imul(lo, FNV_PRIME_LO);
    } else {
      let bytes: number;
      let shift: number;
      if (c < 0x800) {
        bytes = ((0xc0 | (c >> 6)) << 8) | (0x80 | (c & 0x3f));
        shift = 8;
      } else if (c < 0x10000) {
        bytes = ((0xe0 | (c >> 12)) << 16) | ((0x80 | ((c >> 6) & 0x3f)) << 8) | (0x80 | (c & 0x3f));
        shift = 16;
      } else {
        bytes =
          ((0xf0 | (c >> 18)) << 24) |
          ((0x80 | ((c >> 12) & 0x3f)) << 16) |
          ((0x80 | ((c >> 6) & 0x3f)) << 8) |
          (0x80 | (c & 0x3f));
        shift = 24;
      }
      for (; shift >= 0; shift -= 8) {
        lo ^= (bytes >>> shift) & 0xff;
        hi = fnvHi(hi, lo);
        lo = Math.imul(lo, FNV_PRIME_LO);
      }
    }
    if (k !== CHAR_WORD) {
      fmix64(hi, lo);
      insertTok();
    }
  }
  if (inToken) {
    fmix64(hi, lo);
    insertTok();
  }
}

/** Any UTF-16 code unit outside ASCII (surrogates included). */
const NON_ASCII = /[\u0080-\uFFFF]/;

/** The fingerprint of a prompt as two uint32 halves (no string built for the result). */
export function promptFingerprintHalves(
  text: string,
  out: FingerprintHalves = { hi: 0, lo: 0 },
): FingerprintHalves {
  resetSketch();
  if (NON_ASCII.test(text)) sketchNormalized(normalizeText(text));
  else sketchAscii(text);
  return finishSketch(out);
}

/** Two lower-case hex digits for each byte value. */
const HEX_BYTE: readonly string[] = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/** Format halves as 16 lower-case hex digits, most significant first. */
export function formatFingerprint(h: FingerprintHalves): string {
  const a = h.hi;
  const b = h.lo;
  return (
    HEX_BYTE[(a >>> 24) & 0xff]! +
    HEX_BYTE[(a >>> 16) & 0xff]! +
    HEX_BYTE[(a >>> 8) & 0xff]! +
    HEX_BYTE[a & 0xff]! +
    HEX_BYTE[(b >>> 24) & 0xff]! +
    HEX_BYTE[(b >>> 16) & 0xff]! +
    HEX_BYTE[(b >>> 8) & 0xff]! +
    HEX_BYTE[b & 0xff]!
  );
}

/**
 * The published prompt fingerprint (FINGERPRINT_VERSION): 16 lower-case hex digits, the 64-bit
 * value written big-endian. Pure and deterministic.
 */
export function promptFingerprint(text: string): string {
  return formatFingerprint(promptFingerprintHalves(text));
}

const FINGERPRINT_RE = /^[0-9a-fA-F]{16}$/;

/** True for a syntactically valid fingerprint (16 hex digits; upper case accepted on input). */
export function isFingerprint(s: string): boolean {
  return FINGERPRINT_RE.test(s);
}

/** Parse 16 hex digits into halves; throws a TypeError on anything else (a programmer error). */
export function parseFingerprint(s: string): FingerprintHalves {
  if (!FINGERPRINT_RE.test(s))
    throw new TypeError(`not a 64-bit fingerprint (16 hex digits): ${JSON.stringify(s)}`);
  return { hi: Number.parseInt(s.slice(0, 8), 16), lo: Number.parseInt(s.slice(8), 16) };
}

function popcount32(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

/** Hamming distance between two fingerprints given as halves (the fast variant). */
export function hammingDistanceHalves(aHi: number, aLo: number, bHi: number, bLo: number): number {
  return popcount32(aHi ^ bHi) + popcount32(aLo ^ bLo);
}

/** Hamming distance (0-64) between two fingerprints given as 16-hex-digit strings. */
export function hammingDistance(a: string, b: string): number {
  const x = parseFingerprint(a);
  const y = parseFingerprint(b);
  return hammingDistanceHalves(x.hi, x.lo, y.hi, y.lo);
}
