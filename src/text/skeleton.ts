/**
 * Prompt skeletons: the template a prompt was stamped from, so that the thousands of variants of
 * one harvesting template (THREAT-MODEL.md, "highly repetitive prompt structure") meet on one key
 * while the task text that changes from request to request is masked or cut away.
 *
 * Steps, in order (the first three on the raw text, because they need case and punctuation):
 *   1. Fenced code (```…```, an unclosed fence runs to the end) and inline code (`…`) → `<code>`.
 *   2. URLs (scheme:// or www.) and e-mail addresses → `<url>`.
 *   3. Quoted spans ("…", “…”, «…», '…' not inside a word, so apostrophes survive) → `<q>`;
 *      numbers (decimal digits of any script, with . or , groups) → `<n>`; a capitalised word
 *      mid-sentence (after a lower-case word, a comma or similar, never after . ! ? : or a line
 *      break) and the capitalised words that follow it → one `<name>`. All-capitals words (JSON,
 *      API, SQL) are template vocabulary, not names, and stay.
 *   4. normalizeText (NFKC, invisible characters removed, lower case), then punctuation removed and
 *      white space collapsed: "Hi! Solve this." and "hi, solve this" meet.
 *   5. Texts of more than HEAD_TOKENS + TAIL_TOKENS tokens keep their first HEAD_TOKENS and last
 *      TAIL_TOKENS tokens around a `…`: templates live at the start and the end, the task in the
 *      middle varies. Long texts are cut to a head and a tail *before* masking, so the cost does
 *      not grow with the length of the pasted document.
 *
 * skeletonHash: the 64-bit dgfp1 token hash (FNV-1a 64 over the UTF-8 bytes, then MurmurHash3
 * fmix64; docs/fingerprint.md) of the skeleton string, as 16 lower-case hex digits.
 */
import { fingerprintTokenHash, formatFingerprint } from './fingerprint.js';
import { normalizeText } from './normalize.js';

/** Version of the skeleton function; bumped on any change that alters any output. */
export const SKELETON_VERSION = 'dgsk1';

/** Tokens kept from the start of a long text: instructions and persona openers fit in ~40 words. */
export const HEAD_TOKENS = 40;
/** Tokens kept from the end: trailing instructions ("Thanks!", "Return JSON …") fit in ~10. */
export const TAIL_TOKENS = 10;
/**
 * Texts longer than this many UTF-16 units are cut to their first HEAD_CHARS and last TAIL_CHARS
 * before masking. 40 tokens of English prose take ~250 characters; the margins leave room for
 * masked spans (a code block counts as one token) while bounding the cost per prompt.
 */
const LONG_TEXT = 4000;
const HEAD_CHARS = 2400;
const TAIL_CHARS = 800;

/**
 * Steps 1-3, each pass run only when its trigger character occurs (a regex with many alternatives
 * is tried at every position, and most prompts have no code, URL or quote): code, then URLs and
 * e-mails, then quotes, then numbers and names together. Names are matched only after a
 * lower-case letter, digit or comma-like mark and one space run, which keeps sentence-initial
 * words ("The", "Write") and the pronoun "I" (a single letter) unmasked. ASCII text uses plain
 * character classes, several times faster than Unicode property classes.
 */
const CODE = /```[\s\S]*?(?:```|$)|`[^`\n]{1,200}`/g;
const URL_OR_EMAIL = /(?:https?|ftp):\/\/[^\s<>"'`]+|www\.[^\s<>"'`]+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g;
const QUOTE_ASCII = /"[^"\n]{0,300}"|(?<![A-Za-z0-9])'[^'\n]{1,300}'(?![A-Za-z0-9])/g;
const QUOTE_UNICODE =
  /"[^"\n]{0,300}"|“[^”\n]{0,300}”|«[^»\n]{0,300}»|„[^“”\n]{0,300}[“”]|(?<![\p{L}\p{N}])'[^'\n]{1,300}'(?![\p{L}\p{N}])/gu;
