import { describe, expect, it } from 'vitest';
import { SseDegrader, SseUsageReader } from './sse.js';

const ANTHROPIC = [
  'event: message_start\ndata: {"type":"message_start","message":{"id":"m","content":[],"usage":{"input_tokens":21,"output_tokens":1}}}\n\n',
  'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}}\n\n',
  'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"hmm"}}\n\n',
  'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n',
  'event: content_block_start\ndata: {"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}\n\n',
  'event: content_block_delta\ndata: {"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"héllo"}}\n\n',
  'event: content_block_stop\ndata: {"type":"content_block_stop","index":1}\n\n',
  'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":57}}\n\n',
  'event: message_stop\ndata: {"type":"message_stop"}\n\n',
].join('');

/** Feeds `text` in pieces of `size` bytes (splitting UTF-8 sequences and lines anywhere). */
function pieces(text: string, size: number): Buffer[] {
  const b = Buffer.from(text);
  const out: Buffer[] = [];
  for (let i = 0; i < b.length; i += size) out.push(b.subarray(i, i + size));
  return out;
}

describe('SseUsageReader', () => {
  it('reads Anthropic usage from message_start and message_delta, however the bytes are cut', () => {
    for (const size of [1, 3, 7, 64, 100_000]) {
      const r = new SseUsageReader();
      for (const p of pieces(ANTHROPIC, size)) r.push(p);
      expect(r.end()).toEqual({ input_tokens: 21, output_tokens: 57 });
    }
  });

  it('reads OpenAI chat usage from the final chunk and Responses usage from response.completed', () => {
    const chat =
      'data: {"choices":[{"delta":{"content":"a"}}],"usage":null}\n\ndata: {"choices":[],"usage":{"prompt_tokens":5,"completion_tokens":9}}\n\ndata: [DONE]\n\n';
    const r = new SseUsageReader();
    for (const p of pieces(chat, 5)) r.push(p);
    expect(r.end()).toEqual({ input_tokens: 5, output_tokens: 9 });
    const resp =
      'event: response.completed\ndata: {"type":"response.completed","response":{"usage":{"input_tokens":3,"output_tokens":4}}}\n\n';
    const q = new SseUsageReader();
    q.push(Buffer.from(resp));
    expect(q.end()).toEqual({ input_tokens: 3, output_tokens: 4 });
  });
});

function degrade(
  endpoint: 'messages' | 'chat.completions' | 'responses',
  text: string,
  size: number,
): string {
  const d = new SseDegrader(endpoint);
  let out = '';
  for (const p of pieces(text, size)) out += d.push(p);
  return out + d.end();
}

function events(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith('data: ') && l !== 'data: [DONE]')
    .map((l) => JSON.parse(l.slice(6)) as Record<string, unknown>);
}

describe('SseDegrader', () => {
  it('drops Anthropic thinking blocks and renumbers the blocks after them', () => {
    for (const size of [1, 13, 100_000]) {
      const out = degrade('messages', ANTHROPIC, size);
      const ev = events(out);
      expect(ev.map((e) => e.type)).toEqual([
        'message_start',
        'content_block_start',
        'content_block_delta',
        'content_block_stop',
        'message_delta',
        'message_stop',
      ]);
      expect(ev.filter((e) => 'index' in e).every((e) => e.index === 0)).toBe(true);
      expect(out).toContain('héllo');
      expect(out).not.toContain('thinking');
    }
  });

  it('passes a stream without reasoning through byte for byte', () => {
    const plain = ANTHROPIC.split('\n\n')
      .filter((e) => !e.includes('"index":0') && e !== '')
      .map((e) => `${e}\n\n`)
      .join('');
    expect(degrade('messages', plain, 9)).toBe(plain);
  });

  it('removes OpenAI reasoning_content deltas', () => {
    const chat =
      'data: {"choices":[{"index":0,"delta":{"reasoning_content":"think"}}]}\n\ndata: {"choices":[{"index":0,"delta":{"content":"a"}}]}\n\ndata: [DONE]\n\n';
    const out = degrade('chat.completions', chat, 4);
    expect(out).not.toContain('think');
    expect(out).toContain('"content":"a"');
    expect(out.endsWith('data: [DONE]\n\n')).toBe(true);
  });

  it('drops Responses reasoning items and events and renumbers output_index', () => {
    const ev = (o: Record<string, unknown>) => `event: ${String(o.type)}\ndata: ${JSON.stringify(o)}\n\n`;
    const text = [
      ev({ type: 'response.output_item.added', output_index: 0, item: { type: 'reasoning', id: 'rs' } }),
      ev({ type: 'response.reasoning_summary_text.delta', output_index: 0, delta: 'secret' }),
      ev({ type: 'response.output_item.done', output_index: 0, item: { type: 'reasoning', id: 'rs' } }),
      ev({ type: 'response.output_item.added', output_index: 1, item: { type: 'message', id: 'm' } }),
      ev({ type: 'response.output_text.delta', output_index: 1, delta: 'answer' }),
      ev({ type: 'response.completed', response: { output: [{ type: 'reasoning' }, { type: 'message' }] } }),
    ].join('');
    const out = events(degrade('responses', text, 11));
    expect(out.map((e) => e.type)).toEqual([
      'response.output_item.added',
      'response.output_text.delta',
      'response.completed',
    ]);
    expect(out[0]?.output_index).toBe(0);
    expect(out[1]?.output_index).toBe(0);
    expect((out[2]?.response as { output: unknown[] } | undefined)?.output).toEqual([{ type: 'message' }]);
  });
});
