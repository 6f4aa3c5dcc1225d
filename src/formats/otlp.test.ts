import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { type OtlpOptions, type OtlpStats, readOtlp } from './otlp.js';
import { type Exchange, MAX_TEXT_CHARS } from './schemas.js';
import { type Collected, collectBatches, rejected, tempDir } from './test-support/collect.js';

const tmp = tempDir('dg-otlp-');
const write = (content: string | Buffer, ext = '.otlp.jsonl'): string => tmp.write(content, ext);

async function collect(
  path: string,
  opts: OtlpOptions = {},
): Promise<Collected<Exchange> & { stats: OtlpStats }> {
  const stats: OtlpStats = { requests: 0, spans: 0, genAiSpans: 0, skippedSpans: 0 };
  return { ...(await collectBatches(readOtlp(path, { ...opts, stats }))), stats };
}

type KV = { key: string; value: Record<string, unknown> };
const s = (key: string, v: string): KV => ({ key, value: { stringValue: v } });
const n = (key: string, v: number): KV => ({ key, value: { intValue: String(v) } });
const d = (key: string, v: number): KV => ({ key, value: { doubleValue: v } });

const T0 = 1769940000000n * 1_000_000n; // 2026-02-01T10:00:00Z in ns

function span(i: number, attrs: KV[], over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    traceId: '5b8efff798038103d269b633813fc60c',
    spanId: `eee19b7ec3c1b17${i}`,
    name: 'chat claude',
    kind: 3,
    startTimeUnixNano: String(T0 + BigInt(i) * 1_000_000_000n),
    endTimeUnixNano: String(T0 + BigInt(i) * 1_000_000_000n + 812_500_000n),
    attributes: attrs,
    ...over,
  };
}
const genAi = (i: number, extra: KV[] = []): KV[] => [
  s('gen_ai.operation.name', 'chat'),
  s('gen_ai.request.model', 'claude-sonnet-4'),
  n('gen_ai.usage.input_tokens', 12 + i),
  n('gen_ai.usage.output_tokens', 340),
  s('client.address', '203.0.113.9'),
  ...extra,
];
function request(
  spans: Record<string, unknown>[],
  resource: KV[] = [s('distillguard.account_id', 'acct_r')],
) {
  return {
    resourceSpans: [{ resource: { attributes: resource }, scopeSpans: [{ scope: { name: 'gw' }, spans }] }],
  };
}
const jsonl = (...docs: unknown[]): string =>
  `${docs.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join('\n')}\n`;

