/**
 * Escaping for the report. Account ids, indicators and evidence text are chosen by the
 * attacker, so every data string goes through `clean` (controls and bidi overrides made
 * visible, length capped) and then through the escaper of the output format. Nothing in
 * this folder writes a data string to the output any other way.
 */

const REPLACEMENT = '\uFFFD';
const ELLIPSIS = '…';

/** Characters that would let a string rearrange how the text around it is displayed:
 * bidi embeddings/overrides/isolates and marks ("Trojan Source", CVE-2021-42574). */
function isBidiControl(c: number): boolean {
  return (
    c === 0x061c ||
    c === 0x200e ||
    c === 0x200f ||
    (c >= 0x202a && c <= 0x202e) ||
    (c >= 0x2066 && c <= 0x2069)
  );
}

/**
 * Whitespace controls become a space (a newline must not start a new Markdown block),
 * other C0/C1 controls and bidi controls become U+FFFD; the result is cut to `max` UTF-16
 * units with an ellipsis, never inside a surrogate pair.
 */
export function clean(s: string, max = Number.POSITIVE_INFINITY): string {
  let out = '';
  let start = 0;
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c < 0x7f) continue;
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || isBidiControl(c)) {
      out += s.slice(start, i) + (c === 0x09 || c === 0x0a || c === 0x0d ? ' ' : REPLACEMENT);
      start = i + 1;
    }
  }
  out = start === 0 ? s : out + s.slice(start);
  if (out.length <= max) return out;
  let cut = Math.max(0, Math.floor(max) - 1);
  const last = out.charCodeAt(cut - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut -= 1;
  return out.slice(0, cut) + ELLIPSIS;
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Safe in HTML text and in quoted attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/** A data string for HTML: cleaned, cut to `max`, escaped. */
export function h(s: string, max?: number): string {
  return escapeHtml(clean(s, max));
}

/** Inline Markdown punctuation that could start a link, an HTML tag or autolink, a code
 * span, emphasis, a strikethrough, an entity or (in a table) a new cell. */
const MD_PUNCT = new Set(['`', '*', '[', ']', '<', '>', '|', '~', '&']);

function isAlnum(c: string | undefined): boolean {
  return c !== undefined && /^[\p{L}\p{N}]$/u.test(c);
}

/**
 * Escapes a cleaned string for CommonMark/GFM inline text (paragraphs, list items, table
 * cells). Backslashes become `&#92;` so that an escaped pipe is always exactly `\|`
 * (GFM splits table cells on a pipe that has no backslash before it). An intraword `_`
 * cannot open emphasis and is left alone so that ids like `acct_42` stay readable.
 */
export function escapeMarkdown(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c === '\\') out += '&#92;';
    else if (MD_PUNCT.has(c)) out += `\\${c}`;
    else if (c === '_') out += isAlnum(s[i - 1]) && isAlnum(s[i + 1]) ? '_' : '\\_';
    else out += c;
  }
  return out;
}

/**
 * For escaped text that starts a list item: a leading `#`, `+`, `-`, `=` or `1.` would
 * open a heading, a list or a setext underline inside the item.
 */
export function mdLead(escaped: string): string {
  const t = escaped.trimStart(); // leading spaces could make an indented code block
  if (/^[#+\-=]/.test(t)) return `\\${t}`;
  return t.replace(/^(\d{1,9})([.)])/, '$1\\$2');
}

/** A data string for Markdown: cleaned, cut to `max`, escaped. */
export function md(s: string, max?: number): string {
  return escapeMarkdown(clean(s, max));
}

/** Strings made only of these characters cannot end a code span, split a table cell or
 * mean anything to Markdown inside backticks. */
const CODE_SAFE = /^[\p{L}\p{N}_.,:/@+=%#-](?:[\p{L}\p{N}_.,:/@+=%# -]*[\p{L}\p{N}_.,:/@+=%#-])?$/u;

/** A data string as inline code when that is safe, as escaped text otherwise. */
export function mdCode(s: string, max?: number): string {
  const t = clean(s, max);
  return CODE_SAFE.test(t) ? `\`${t}\`` : escapeMarkdown(t);
}
