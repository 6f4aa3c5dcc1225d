import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ExchangeIn } from '../formats/index.js';
import { promptFingerprint } from '../text/index.js';
import { buildRecord, CaptureQueue, type ExchangeRecord, type PendingExchange } from './capture.js';
import { HttpSink } from './http-sink.js';
import { SegmentSink } from './segment-sink.js';

const REQUEST = {
  model: 'claude-x',
  max_tokens: 512,
  temperature: 0.7,
  system: 'You are a grader.',
  metadata: { user_id: 'end-42' },
  thinking: { type: 'enabled', budget_tokens: 1024 },
  tools: [{ name: 't' }],
  messages: [
    { role: 'user', content: 'Grade this essay step by step.' },
    { role: 'assistant', content: 'Sure.' },
    { role: 'user', content: 'Now explain your rubric in detail.' },
  ],
};

function pending(over: Partial<PendingExchange> = {}): PendingExchange {
  return {
    ts: Date.UTC(2026, 10, 1, 12),
    account_id: 'acct_1',
    ip: '203.0.113.9',
    request_id: 'req_1',
    api_key_id: 'sha256:abcdefabcdef',
    user_agent: 'anthropic-typescript/1.14.0',
    endpoint: 'messages',
    requestBody: Buffer.from(JSON.stringify(REQUEST)),
    status: 200,
    latency_ms: 12.3456,
    responseBody: Buffer.from(JSON.stringify({ usage: { input_tokens: 30, output_tokens: 70 } })),
    ...over,
  };
}

describe('buildRecord', () => {
  it('fills every field formats.md names and validates against the exchange schema', () => {
    const r = buildRecord(pending(), 'raw');
    expect(r).toEqual({
      ts: '2026-11-01T12:00:00.000Z',
      account_id: 'acct_1',
      ip: '203.0.113.9',
      request_id: 'req_1',
      api_key_id: 'sha256:abcdefabcdef',
      user_agent: 'anthropic-typescript/1.14.0',
      endpoint: 'messages',
      model: 'claude-x',
      status: 200,
      latency_ms: 12.346,
      turns: 3,
      tool_count: 1,
      reasoning: true,
      max_tokens: 512,
      temperature: 0.7,
      end_user_id: 'end-42',
      system_prompt: 'You are a grader.',
      prompt: 'Now explain your rubric in detail.',
      prompt_fingerprint: promptFingerprint('Now explain your rubric in detail.'),
      input_tokens: 30,
      output_tokens: 70,
    });
    expect(ExchangeIn.safeParse(r).success).toBe(true);
  });

  it('ships only the fingerprint, or no text, as configured', () => {
    const f = buildRecord(pending(), 'fingerprint');
    expect(f.prompt).toBeUndefined();
    expect(f.system_prompt).toBeUndefined();
    expect(f.prompt_fingerprint).toMatch(/^[0-9a-f]{16}$/);
    const n = buildRecord(pending(), 'none');
    expect(n.prompt_fingerprint).toBeUndefined();
    expect(JSON.stringify(n)).not.toContain('rubric');
  });

  it('reads usage from a compressed body or from the stream reader; a body that is not JSON leaves it out', () => {
    const gz = buildRecord(
      pending({
        responseBody: gzipSync(JSON.stringify({ usage: { prompt_tokens: 1, completion_tokens: 2 } })),
        contentEncoding: 'gzip',
      }),
      'none',
    );
    expect([gz.input_tokens, gz.output_tokens]).toEqual([1, 2]);
    const s = buildRecord(pending({ usage: { input_tokens: 5, output_tokens: 6 } }), 'none');
    expect([s.input_tokens, s.output_tokens]).toEqual([30, 70]);
    const bad = buildRecord(
      pending({ responseBody: Buffer.from('<html>'), requestBody: Buffer.from('{') }),
      'raw',
    );
    expect(bad.input_tokens).toBeUndefined();
    expect(bad.model).toBeUndefined();
  });

  it('reads the usage of a kept event stream from its events, compressed or not', () => {
    const sse =
      'event: message_start\ndata: {"type":"message_start","message":{"usage":{"input_tokens":11,"output_tokens":1}}}\n\n' +
      'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"hi"}}\n\n' +
      'event: message_delta\ndata: {"type":"message_delta","usage":{"output_tokens":42}}\n\n';
    for (const [body, encoding] of [
      [Buffer.from(sse), undefined],
      [gzipSync(sse), 'gzip'],
    ] as const) {
      const p = pending({ endpoint: 'messages', responseBody: body, responseStream: true });
      if (encoding !== undefined) p.contentEncoding = encoding;
      const r = buildRecord(p, 'none');
      expect([r.input_tokens, r.output_tokens]).toEqual([11, 42]);
    }
  });
});