describe('readOtlp: good data', () => {
  it('maps GenAI spans (JSON Lines) onto exchanges and skips other spans', async () => {
    const input = [
      { role: 'system', parts: [{ type: 'text', content: 'You are terse.' }] },
      { role: 'user', parts: [{ type: 'text', content: 'first' }] },
      { role: 'assistant', parts: [{ type: 'text', content: 'ok' }] },
      {
        role: 'user',
        parts: [
          { type: 'text', content: 'second' },
          { type: 'blob', modality: 'image', content: 'AA==' },
        ],
      },
    ];
    const first = request([
      span(1, [
        ...genAi(1),
        s('distillguard.account_id', 'acct_1'),
        s('gen_ai.response.id', 'msg_01'),
        n('gen_ai.request.max_tokens', 1024),
        d('gen_ai.request.temperature', 0.7),
        s('user_agent.original', 'anthropic-sdk/1.0'),
        s('enduser.id', 'u-42'),
        n('http.response.status_code', 200),
        s('gen_ai.input.messages', JSON.stringify(input)),
        s('gen_ai.system_instructions', JSON.stringify([{ type: 'text', content: 'Be helpful.' }])),
        s('gen_ai.tool.definitions', JSON.stringify([{ name: 'a' }, { name: 'b' }])),
        s('distillguard.api_key_id', 'key_9'),
        { key: 'distillguard.reasoning', value: { boolValue: true } },
      ]),
      span(2, [s('http.request.method', 'GET'), s('url.path', '/health')]),
      span(3, genAi(3)),
    ]);
    const second = request(
      [span(4, genAi(4, [s('client.address', '2001:DB8::7')]))],
      [s('distillguard.account_id', 'acct_2')],
    );
    const got = await collect(write(jsonl(first, second)));
    expect(got.issues).toEqual([]);
    expect(got.lines).toEqual([1, 1, 2]);
    expect(got.stats).toEqual({ requests: 2, spans: 4, genAiSpans: 3, skippedSpans: 1 });
    expect(got.records[0]).toEqual({
      ts: 1769940001000,
      latency_ms: 812.5,
      account_id: 'acct_1',
      ip: '203.0.113.9',
      user_agent: 'anthropic-sdk/1.0',
      end_user_id: 'u-42',
      endpoint: 'chat',
      model: 'claude-sonnet-4',
      input_tokens: 13,
      output_tokens: 340,
      max_tokens: 1024,
      temperature: 0.7,
      status: 200,
      request_id: 'msg_01',
      turns: 3,
      prompt: 'second',
      system_prompt: 'Be helpful.',
      tool_count: 2,
      api_key_id: 'key_9',
      reasoning: true,
      extra: { trace_id: '5b8efff798038103d269b633813fc60c', span_id: 'eee19b7ec3c1b171' },
    });
    // resource attributes apply to every span; the span id stands in for a missing response id
    expect(got.records[1]).toMatchObject({ account_id: 'acct_r', request_id: 'eee19b7ec3c1b173' });
    expect(got.records[1]).not.toHaveProperty('prompt');
    expect(got.records[2]).toMatchObject({ account_id: 'acct_2', ip: '2001:db8::7', ts: 1769940004000 });
  });

  it('reads a single pretty-printed document, structured messages, and gzip', async () => {
    const structured = {
      arrayValue: {
        values: [
          {
            kvlistValue: {
              values: [
                s('role', 'system'),
                {
                  key: 'parts',
                  value: {
                    arrayValue: {
                      values: [{ kvlistValue: { values: [s('type', 'text'), s('content', 'sys')] } }],
                    },
                  },
                },
              ],
            },
          },
          {
            kvlistValue: {
              values: [
                s('role', 'user'),
                {
                  key: 'parts',
                  value: {
                    arrayValue: {
                      values: [{ kvlistValue: { values: [s('type', 'text'), s('content', 'hi there')] } }],
                    },
                  },
                },
              ],
            },
          },
        ],
      },
    };
    const doc = request([
      span(1, genAi(1, [{ key: 'gen_ai.input.messages', value: structured }])),
      span(2, genAi(2)),
    ]);
    const text = `\uFEFF${JSON.stringify(doc, null, 2).replaceAll('\n', '\r\n')}\r\n`;
    for (const path of [write(text, '.otlp.json'), write(gzipSync(text), '.otlp.json.gz')]) {
      const got = await collect(path, { batchSize: 1 });
      expect(got.issues).toEqual([]);
      expect(got.batches.map((b) => b.records.length)).toEqual([1, 1]);
      expect(got.lines).toEqual([1, 1]);
      expect(got.records[0]).toMatchObject({
        prompt: 'hi there',
        system_prompt: 'sys',
        turns: 1,
        account_id: 'acct_r',
      });
    }
  });

  it('reads legacy prompt attributes and token names', async () => {
    const legacy = request([
      span(1, [
        s('gen_ai.request.model', 'm'),
        s('client.address', '10.0.0.1'),
        n('gen_ai.usage.prompt_tokens', 5),
        n('gen_ai.usage.completion_tokens', 6),
        s('gen_ai.prompt.0.role', 'system'),
        s('gen_ai.prompt.0.content', 'S'),
        s('gen_ai.prompt.1.role', 'user'),
        s('gen_ai.prompt.1.content', 'U'),
      ]),
      span(2, [
        s('gen_ai.request.model', 'm'),
        s('client.address', '10.0.0.1'),
        s('gen_ai.prompt', 'plain prompt'),
      ]),
    ]);
    const got = await collect(write(jsonl(legacy)));
    expect(got.records.map((r) => [r.prompt, r.system_prompt, r.input_tokens, r.output_tokens])).toEqual([
      ['U', 'S', 5, 6],
      ['plain prompt', undefined, undefined, undefined],
    ]);
  });

  it('takes the account from the attribute the caller names', async () => {
    const doc = request([span(1, genAi(1, [s('tenant.id', 'org_7')]))], []);
    const got = await collect(write(jsonl(doc)), { accountAttribute: 'tenant.id' });
    expect(got.records.map((r) => r.account_id)).toEqual(['org_7']);
  });

  it('an empty file, blank lines and metrics lines give zero records', async () => {
    expect((await collect(write(''))).batches).toEqual([]);
    expect((await collect(write('\n\n'))).batches).toEqual([]);
    const metrics = await collect(write(jsonl({ resourceMetrics: [] }, { resourceSpans: [] })));
    expect(metrics.batches).toEqual([]);
    expect(metrics.stats.requests).toBe(2);
  });
});

