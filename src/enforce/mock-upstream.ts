/**
 * A local stand-in for an OpenAI- and Anthropic-compatible API, for the gateway's tests, its
 * overhead benchmark and trying the gateway without a provider account. It answers
 * `/v1/chat/completions`, `/v1/responses` and `/v1/messages`, streamed (SSE, in each API's event
 * grammar, usage in the final events) or not; it returns reasoning when asked for it (OpenAI
 * `reasoning_effort` / `reasoning`, Anthropic `thinking`); and a model named `mock-error-<status>`
 * gets that status with an error body in the API's shape and a recognisable header, so that tests
 * can check errors pass through unchanged. Every request received is counted and kept (body and
 * headers), so that tests can check a request reached it exactly once. A request header
 * `x-mock-id` fixes the ids in the answer, so that two answers can be compared byte for byte.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface MockUpstreamOptions {
  /** Characters of answer text (default 400: a ~1 KB JSON reply, as in DEPENDENCIES.md's HTTP test). */
  answerChars?: number;
  /** Streamed answers are cut into this many text deltas (default 8). */
  streamChunks?: number;
  /** A streamed answer is written in this many pieces, cut anywhere (default 4), as a real server
   * flushes it: readers on the other side must cope with events split across chunks. */
  streamWrites?: number;
  /** Keep the requests received (default true; the benchmark turns it off). */
  keep?: boolean;
  port?: number;
}

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface MockUpstream {
  url: string;
  port: number;
  server: Server;
  received: ReceivedRequest[];
  /** Requests received, kept or not. */
  count(): number;
  close(): Promise<void>;
}

const USAGE_IN = 21;
const THINKING = 'The user wants an answer. Considering the options step by step before replying.';
const SIGNATURE = 'c2lnbmF0dXJlLW9mLXRoZS10aGlua2luZy1ibG9jaw==';

function answer(n: number): string {
  const base = 'The quick brown fox jumps over the lazy dog. ';
  return base.repeat(Math.ceil(n / base.length)).slice(0, n);
}

function split(s: string, parts: number): string[] {
  const size = Math.max(1, Math.ceil(s.length / parts));
  const out: string[] = [];
  for (let i = 0; i < s.length; i += size) out.push(s.slice(i, i + size));
  return out;
}

type Json = Record<string, unknown>;

function errorFor(path: string, status: number): Json {
  const message = `mock upstream error ${status}`;
  return path.endsWith('/v1/messages')
    ? { type: 'error', error: { type: status === 429 ? 'rate_limit_error' : 'api_error', message } }
    : {
        error: {
          message,
          type: status === 429 ? 'requests' : 'server_error',
          param: null,
          code: `mock_${status}`,
        },
      };
}

