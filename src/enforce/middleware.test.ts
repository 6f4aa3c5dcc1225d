import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { keyTable } from './callers.js';
import { Enforcer } from './enforcer.js';
import { distillguard } from './middleware.js';
import { MemorySink } from './test-support/harness.js';
import { verdict } from './test-support/records.js';

const KEYS = keyTable({
  keys: [
    { account_id: 'acct_ok', key: 'sk-ok' },
    { account_id: 'acct_block', key: 'sk-block' },
    { account_id: 'acct_flag', key: 'sk-flag' },
  ],
});

const THINKING_REPLY = {
  id: 'msg_1',
  type: 'message',
  role: 'assistant',
  content: [
    { type: 'thinking', thinking: 'secret plan', signature: 's' },
    { type: 'text', text: 'answer' },
  ],
  usage: { input_tokens: 3, output_tokens: 4 },
};
const SSE =
  'event: message_start\ndata: {"type":"message_start","message":{"usage":{"input_tokens":3,"output_tokens":1}}}\n\n' +
  'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}}\n\n' +
  'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n' +
  'event: content_block_start\ndata: {"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}\n\n' +
  'event: message_delta\ndata: {"type":"message_delta","delta":{},"usage":{"output_tokens":9}}\n\n';

async function app() {
  const sink = new MemorySink();
  const enforcer = await Enforcer.create({
    keys: KEYS,
    sinks: [sink],
    text: 'raw',
    actions: { watch: 'degrade' },
  });
  await enforcer.update({ kind: 'verdict', record: verdict('acct_block', 'block') });
  await enforcer.update({ kind: 'verdict', record: verdict('acct_flag', 'watch') });
  const a = new Hono<{ Variables: { distillguard: import('./enforcer.js').Admission } }>();
  a.use('/v1/*', distillguard({ enforcer, clientIp: () => '198.51.100.4' }));
  a.post('/v1/messages', async (c) => {
    const body = await c.req.json<{ stream?: boolean }>();
    c.header('request-id', 'req_app_1');
    if (body.stream === true) return c.body(SSE, 200, { 'content-type': 'text/event-stream' });
    return c.json({ ...THINKING_REPLY, account: c.get('distillguard').caller.account });
  });
  return { a, sink, enforcer };
}

const post = (key: string, body: unknown) => ({
  method: 'POST',
  headers: { 'x-api-key': key, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
  body: JSON.stringify(body),
});

describe('distillguard() Hono middleware', () => {
  it('rejects bad configuration when the factory is called', () => {
    expect(() => distillguard({} as never)).toThrowError(expect.objectContaining({ code: 'bad_config' }));
    expect(() => distillguard(undefined as never)).toThrowError(
      expect.objectContaining({ code: 'bad_config' }),
    );
  });

  it('lets unflagged traffic through unchanged, the handler still reads the body, and captures the exchange', async () => {
    const { a, sink } = await app();
    const res = await a.request(
      '/v1/messages',
      post('sk-ok', { model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] }),
    );
    expect(res.status).toBe(200);
    const json = (await res.json()) as typeof THINKING_REPLY & { account: string };
    expect(json.content.map((b) => b.type)).toEqual(['thinking', 'text']);
    expect(json.account).toBe('acct_ok');
    const [r] = await sink.wait(1);
    expect(r).toMatchObject({
      account_id: 'acct_ok',
      ip: '198.51.100.4',
      endpoint: 'messages',
      prompt: 'hi',
      request_id: 'req_app_1',
      input_tokens: 3,
      output_tokens: 4,
    });
  });

  it('blocks in the Anthropic shape before the handler runs', async () => {
    const { a, sink } = await app();
    const res = await a.request('/v1/messages', post('sk-block', { model: 'm', messages: [] }));
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ type: 'error', error: { type: 'permission_error' } });
    expect((await sink.wait(1))[0]).toMatchObject({ account_id: 'acct_block', status: 403 });
  });

  it('degrades flagged traffic, JSON and SSE; streams of unflagged traffic are byte-exact', async () => {
    const { a, sink } = await app();
    const res = await a.request('/v1/messages', post('sk-flag', { model: 'm', messages: [] }));
    expect(((await res.json()) as typeof THINKING_REPLY).content.map((b) => b.type)).toEqual(['text']);
    const s = await a.request('/v1/messages', post('sk-flag', { model: 'm', stream: true, messages: [] }));
    const text = await s.text();
    expect(text).not.toContain('thinking');
    expect(text).toContain('"index":0,"content_block":{"type":"text"');
    const plain = await a.request('/v1/messages', post('sk-ok', { model: 'm', stream: true, messages: [] }));
    expect(await plain.text()).toBe(SSE);
    const recs = await sink.wait(3);
    expect(recs.at(-1)).toMatchObject({ account_id: 'acct_ok', input_tokens: 3, output_tokens: 9 });
  });
});