const NUMBER_OR_NAME_ASCII = /([0-9]+(?:[.,][0-9]+)*)|([a-z0-9,;)][ \t]+)[A-Z][a-z]+(?:[ \t]+[A-Z][a-z]+)*/g;
const NUMBER_OR_NAME_UNICODE =
  /(\p{Nd}+(?:[.,]\p{Nd}+)*)|([\p{Ll}\p{N},;)][ \t]+)\p{Lu}\p{Ll}+(?:[ \t]+\p{Lu}\p{Ll}+)*/gu;
const QUOTE_CHARS = /["'“«„]/;
const NON_ASCII = /[\u0080-\uffff]/;

function numberOrName(_m: string, num: string | undefined, before: string | undefined): string {
  return num !== undefined ? '<n>' : `${before} <name> `;
}

function mask(text: string, unicode: boolean): string {
  let t = text;
  if (t.indexOf('`') >= 0) t = t.replace(CODE, ' <code> ');
  if (t.indexOf('@') >= 0 || t.indexOf('//') >= 0 || t.indexOf('www.') >= 0)
    t = t.replace(URL_OR_EMAIL, ' <url> ');
  if (QUOTE_CHARS.test(t)) t = t.replace(unicode ? QUOTE_UNICODE : QUOTE_ASCII, ' <q> ');
  return t.replace(unicode ? NUMBER_OR_NAME_UNICODE : NUMBER_OR_NAME_ASCII, numberOrName);
}

/** Step 4 tokens: runs of anything but white space and punctuation (P). The masks' `<` `>` are
 * symbols (S), as are `$ + = ^ | ~`, and stay. */
const TOKEN_ASCII = /[^\s!"#%&'()*,\-./:;?@[\\\]_{}]+/g;
const TOKEN_UNICODE = /[^\s\p{P}]+/gu;

function maskedTokens(text: string): string[] {
  if (NON_ASCII.test(text)) {
    return normalizeText(mask(text, true)).match(TOKEN_UNICODE) ?? [];
  }
  return mask(text, false).toLowerCase().match(TOKEN_ASCII) ?? [];
}

/**
 * The template skeleton of a prompt (module header): lower-case, masked, punctuation-free, at most
 * HEAD_TOKENS + TAIL_TOKENS tokens. Pure and deterministic; '' for a text without tokens.
 */
export function promptSkeleton(text: string): string {
  if (text.length === 0) return '';
  if (text.length > LONG_TEXT) {
    let tail = text.slice(text.length - TAIL_CHARS);
    // A tail that starts inside a fenced block would leak code: drop up to the closing fence.
    const fences = tail.split('```').length - 1;
    if (fences % 2 === 1) tail = tail.slice(tail.indexOf('```') + 3);
    const head = maskedTokens(text.slice(0, HEAD_CHARS)).slice(0, HEAD_TOKENS);
    const end = maskedTokens(tail);
    return `${head.join(' ')} … ${end.slice(Math.max(0, end.length - TAIL_TOKENS)).join(' ')}`;
  }
  const tokens = maskedTokens(text);
  if (tokens.length <= HEAD_TOKENS + TAIL_TOKENS) return tokens.join(' ');
  return `${tokens.slice(0, HEAD_TOKENS).join(' ')} … ${tokens.slice(tokens.length - TAIL_TOKENS).join(' ')}`;
}

/**
 * 16 lower-case hex digits: the dgfp1 token hash (FNV-1a 64 of the UTF-8 bytes, then fmix64) of
 * `promptSkeleton(text)`. Equal skeletons give equal hashes; stable across versions of Node and
 * reimplementable from docs/fingerprint.md.
 */
export function skeletonHash(text: string): string {
  const [hi, lo] = fingerprintTokenHash(promptSkeleton(text));
  return formatFingerprint({ hi, lo });
}
