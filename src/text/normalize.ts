/**
 * Prompt normalisation and tokenisation for the distillguard prompt fingerprint.
 *
 * The steps are a published contract (docs/fingerprint.md, section "Normalisation"): a provider
 * reimplements them in its own gateway, so every change here is a change of FINGERPRINT_VERSION.
 *
 *   1. Unicode NFKC (folds full-width forms, ligatures, superscripts, compatibility ideographs).
 *   2. Delete format characters (General_Category Cf: zero-width space/joiners, soft hyphen, bidi
 *      controls, BOM) and variation selectors: they are invisible, and inserting them is the
 *      cheapest way to make a copied prompt look new.
 *   3. Lower-case (Unicode full default lowercase mapping), then map final sigma U+03C2 to U+03C3
 *      so that implementations with and without the Final_Sigma context rule agree.
 *   4. Mask numbers: each maximal run of decimal digits (Nd) joined by single '.' or ',' becomes
 *      the one character '0', so templated prompts that differ only in numbers meet.
 *   5. Tokenise: a token is a maximal run of letters, marks and numbers (L, M, N), except that each
 *      such character of a script written without spaces (Thai, Lao, Myanmar, Khmer, CJK) is a
 *      token of its own, and each symbol (S: maths signs, currency, emoji) is a token of its own.
 *      Everything else (punctuation, separators, controls) only separates tokens.
 */

/** Step 2: format characters and variation selectors (VS1-16, VS17-256). */
const INVISIBLE = /(?:\p{Cf}|[\uFE00-\uFE0F]|[\u{E0100}-\u{E01EF}])+/gu;
/** Step 3: final sigma, folded to the ordinary small sigma. */
const FINAL_SIGMA = /\u03C2/g;
/** Step 4: a number, e.g. `42`, `3.14`, `1,000,000`, `٣٤`. */
const NUMBER = /\p{Nd}+(?:[.,]\p{Nd}+)*/gu;
/**
 * Step 5, the code-point ranges of scripts written without spaces between words: Thai and Lao
 * (U+0E00-0EFF), Myanmar (U+1000-109F), Khmer (U+1780-17FF), CJK radicals to unified ideographs
 * incl. kana and bopomofo (U+2E80-9FFF), CJK compatibility ideographs (U+F900-FAFF) and the
 * supplementary ideographic planes (U+20000-3FFFF). Korean is written with spaces: not listed.
 */
const UNSPACED_RANGES =
  '\\u0E00-\\u0EFF\\u1000-\\u109F\\u1780-\\u17FF\\u2E80-\\u9FFF\\uF900-\\uFAFF\\u{20000}-\\u{3FFFF}';
/** Step 5: a single unspaced-script word character, or a run of other word characters, or a symbol. */
const TOKEN = new RegExp(
  `(?=[\\p{L}\\p{M}\\p{N}])[${UNSPACED_RANGES}]|(?:(?![${UNSPACED_RANGES}])[\\p{L}\\p{M}\\p{N}])+|\\p{S}`,
  'gu',
);
/** Step 5, one code point: is it a word character (L, M, N), a symbol (S)? */
const WORD_CHAR = /^[\p{L}\p{M}\p{N}]$/u;
const SYMBOL_CHAR = /^\p{S}$/u;
const UNSPACED_CHAR = new RegExp(`^[${UNSPACED_RANGES}]$`, 'u');

/** Token classes of a code point after steps 1-4 (see {@link charClass}). */
export const CHAR_SEPARATOR = 0;
/** Part of a run of word characters. */
export const CHAR_WORD = 1;
/** A word character of a script written without spaces: a token by itself. */
export const CHAR_UNSPACED = 2;
/** A symbol: a token by itself. */
export const CHAR_SYMBOL = 3;

/** Classes of the BMP, filled lazily (0xff = not yet known); other planes in a map. */
const UNKNOWN = 0xff;
const bmpClass = new Uint8Array(0x10000).fill(UNKNOWN);
const astralClass = new Map<number, number>();

function classify(cp: number): number {
  const ch = String.fromCodePoint(cp);
  if (WORD_CHAR.test(ch)) return UNSPACED_CHAR.test(ch) ? CHAR_UNSPACED : CHAR_WORD;
  return SYMBOL_CHAR.test(ch) ? CHAR_SYMBOL : CHAR_SEPARATOR;
}

/**
 * The token class of a code point (step 5), for streaming tokenisers: CHAR_WORD characters form
 * runs, CHAR_UNSPACED and CHAR_SYMBOL characters are tokens by themselves, CHAR_SEPARATOR
 * characters only separate. Surrogate code points (lone surrogates) are separators.
 */
export function charClass(cp: number): number {
  if (cp < 0x10000) {
    const k = bmpClass[cp]!;
    if (k !== UNKNOWN) return k;
    const c = cp >= 0xd800 && cp <= 0xdfff ? CHAR_SEPARATOR : classify(cp);
    bmpClass[cp] = c;
    return c;
  }
  let k = astralClass.get(cp);
  if (k === undefined) {
    k = classify(cp);
    astralClass.set(cp, k);
  }
  return k;
}

/** Fast path for pure ASCII text: no NFKC, no invisibles, no unspaced scripts. */
const NON_ASCII = /[\u0080-\uFFFF]/;
/** Step 5 for ASCII: letters/digits runs, or one ASCII symbol (Sc/Sk/Sm: `$ + < = > ^ \` | ~`). */
const ASCII_TOKEN = /[a-z0-9]+|[$+<=>^`|~]/g;

/**
 * Steps 1-4: the normalised text, before tokenising. Exposed for tests and for documentation
 * examples; the fingerprint depends only on {@link promptTokens}.
 */
export function normalizeText(text: string): string {
  if (!NON_ASCII.test(text)) return text.toLowerCase().replace(NUMBER, '0');
  return text
    .normalize('NFKC')
    .replace(INVISIBLE, '')
    .toLowerCase()
    .replace(FINAL_SIGMA, '\u03C3')
    .replace(NUMBER, '0');
}

/** Steps 1-5: the tokens of a prompt, in order, repeats kept. */
export function promptTokens(text: string): string[] {
  if (!NON_ASCII.test(text)) return text.toLowerCase().replace(NUMBER, '0').match(ASCII_TOKEN) ?? [];
  return normalizeText(text).match(TOKEN) ?? [];
}

/**
 * The canonical form of a prompt: its tokens joined by single spaces. Two prompts with the same
 * canonical form have the same fingerprint (the converse holds for the token *set*).
 */
export function normalizePrompt(text: string): string {
  return promptTokens(text).join(' ');
}