describe('CaptureQueue → SegmentSink', () => {
  it('writes segments as .jsonl.open, renamed .jsonl when full or closed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dg-seg-'));
    const sink = new SegmentSink(dir, { maxBytes: 2_000 });
    const q = new CaptureQueue([sink], 'fingerprint');
    // two turns of the queue: the first batch fills a segment, the second starts the next
    for (let i = 0; i < 5; i++) q.push(pending({ request_id: `req_${i}` }));
    await q.flush();
    for (let i = 5; i < 10; i++) q.push(pending({ request_id: `req_${i}` }));
    expect(q.stats().queued).toBe(10);
    await q.flush();
    await q.close();
    const files = readdirSync(dir).sort();
    expect(files.every((f) => f.endsWith('.jsonl'))).toBe(true);
    expect(files.length).toBeGreaterThan(1);
    const lines = files.flatMap((f) => readFileSync(join(dir, f), 'utf8').trim().split('\n'));
    expect(lines.map((l) => (JSON.parse(l) as ExchangeRecord).request_id)).toEqual(
      Array.from({ length: 10 }, (_, i) => `req_${i}`),
    );
    expect(sink.stats()).toMatchObject({ written: 10, dropped: 0 });
  });
});

describe('HttpSink', () => {
  it('posts NDJSON with the bearer token, retries a failed batch, and counts drops', async () => {
    const bodies: string[] = [];
    let calls = 0;
    const auth: (string | undefined)[] = [];
    const server = createServer((req, res) => {
      calls++;
      auth.push(req.headers.authorization);
      let b = '';
      req.on('data', (c: Buffer) => {
        b += c.toString();
      });
      req.on('end', () => {
        // first attempt fails (watch restarting), then accepts; any batch holding "poison" is refused for good
        if (calls === 1) res.writeHead(503).end();
        else if (b.includes('poison')) res.writeHead(400).end();
        else {
          bodies.push(b);
          res.writeHead(202).end();
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const sink = new HttpSink(url, { token: 'tok', batchRecords: 2, retryPausesMs: [0] });
    const rec = (id: string) => buildRecord(pending({ request_id: id }), 'none');
    sink.write([rec('a'), rec('b'), rec('c')]);
    await sink.flush();
    sink.write([rec('poison')]);
    await sink.flush();
    await sink.close();
    server.close();
    expect(auth.every((a) => a === 'Bearer tok')).toBe(true);
    const ids = bodies.flatMap((b) =>
      b
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as ExchangeRecord).request_id),
    );
    expect(ids).toEqual(['a', 'b', 'c']);
    expect(sink.stats()).toMatchObject({ written: 4, sent: 3, dropped: 1, retries: 1, failed_batches: 1 });
  });

  it('gives up after the bounded attempts when watch is unreachable, counting the drop', async () => {
    const sink = new HttpSink('http://127.0.0.1:1', { retryPausesMs: [0] });
    sink.write([buildRecord(pending(), 'none')]);
    await sink.flush();
    await sink.close();
    expect(sink.stats()).toMatchObject({ written: 1, sent: 0, dropped: 1, retries: 2 });
  });
});
