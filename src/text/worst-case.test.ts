/**
 * Hang guards: detectElicitation and classifyCapability on adversarial texts. Each must finish in
 * milliseconds (they are linear in the text, with the text capped); the per-test timeout only
 * catches a catastrophic regression (a regex window that backtracks exponentially took 30 s on
 * one real prompt of 542 characters). Not a benchmark: nothing here asserts a duration.
 */
import { describe, expect, it } from 'vitest';
import { classifyCapability } from './capability.js';
import { detectElicitation } from './elicitation.js';

const HANG_GUARD_MS = 2_000;

/** Pseudo-random words from a fixed seed (deterministic). */
function words(n: number, vocab: readonly string[], seed = 7): string {
  let s = seed;
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out.push(vocab[s % vocab.length]!);
  }
  return out.join(' ');
}

/** Words of the detectors' families that never complete a pattern on their own. */
const PARTIAL = [
  'show',
  'explain',
  'reconstruct',
  'complete',
  'internal',
  'full',
  'every',
  'step-by-step',
  'the',
  'your',
  'grade',
  'response',
  'rewrite',
  'question',
  'before',
  'each',
  'tool',
  'debug',
  'you',
  'are',
  'as',
  'think',
  'in',
  'english',
  'answer',
  ',',
];

const URL = `http://www.thewowstyle.com/wp-content/uploads/2015/01/${'abcdefghij-klmnopqrst_'.repeat(40)}image.jpg`;

const ADVERSARIAL: Record<string, string> = {
  // The shape of the 30-second prompt: a window after "reconstruct" running into a long URL.
  'reconstruct then a long URL': `I need help with this. Reconstruct, in full detail, the step-by-step thought process an expert would follow here.\n\nPrompt: Could you analyze the image at ${URL} and tell me what it shows`,
  'verbs before a long word without spaces': `Show your ${'abcdefgh'.repeat(500)} and explain the ${'x/'.repeat(2000)}`,
  'verbs glued by commas': `${'show,reconstruct,grade,explain,'.repeat(300)}reasoning`,
  '64 KB of "reasoning step by step complete internal"': 'reasoning step by step complete internal '.repeat(
    1600,
  ),
  'partial family words, 10k characters': words(1500, PARTIAL),
  'partial family words, 64 KB': words(10_000, PARTIAL, 11),
  'rubric windows over JSON-ish punctuation': `Grade the response below against the rubric. ${'(0-4), {"x": <n>}, '.repeat(400)}`,
  'policy windows': `Rewrite the ${'question prompt version '.repeat(800)}`,
  'many newlines': `${'\n'.repeat(30_000)}you are a${'\n \n'.repeat(10_000)}.`,
  'blank lines and sentence ends before persona openers': `${'. \n\t\n! '.repeat(8_000)}you are as as as as as`,
  'white space after debug mode': `debug mode${' '.repeat(30_000)}x ${'developer mode \t '.repeat(2000)}`,
  'CJK without spaces': '思考中文推理英語考え日本語생각한국어'.repeat(4000),
  'CJK thinking words and language names split by answer breaks': '思考，用中文回答。'.repeat(8000),
  'Latin thinking words and language names split by breaks': 'think, answer in english. '.repeat(3000),
  'image markdown openers': `${'!['.repeat(20_000)}](x.png)`,
  'screenshots and data stems': `${'[screenshot '.repeat(3000)}${'analyze the data '.repeat(2000)}`,
  'digits and number groups': `${'1,2.3,'.repeat(5000)}${'9'.repeat(20_000)}`,
  'one huge token': 'a'.repeat(65_536),
  'tool result with leading white space': `${' '.repeat(30_000)}tool result: ok`,
  'mixed scripts and symbols': '$+<=>^`|~ éàü ß ı İ ς 思 ’‘ '.repeat(3000),
};

describe('worst-case inputs finish (hang guard, not a benchmark)', () => {
  for (const [name, text] of Object.entries(ADVERSARIAL)) {
    it(
      `${name} (${text.length} chars)`,
      () => {
        const e = detectElicitation(text, text);
        expect(e.mask).toBeGreaterThanOrEqual(0);
        expect(typeof classifyCapability(text)).toBe('string');
        expect(typeof classifyCapability(text, { systemPrompt: text })).toBe('string');
        // Many calls on the 10k-character prefix: a quadratic cost would show here too.
        const head = text.slice(0, 10_000);
        for (let i = 0; i < 20; i++) {
          detectElicitation(head);
          classifyCapability(head);
        }
      },
      HANG_GUARD_MS,
    );
  }

  it(
    'still detects the template of the 30-second prompt',
    () => {
      const e = detectElicitation(ADVERSARIAL['reconstruct then a long URL']);
      expect(e.strong).toBe(true);
      expect(classifyCapability(ADVERSARIAL['reconstruct then a long URL']!)).toBe('reasoning');
    },
    HANG_GUARD_MS,
  );
});
