import { describe, expect, it } from 'vitest';
import { endpointOf, errorResponse, requestFacts, stripReasoning } from './api.js';

describe('endpointOf', () => {
  it('names the three model endpoints under any prefix, ignoring the query', () => {
    expect(endpointOf('/v1/chat/completions')).toBe('chat.completions');
    expect(endpointOf('/openai/v1/responses?x=1')).toBe('responses');
    expect(endpointOf('/v1/messages')).toBe('messages');
    expect(endpointOf('/v1/messages/count_tokens')).toBeNull();
    expect(endpointOf('/v1/models')).toBeNull();
  });
});

describe('requestFacts', () => {
  it('reads an OpenAI chat request', () => {
    const f = requestFacts('chat.completions', {
      model: 'gpt-x',
      stream: true,
      user: 'end-7',
      temperature: 0.2,
      max_completion_tokens: 900,
      reasoning_effort: 'high',
      tools: [{}, {}],
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'first' },
        { role: 'assistant', content: 'ok' },
        { role: 'user', content: [{ type: 'text', text: 'Explain step by step' }] },
      ],
    });
    expect(f).toEqual({
      stream: true,
      model: 'gpt-x',
      temperature: 0.2,
      tool_count: 2,
      turns: 4,
      prompt: 'Explain step by step',
      system_prompt: 'You are terse.',
      end_user_id: 'end-7',
      max_tokens: 900,
      reasoning: true,
    });
  });

  it('reads a Responses request with a string input', () => {
    expect(
      requestFacts('responses', {
        model: 'm',
        input: 'hi',
        instructions: 'sys',
        reasoning: { effort: 'low' },
        max_output_tokens: 5,
      }),
    ).toEqual({
      stream: false,
      model: 'm',
      turns: 1,
      prompt: 'hi',
      system_prompt: 'sys',
      reasoning: true,
      max_tokens: 5,
    });
  });

  it('reads an Anthropic request', () => {
    const f = requestFacts('messages', {
      model: 'claude-x',
      max_tokens: 1024,
      system: [{ type: 'text', text: 'Be exact.' }],
      metadata: { user_id: 'u-1' },
      thinking: { type: 'enabled', budget_tokens: 2048 },
      messages: [{ role: 'user', content: 'Prove it' }],
    });
    expect(f).toMatchObject({
      model: 'claude-x',
      max_tokens: 1024,
      system_prompt: 'Be exact.',
      end_user_id: 'u-1',
      reasoning: true,
      prompt: 'Prove it',
      turns: 1,
    });
  });

  it('never throws on a body that is not what it expects', () => {
    expect(requestFacts('messages', 'nonsense')).toEqual({ stream: false });
    expect(requestFacts('chat.completions', { messages: 'x', model: 3 })).toEqual({ stream: false });
  });
});

describe('errorResponse', () => {
  it('answers in OpenAI shape with a stable code and Retry-After for a throttle', () => {
    const e = errorResponse('openai', { kind: 'throttled', retryAfterS: 12 });
    expect(e.status).toBe(429);
    expect(e.headers['retry-after']).toBe('12');
    expect(JSON.parse(e.body)).toMatchObject({ error: { code: 'rate_limit_exceeded', type: 'requests' } });
  });

  it('answers in Anthropic shape; a step-up is machine-readable by its type', () => {
    const e = errorResponse('anthropic', { kind: 'step_up', verificationUrl: 'https://verify.example/x' });
    expect(e.status).toBe(403);
    const b = JSON.parse(e.body);
    expect(b).toMatchObject({ type: 'error', error: { type: 'verification_required' } });
    expect(b.error.message).toContain('https://verify.example/x');
    expect(JSON.parse(errorResponse('anthropic', { kind: 'blocked' }).body).error.type).toBe(
      'permission_error',
    );
  });
});

describe('stripReasoning', () => {
  it('removes Anthropic thinking blocks, OpenAI reasoning fields and Responses reasoning items', () => {
    const m = {
      content: [
        { type: 'thinking', thinking: 'x' },
        { type: 'redacted_thinking' },
        { type: 'text', text: 'a' },
      ],
    };
    expect(stripReasoning('messages', m)).toBe(true);
    expect(m.content).toEqual([{ type: 'text', text: 'a' }]);
    const c = { choices: [{ message: { content: 'a', reasoning_content: 'x' } }] };
    expect(stripReasoning('chat.completions', c)).toBe(true);
    expect(c.choices[0]?.message).toEqual({ content: 'a' });
    const r = { output: [{ type: 'reasoning' }, { type: 'message' }] };
    expect(stripReasoning('responses', r)).toBe(true);
    expect(r.output).toEqual([{ type: 'message' }]);
    expect(stripReasoning('messages', { content: [{ type: 'text', text: 'a' }] })).toBe(false);
  });
});
