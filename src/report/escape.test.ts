import { describe, expect, it } from 'vitest';
import { clean, escapeHtml, escapeMarkdown, h, md, mdCode, mdLead } from './escape.js';

describe('clean', () => {
  it('turns line breaks into spaces and other controls and bidi overrides into U+FFFD', () => {
    expect(clean('a\nb\r\nc\td')).toBe('a b  c d');
    expect(clean('x\u0000y\u001b[31m')).toBe('x\uFFFDy\uFFFD[31m');
    expect(clean('admin\u202Egnp.exe')).toBe('admin\uFFFDgnp.exe');
    expect(clean('plain ascii')).toBe('plain ascii');
  });

  it('cuts to max with an ellipsis, never inside a surrogate pair', () => {
    expect(clean('abcdef', 4)).toBe('abc…');
    expect(clean('abcd', 4)).toBe('abcd');
    const cut = clean('ab😀cd', 4); // 😀 is two UTF-16 units at 2..3
    expect(cut).toBe('ab…');
    expect(cut.charCodeAt(cut.length - 2)).toBeLessThan(0xd800); // no lone high surrogate
  });
});

describe('escapeHtml', () => {
  it('escapes the five characters that matter in text and attributes', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
    expect(h('<b>\u202E</b>')).toBe('&lt;b&gt;\uFFFD&lt;/b&gt;');
  });
});

describe('Markdown escaping', () => {
  it('neutralises HTML, links, code spans, emphasis and cell separators', () => {
    expect(escapeMarkdown('<script>|`x`[l](javascript:1)*b*~~s~~&lt;')).toBe(
      '\\<script\\>\\|\\`x\\`\\[l\\](javascript:1)\\*b\\*\\~\\~s\\~\\~\\&lt;',
    );
  });

  it('writes a backslash as an entity, so "\\|" is always an escaped pipe', () => {
    expect(escapeMarkdown('a\\|b')).toBe('a&#92;\\|b');
  });

  it('leaves intraword underscores alone', () => {
    expect(escapeMarkdown('acct_42 _em_')).toBe('acct_42 \\_em\\_');
  });

  it('makes block markers at the start of a list item literal', () => {
    expect(mdLead(md('# h'))).toBe('\\# h');
    expect(mdLead(md('- x'))).toBe('\\- x');
    expect(mdLead(md('12. x'))).toBe('12\\. x');
    expect(mdLead(md('    code'))).toBe('code');
    expect(mdLead(md('ip'))).toBe('ip');
  });

  it('uses a code span only for strings that cannot break out of it', () => {
    expect(mdCode('prompt_template')).toBe('`prompt_template`');
    expect(mdCode('a`b')).toBe('a\\`b');
    expect(mdCode('a|b')).toBe('a\\|b');
    expect(mdCode(' lead')).toBe(' lead');
  });
});