describe('readOtlp: bad data', () => {
  it('rejects bad lines and bad spans with line, code and field; read = records + rejected', async () => {
    const spans = [
      span(1, genAi(1)), // good
      span(2, genAi(2), { attributes: genAi(2).filter((a) => a.key !== 'client.address') }), // missing ip
      span(3, genAi(3, [s('client.address', 'not-an-ip')])), // bad_ip
      span(4, genAi(4), { startTimeUnixNano: '1769940004' }), // impossible_timestamp (seconds)
      span(5, genAi(5, [s('gen_ai.usage.input_tokens', '12')])), // wrong_type (string, not int)
      span(6, genAi(6, [s('gen_ai.prompt', 'a\u0000b')])), // repaired nul_removed
      span(7, genAi(7, [s('gen_ai.prompt', 'x'.repeat(10 * 1024 * 1024))])), // repaired text_truncated
      span(8, genAi(8, [n('http.response.status_code', 42)])), // bad_value
    ];
    const noAccount = request([span(9, genAi(9))], []);
    const lines = [
      JSON.stringify(request(spans)), // 1
      '{"resourceSpans": [ {"truncated', // 2 bad_json
      JSON.stringify(noAccount), // 3 missing account_id
      '[1, 2]', // 4 not_an_object
      'INVALID', // 5 invalid_utf8 (patched below)
      JSON.stringify(request([span(10, genAi(10))])), // 6 good
    ];
    const buf = Buffer.from(jsonl(...lines));
    const at = buf.indexOf('INVALID');
    buf[at] = 0xff; // never valid in UTF-8
    const got = await collect(write(buf));
    const rej = rejected(got.issues);
    expect(got.records.map((r) => r.request_id)).toEqual([
      'eee19b7ec3c1b171',
      'eee19b7ec3c1b176',
      'eee19b7ec3c1b177',
      'eee19b7ec3c1b1710',
    ]);
    expect(got.lines).toEqual([1, 1, 1, 6]);
    expect(got.records[1]?.prompt).toBe('ab');
    expect(got.records[2]?.prompt).toHaveLength(MAX_TEXT_CHARS);
    expect(rej.map((i) => [i.line, i.code, i.field])).toEqual([
      [1, 'missing_field', 'ip'],
      [1, 'bad_ip', 'ip'],
      [1, 'impossible_timestamp', 'ts'],
      [1, 'wrong_type', 'input_tokens'],
      [1, 'bad_value', 'status'],
      [2, 'bad_json', null],
      [3, 'missing_field', 'account_id'],
      [4, 'not_an_object', null],
      [5, 'invalid_utf8', null],
    ]);
    expect(rej[1]?.reason).toContain('resourceSpans[0].scopeSpans[0].spans[2]');
    expect(got.issues.filter((i) => i.action === 'repaired').map((i) => [i.line, i.code, i.field])).toEqual([
      [1, 'nul_removed', 'prompt'],
      [1, 'text_truncated', 'prompt'],
    ]);
    // 9 GenAI spans in parseable requests + 3 unreadable lines
    expect(got.stats.genAiSpans).toBe(10);
    expect(got.records.length + rej.length).toBe(10 + 3);
  });

  it('rejects a span that ends before it starts, and a span that is not an object', async () => {
    const doc = request([
      span(1, genAi(1), { endTimeUnixNano: String(T0) }),
      'not a span' as unknown as Record<string, unknown>,
    ]);
    const got = await collect(write(jsonl(doc)));
    expect(got.records).toEqual([]);
    expect(got.issues.map((i) => [i.line, i.code, i.field, i.action])).toEqual([
      [1, 'bad_value', 'latency_ms', 'rejected'],
      [1, 'bad_record', null, 'rejected'],
    ]);
  });

  it('JSON Lines whose first line is broken are still read line by line', async () => {
    const got = await collect(
      write(jsonl('{"resourceSpans": [', request([span(1, genAi(1))]), request([span(2, genAi(2))]))),
    );
    expect(got.records).toHaveLength(2);
    expect(got.lines).toEqual([2, 3]);
    expect(got.issues.map((i) => [i.line, i.code])).toEqual([[1, 'bad_json']]);
  });

  it('a gzip that ends early keeps the requests before it', async () => {
    const docs = Array.from({ length: 3000 }, (_, i) =>
      request([
        span(
          i % 10,
          genAi(i, [s('gen_ai.response.id', `resp_${i}`), s('gen_ai.prompt', `p${(i * 7919) % 10007}`)]),
        ),
      ]),
    );
    const gz = gzipSync(jsonl(...docs));
    const got = await collect(write(gz.subarray(0, Math.floor(gz.length / 2)), '.otlp.jsonl.gz'));
    expect(got.records.length).toBeGreaterThan(100);
    expect(got.records.map((r) => r.request_id)).toEqual(
      docs.slice(0, got.records.length).map((_, i) => `resp_${i}`),
    );
    expect(rejected(got.issues).map((i) => [i.line, i.code])).toEqual([
      [got.records.length + 1, 'truncated_file'],
    ]);
  });

  it('a single document over the size limit is a FormatError suggesting JSON Lines', async () => {
    const doc = JSON.stringify(request([span(1, genAi(1))]), null, 2);
    const err = await collect(write(doc, '.otlp.json'), { maxDocumentBytes: 200 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'FormatError', code: 'unreadable' });
    expect(String((err as Error).message)).toMatch(/JSON Lines/);
    // minified on one line: the same
    const one = await collect(
      write(JSON.stringify(request([span(1, genAi(1))])).replace(/$/, ' '), '.otlp.json'),
      {
        maxDocumentBytes: 200,
      },
    ).catch((e: unknown) => e);
    expect(one).toMatchObject({ code: 'unreadable' });
  });

  it('a line over the limit in JSON Lines is skipped (line_too_long)', async () => {
    const small = JSON.stringify(request([span(1, genAi(1))]));
    const big = JSON.stringify(request([span(2, genAi(2, [s('gen_ai.prompt', 'y'.repeat(5000))]))]));
    const got = await collect(write(jsonl(small, big, small)), { maxDocumentBytes: 4000 });
    expect(got.lines).toEqual([1, 3]);
    expect(got.issues.map((i) => [i.line, i.code, i.action])).toEqual([[2, 'line_too_long', 'rejected']]);
  });
});
