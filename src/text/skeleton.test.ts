import { describe, expect, it } from 'vitest';
import { HEAD_TOKENS, promptSkeleton, skeletonHash, TAIL_TOKENS } from './skeleton.js';

describe('promptSkeleton', () => {
  it('lower-cases, drops punctuation and collapses white space', () => {
    expect(promptSkeleton('  Hi!  Solve   this,\n\tplease. ')).toBe('hi solve this please');
    expect(promptSkeleton('')).toBe('');
    expect(promptSkeleton(' ?! ')).toBe('');
  });

  it('masks numbers, quotes, code, URLs, e-mails and mid-sentence names', () => {
    expect(promptSkeleton('Janet has 3 apples and 12.5 pears')).toBe('janet has <n> apples and <n> pears');
    expect(promptSkeleton('He said "hello there" and “bye”')).toBe('he said <q> and <q>');
    expect(promptSkeleton("it's 'quoted' here, don't")).toBe('it s <q> here don t');
    expect(promptSkeleton('Fix `foo()` in\n```js\nlet x = 1;\n```\nthanks')).toBe(
      'fix <code> in <code> thanks',
    );
    expect(promptSkeleton('See https://example.com/a?b=1 or mail a.b@c.org')).toBe('see <url> or mail <url>');
    expect(promptSkeleton('give it to Mary Jane Watson in Paris')).toBe('give it to <name> in <name>');
    // Sentence-initial capitals are not names.
    expect(promptSkeleton('Write a poem. Then stop.')).toBe('write a poem then stop');
  });

  it('makes variants of one template meet', () => {
    const a = promptSkeleton(
      'Grade the response below against the rubric. Rubric: correctness (0-4). Return JSON {"score": <number>}.',
    );
    const b = promptSkeleton(
      'Grade the response below against the rubric. Rubric: correctness (0-5).  Return JSON {"score": <number>}',
    );
    expect(a).toBe(b);
  });

  it('keeps the head and the tail of a long text, whatever the middle', () => {
    const head = 'You are an expert analyst. Explain your complete reasoning. '.repeat(6);
    const tail = '. Return the answer as JSON with the fields score and reason. Thanks!';
    const a = promptSkeleton(`${head}${'lorem ipsum dolor sit amet '.repeat(40)}${tail}`);
    const b = promptSkeleton(`${head}${'completely different task text here '.repeat(60)}${tail}`);
    expect(a).toBe(b);
    const tokens = a.split(' ');
    expect(tokens.length).toBe(HEAD_TOKENS + TAIL_TOKENS + 1);
    expect(tokens[HEAD_TOKENS]).toBe('…');
    expect(a.endsWith('answer as json with the fields score and reason thanks')).toBe(true);
  });

  it('bounds the work on very long texts and masks a code block cut by the tail', () => {
    const long = `Intro words here. ${'x '.repeat(20_000)}\`\`\`python\n${'y = 1\n'.repeat(50)}\`\`\` done now`;
    const s = promptSkeleton(long);
    expect(s.startsWith('intro words here x x')).toBe(true);
    expect(s.endsWith('done now')).toBe(true);
    expect(s).not.toContain('y <n>');
  });

  it('handles non-Latin scripts', () => {
    expect(promptSkeleton('请一步一步思考，用中文写出 3 个步骤')).toBe(
      '请一步一步思考 用中文写出 <n> 个步骤',
    );
  });
});

describe('skeletonHash', () => {
  it('is 16 hex digits, equal for equal skeletons, different otherwise', () => {
    const h = skeletonHash('Solve: 2 + 2');
    expect(h).toMatch(/^[0-9a-f]{16}$/);
    expect(skeletonHash('solve  7 + 9 ')).toBe(h);
    expect(skeletonHash('Solve: 2 - 2')).not.toBe(h);
    expect(skeletonHash('')).toMatch(/^[0-9a-f]{16}$/);
  });

  it('is stable (a published value: changing it means changing SKELETON_VERSION)', () => {
    expect(skeletonHash('Hello. World 42')).toBe(skeletonHash('hello world 7'));
    expect(promptSkeleton('Hello. World 42')).toBe('hello world <n>');
    expect(skeletonHash('Hello. World 42')).toBe('5ae3850948ebdff3');
  });

  it('costs a few microseconds per prompt (logged, not asserted)', () => {
    const prompts = [
      'Imagine and articulate the internal reasoning behind this completed response, step by step.\n\nTask: Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. How many clips did Natalia sell altogether in April and May? Thanks!',
      'Write a Python function `parse(s)` that reads a CSV line with quoted fields like "a, b" and returns a list. See https://docs.python.org/3/library/csv.html for the edge cases we need to cover.',
      'what is the capital of australia and why is it not sydney, my friend Tom told me it was Melbourne',
    ];
    const n = 20_000;
    let sink = 0;
    for (let i = 0; i < 2000; i++) sink += skeletonHash(prompts[i % 3]!).length;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) sink += skeletonHash(prompts[i % 3]!).length;
    const us = Number(process.hrtime.bigint() - t0) / 1000 / n;
    console.log(
      `skeletonHash: ${us.toFixed(2)} µs/prompt (~${Math.round(prompts.join('').length / 3)} chars)`,
    );
    expect(sink).toBeGreaterThan(0);
  });
});
