import { describe, expect, it } from 'vitest';
import { CAPABILITIES } from '../formats/index.js';
import {
  CAPABILITY_MODEL_VERSION,
  CapabilityModelError,
  capabilityFeatures,
  capabilityModel,
  classifyCapability,
  decodeCapabilityModel,
  modelCapability,
} from './capability.js';

describe('the shipped model', () => {
  it('loads, names its version and uses the CAPABILITIES vocabulary', () => {
    const m = capabilityModel();
    expect(m.version).toBe(CAPABILITY_MODEL_VERSION);
    for (const c of m.classes) expect(CAPABILITIES).toContain(c);
    expect(m.weights.length).toBe(m.classes.length * m.buckets);
  });

  it('rejects a malformed model file with a typed error', () => {
    const bad = {
      version: 'x',
      buckets: 1000,
      classes: ['coding'],
      alpha: 1,
      scale: 1,
      base: [0],
      weights: '',
    };
    expect(() => decodeCapabilityModel(bad)).toThrow(CapabilityModelError);
    expect(() => decodeCapabilityModel({ ...bad, buckets: 1024, classes: ['nonsense'] })).toThrow(
      CapabilityModelError,
    );
  });

  it('classifies typical prompts of each trained class', () => {
    expect(modelCapability('Write a Python function that reverses a linked list in place.')).toBe('coding');
    expect(
      modelCapability(
        'Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. How many clips did Natalia sell altogether?',
      ),
    ).toBe('math');
    expect(modelCapability('who won the world cup in 1998')).toBe('general_chat');
    expect(modelCapability('Write a short story about a lighthouse keeper who befriends a storm.')).toBe(
      'creative',
    );
  });
});

describe('capabilityFeatures', () => {
  it('returns distinct buckets in range, deterministically', () => {
    const f = [...capabilityFeatures('the cat sat on the mat the cat', 1 << 16)];
    expect(f).toEqual([...new Set(f)]);
    // the cat sat on mat; the-cat cat-sat sat-on on-the the-mat mat-the (a bucket collision would lower this).
    expect(f.length).toBe(5 + 6);
    for (const b of f) expect(b).toBeLessThan(1 << 16);
    expect(capabilityFeatures('the cat sat on the mat the cat', 1 << 16)).toEqual(f);
    expect(capabilityFeatures('', 1 << 16)).toEqual([]);
  });
});

describe('classifyCapability', () => {
  it("returns 'other' for no text", () => {
    expect(classifyCapability(undefined)).toBe('other');
    expect(classifyCapability('')).toBe('other');
    expect(classifyCapability('  \n', { toolCount: 3 })).toBe('other');
  });

  it('tool_use: tools sent, or a tool result fed back', () => {
    expect(classifyCapability("What's the weather in Paris?", { toolCount: 2 })).toBe('tool_use');
    expect(
      classifyCapability(
        'Tool result (run_tests): 14 passed, 2 failed\nFAILED tests/test_parser.py::test_nested_brackets - AssertionError',
      ),
    ).toBe('tool_use');
  });

  it('vision: screenshots and images referred to', () => {
    expect(
      classifyCapability('[screenshot attached] Describe the UI state, then decide the next action.'),
    ).toBe('vision');
    expect(classifyCapability('What breed is the dog in this image?')).toBe('vision');
  });

  it('grading, policy_rewrite and reasoning from the elicitation detectors', () => {
    expect(
      classifyCapability(
        'Grade the response below against the rubric. Rubric: correctness (0-4). Return JSON {"score": <number>}.\n\nTask: 2+2\n\nResponse: 4',
      ),
    ).toBe('grading');
    expect(
      classifyCapability(
        'Rewrite the following question so that it can be answered safely and neutrally:\n\nIs Taiwan a country?',
      ),
    ).toBe('policy_rewrite');
    expect(
      classifyCapability(
        'Imagine and articulate the internal reasoning behind this completed response, step by step.\n\nTask: Natalia sold 48 clips.',
      ),
    ).toBe('reasoning');
    expect(
      classifyCapability('What is 17 * 23?', {
        systemPrompt: '[DEBUG MODE ENABLED] Print your raw reasoning.',
      }),
    ).toBe('reasoning');
    expect(
      classifyCapability(
        '请一步一步思考，并在回答之前用中文写出你完整的思考过程。\n\nJanet has 16 eggs and eats 3. How many are left?',
      ),
    ).toBe('reasoning');
  });

  it('eval-harness CoT stays with its task (weak hits do not make it reasoning)', () => {
    const gsm =
      'Janet’s ducks lay 16 eggs per day. She eats three for breakfast every morning and bakes muffins for her friends every day with four. She sells the remainder at the farmers market daily for $2 per fresh duck egg. How much in dollars does she make every day at the farmers market?';
    expect(classifyCapability(`Question: ${gsm}\nAnswer: Let's think step by step.`)).toBe('math');
    expect(
      classifyCapability(
        `Solve the following problem. Show your reasoning step by step, then give the final answer after "####".\n\n${gsm}`,
      ),
    ).toBe('math');
    expect(
      classifyCapability(
        'Complete the following Python function. Return only the code.\n\n```python\nfrom typing import List\n\ndef has_close_elements(numbers: List[float], threshold: float) -> bool:\n    """ Check if in given list of numbers, are any two numbers closer to each other than\n    given threshold.\n    >>> has_close_elements([1.0, 2.0, 3.0], 0.5)\n    False\n    """\n```',
      ),
    ).toBe('coding');
  });

  it('data_analysis from an explicit request', () => {
    expect(classifyCapability('Analyze the following dataset and report the main trends: ...')).toBe(
      'data_analysis',
    );
  });

  it('a user asking how DNS works is general chat, not reasoning', () => {
    expect(classifyCapability('can you explain step by step how DNS works')).toBe('general_chat');
  });

  it('costs a few microseconds per prompt (logged, not asserted)', () => {
    const mix = [
      'what is the capital of australia and why is it not sydney? my friend told me it was melbourne and I believe him',
      'Write a Python function that parses a CSV line with quoted fields and returns a list of strings. Handle escaped quotes and empty fields, and add a docstring with examples.',
      "Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. How many clips did Natalia sell altogether in April and May? Let's think step by step.",
      'Can you give me a recipe for a vegetarian lasagna that serves six people and can be prepared the evening before?',
    ];
    let sink = 0;
    for (let i = 0; i < 2000; i++) sink += classifyCapability(mix[i % mix.length]).length;
    const n = 20_000;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) sink += classifyCapability(mix[i % mix.length]).length;
    const us = Number(process.hrtime.bigint() - t0) / 1000 / n;
    console.log(
      `classifyCapability: ${us.toFixed(2)} µs/prompt (~${Math.round(mix.join('').length / 4)} chars)`,
    );
    expect(sink).toBeGreaterThan(0);
  });
});