export async function startMockUpstream(opts: MockUpstreamOptions = {}): Promise<MockUpstream> {
  const text = answer(opts.answerChars ?? 400);
  const chunks = split(text, opts.streamChunks ?? 8);
  const outTokens = Math.max(1, Math.round(text.length / 4));
  const keep = opts.keep ?? true;
  const writes = Math.max(1, opts.streamWrites ?? 4);
  const sendStream = (res: ServerResponse, headers: Record<string, string>, out: string) => {
    res.writeHead(200, headers);
    const step = Math.ceil(out.length / writes);
    for (let i = 0; i + step < out.length; i += step) res.write(out.slice(i, i + step));
    res.end(out.slice(Math.floor((out.length - 1) / step) * step));
  };
  const received: ReceivedRequest[] = [];
  let n = 0;

  const handle = (req: IncomingMessage, res: ServerResponse, raw: string) => {
    ++n;
    // A caller-chosen id makes two answers byte-identical (tests compare direct and proxied bytes).
    const fixed = req.headers['x-mock-id'];
    const id = typeof fixed === 'string' ? fixed : String(n);
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (keep) received.push({ method: req.method ?? 'GET', path, headers: { ...req.headers }, body: raw });
    let body: Json = {};
    try {
      body = raw === '' ? {} : (JSON.parse(raw) as Json);
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify(errorFor(path, 400)));
      return;
    }
    const model = typeof body.model === 'string' ? body.model : 'mock-model';
    const m = /^mock-error-(\d{3})$/.exec(model);
    if (m !== null) {
      const status = Number(m[1]);
      const payload = JSON.stringify(errorFor(path, status));
      res.writeHead(status, {
        'content-type': 'application/json',
        'x-mock-error': String(status),
        'retry-after': '7',
        'x-request-id': `req_mock_${id}`,
        'request-id': `req_mock_${id}`,
      });
      res.end(payload);
      return;
    }
    const stream = body.stream === true;
    const headers = {
      'x-request-id': `req_mock_${id}`,
      'request-id': `req_mock_${id}`,
      ...(stream
        ? { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' }
        : { 'content-type': 'application/json' }),
    };
    if (path.endsWith('/v1/chat/completions')) {
      const reasoning = body.reasoning_effort !== undefined && body.reasoning_effort !== 'none';
      const base = { id: `chatcmpl-${id}`, created: 1_767_225_600, model };
      const usage = {
        prompt_tokens: USAGE_IN,
        completion_tokens: outTokens,
        total_tokens: USAGE_IN + outTokens,
      };
      if (!stream) {
        const message: Json = { role: 'assistant', content: text, refusal: null };
        if (reasoning) message.reasoning_content = THINKING;
        const payload = JSON.stringify({
          ...base,
          object: 'chat.completion',
          choices: [{ index: 0, message, finish_reason: 'stop', logprobs: null }],
          usage,
        });
        res.writeHead(200, headers);
        res.end(payload);
        return;
      }
      const includeUsage =
        typeof body.stream_options === 'object' &&
        body.stream_options !== null &&
        (body.stream_options as Json).include_usage === true;
      const chunk = (delta: Json, finish: string | null) =>
        `data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }], ...(includeUsage ? { usage: null } : {}) })}\n\n`;
      let out = chunk({ role: 'assistant', content: '' }, null);
      if (reasoning) for (const t of split(THINKING, 2)) out += chunk({ reasoning_content: t }, null);
      for (const t of chunks) out += chunk({ content: t }, null);
      out += chunk({}, 'stop');
      if (includeUsage)
        out += `data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [], usage })}\n\n`;
      out += 'data: [DONE]\n\n';
      sendStream(res, headers, out);
      return;
    }
    if (path.endsWith('/v1/responses')) {
      const reasoning = typeof body.reasoning === 'object' && body.reasoning !== null;
      const usage = { input_tokens: USAGE_IN, output_tokens: outTokens, total_tokens: USAGE_IN + outTokens };
      const reasoningItem = {
        type: 'reasoning',
        id: `rs_${id}`,
        summary: [{ type: 'summary_text', text: THINKING }],
      };
      const messageItem = {
        type: 'message',
        id: `msg_${id}`,
        status: 'completed',
        role: 'assistant',
        content: [{ type: 'output_text', text, annotations: [] }],
      };
      const output = reasoning ? [reasoningItem, messageItem] : [messageItem];
      const response = (status: string, out: unknown[], u: unknown) => ({
        id: `resp_${id}`,
        object: 'response',
        created_at: 1_767_225_600,
        status,
        model,
        output: out,
        usage: u,
      });
      if (!stream) {
        res.writeHead(200, headers);
        res.end(JSON.stringify(response('completed', output, usage)));
        return;
      }
      let seq = 0;
      const ev = (type: string, data: Json) =>
        `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq++, ...data })}\n\n`;
      let out = ev('response.created', { response: response('in_progress', [], null) });
      let idx = 0;
      if (reasoning) {
        out += ev('response.output_item.added', {
          output_index: idx,
          item: { ...reasoningItem, summary: [] },
        });
        out += ev('response.reasoning_summary_text.delta', {
          item_id: reasoningItem.id,
          output_index: idx,
          summary_index: 0,
          delta: THINKING,
        });
        out += ev('response.output_item.done', { output_index: idx, item: reasoningItem });
        idx++;
      }
      out += ev('response.output_item.added', { output_index: idx, item: { ...messageItem, content: [] } });
      for (const t of chunks)
        out += ev('response.output_text.delta', {
          item_id: messageItem.id,
          output_index: idx,
          content_index: 0,
          delta: t,
        });
      out += ev('response.output_item.done', { output_index: idx, item: messageItem });
      out += ev('response.completed', { response: response('completed', output, usage) });
      sendStream(res, headers, out);
      return;
    }
    if (path.endsWith('/v1/messages')) {
      const thinking =
        typeof body.thinking === 'object' &&
        body.thinking !== null &&
        (body.thinking as Json).type !== 'disabled';
      const content: Json[] = [];
      if (thinking) content.push({ type: 'thinking', thinking: THINKING, signature: SIGNATURE });
      content.push({ type: 'text', text });
      const message = {
        id: `msg_${id}`,
        type: 'message',
        role: 'assistant',
        model,
        stop_reason: 'end_turn',
        stop_sequence: null,
      };
      if (!stream) {
        res.writeHead(200, headers);
        res.end(
          JSON.stringify({
            ...message,
            content,
            usage: { input_tokens: USAGE_IN, output_tokens: outTokens },
          }),
        );
        return;
      }
      const ev = (type: string, data: Json) =>
        `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
      let out = ev('message_start', {
        message: {
          ...message,
          content: [],
          stop_reason: null,
          usage: { input_tokens: USAGE_IN, output_tokens: 1 },
        },
      });
      let idx = 0;
      if (thinking) {
        out += ev('content_block_start', {
          index: idx,
          content_block: { type: 'thinking', thinking: '', signature: '' },
        });
        for (const t of split(THINKING, 2))
          out += ev('content_block_delta', { index: idx, delta: { type: 'thinking_delta', thinking: t } });
        out += ev('content_block_delta', {
          index: idx,
          delta: { type: 'signature_delta', signature: SIGNATURE },
        });
        out += ev('content_block_stop', { index: idx });
        idx++;
      }
      out += ev('content_block_start', { index: idx, content_block: { type: 'text', text: '' } });
      out += ev('ping', {});
      for (const t of chunks)
        out += ev('content_block_delta', { index: idx, delta: { type: 'text_delta', text: t } });
      out += ev('content_block_stop', { index: idx });
      out += ev('message_delta', {
        delta: { stop_reason: 'end_turn', stop_sequence: null },
        usage: { output_tokens: outTokens },
      });
      out += ev('message_stop', {});
      sendStream(res, headers, out);
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(errorFor(path, 404)));
  };

  const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(parts).toString('utf8')));
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    received,
    count: () => n,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
