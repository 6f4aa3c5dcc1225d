import { describe, expect, it } from 'vitest';
import { mulberry32 as rng } from '../rng/index.js';
import {
  CHAR_SEPARATOR,
  CHAR_SYMBOL,
  CHAR_UNSPACED,
  CHAR_WORD,
  charClass,
  normalizePrompt,
  normalizeText,
  promptTokens,
} from './normalize.js';

describe('normalizeText (steps 1-4)', () => {
  it('applies NFKC: full-width forms, ligatures, circled and superscript digits', () => {
    expect(normalizeText('ｆｉｎｄ ﬁle')).toBe('find file');
    expect(normalizeText('① x²')).toBe('0 x0');
  });

  it('lower-cases, folding final sigma to sigma', () => {
    expect(normalizeText('HeLLo WORLD')).toBe('hello world');
    expect(normalizeText('ΟΔΥΣΣΕΥΣ')).toBe('οδυσσευσ');
    expect(normalizeText('ς')).toBe('σ');
  });

  it('deletes format characters and variation selectors', () => {
    expect(normalizeText('hel\u200blo wor\u00adld\u200d\ufeff')).toBe('hello world');
    expect(normalizeText('\u2764\ufe0f')).toBe('\u2764');
  });

  it('masks numbers, including decimals, thousands separators and non-ASCII digits', () => {
    expect(normalizeText('17 + 25')).toBe('0 + 0');
    expect(normalizeText('3.5 and 1,000,000 and 1.2.3')).toBe('0 and 0 and 0');
    expect(normalizeText('v2 h2o gpt4o')).toBe('v0 h0o gpt0o');
    expect(normalizeText('1. 2, .5')).toBe('0. 0, .0');
    expect(normalizeText('٣٤ + ४२ + ๑๒')).toBe('0 + 0 + 0');
  });
});

describe('promptTokens (step 5)', () => {
  it('splits on punctuation and whitespace; symbols are tokens of their own', () => {
    expect(promptTokens('def add(a, b):\n    return a + b')).toEqual([
      'def',
      'add',
      'a',
      'b',
      'return',
      'a',
      '+',
      'b',
    ]);
    expect(promptTokens('user_name@example.com $5')).toEqual(['user', 'name', 'example', 'com', '$', '0']);
    expect(promptTokens('I ❤️ pizza 🍕🍕')).toEqual(['i', '❤', 'pizza', '🍕', '🍕']);
  });

  it('makes every character of a script written without spaces a token', () => {
    expect(promptTokens('東京の天気')).toEqual(['東', '京', 'の', '天', '気']);
    expect(promptTokens('abc中文def')).toEqual(['abc', '中', '文', 'def']);
    expect(promptTokens('สวัสดี')).toEqual(['ส', 'ว', 'ั', 'ส', 'ด', 'ี']);
    // Korean and Devanagari are written with spaces: words stay whole, marks stay in the word.
    expect(promptTokens('안녕하세요 세계')).toEqual(['안녕하세요', '세계']);
    expect(promptTokens('नमस्ते दुनिया')).toEqual(['नमस्ते', 'दुनिया']);
  });

  it('returns no tokens for empty, blank and punctuation-only text', () => {
    expect(promptTokens('')).toEqual([]);
    expect(promptTokens(' \t\n')).toEqual([]);
    expect(promptTokens('?!... ,;')).toEqual([]);
  });

  it('normalizePrompt joins tokens with single spaces', () => {
    expect(normalizePrompt('  Hello,\n\tWORLD!!  ')).toBe('hello world');
  });

  it('takes the same tokens on the ASCII fast path as on the general path', () => {
    // Appending " é" forces the general path and adds exactly one token at the end.
    for (let c = 0; c < 128; c++) {
      const t = `ab${String.fromCharCode(c)}cd 1${String.fromCharCode(c)}2 ${String.fromCharCode(c)}`;
      expect(promptTokens(t)).toEqual(promptTokens(`${t} é`).slice(0, -1));
    }
    const r = rng(1);
    const alphabet = 'aZ09 .,;$+<=>^`|~_-#@!\t\n(){}[]"\'';
    for (let k = 0; k < 2000; k++) {
      let t = '';
      const n = Math.floor(r() * 30);
      for (let i = 0; i < n; i++) t += alphabet[Math.floor(r() * alphabet.length)];
      expect(promptTokens(t)).toEqual(promptTokens(`${t} é`).slice(0, -1));
    }
  });
});

describe('charClass', () => {
  it('classifies code points as the tokeniser does', () => {
    expect(charClass('a'.codePointAt(0)!)).toBe(CHAR_WORD);
    expect(charClass('0'.codePointAt(0)!)).toBe(CHAR_WORD);
    expect(charClass(0x0301)).toBe(CHAR_WORD); // combining acute accent (M)
    expect(charClass('中'.codePointAt(0)!)).toBe(CHAR_UNSPACED);
    expect(charClass(0x20000)).toBe(CHAR_UNSPACED); // CJK extension B
    expect(charClass('+'.codePointAt(0)!)).toBe(CHAR_SYMBOL);
    expect(charClass('🍕'.codePointAt(0)!)).toBe(CHAR_SYMBOL);
    expect(charClass('。'.codePointAt(0)!)).toBe(CHAR_SEPARATOR); // CJK full stop (P) in a listed range
    expect(charClass(' '.codePointAt(0)!)).toBe(CHAR_SEPARATOR);
    expect(charClass(0xd800)).toBe(CHAR_SEPARATOR); // lone surrogate
  });
});
