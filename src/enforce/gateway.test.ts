/**
 * The gateway end to end, driven by the official SDKs (`openai`, `@anthropic-ai/sdk`) against the
 * mock upstream: pass-through (byte-exact streams, unchanged upstream errors, one upstream request
 * per call), capture, and each policy action in each API's error shape.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountInfo } from './accounts.js';
import { keyTable } from './callers.js';
import { type MockUpstream, startMockUpstream } from './mock-upstream.js';
import { type Harness, startHarness } from './test-support/harness.js';
import { campaign, verdict } from './test-support/records.js';
import { until } from './test-support/state-contract.js';

const KEYS = keyTable({
  keys: [
    { account_id: 'acct_ok', key: 'sk-ok', key_id: 'ok-key' },
    { account_id: 'acct_throttle', key: 'sk-throttle' },
    { account_id: 'acct_block', key: 'sk-block' },
    { account_id: 'acct_stepup', key: 'sk-stepup' },
    { account_id: 'acct_degrade', key: 'sk-degrade' },
    { account_id: 'acct_new', key: 'sk-new' },
  ],
});
const ACCOUNTS = new Map<string, AccountInfo>([
  ['acct_new', { payment_fingerprint: 'pf-evil', trusted: false }],
]);

let upstream: MockUpstream;
let h: Harness;

beforeAll(async () => {
  upstream = await startMockUpstream();
  h = await startHarness(
    {
      keys: KEYS,
      accounts: ACCOUNTS,
      actions: { watch: 'degrade' },
      throttle: { ratePerSec: 0.001, burst: 2 },
      stepUpUrl: 'https://verify.example/start',
    },
    { upstream, adminToken: 'admin-secret' },
  );
  await h.enforcer.update({ kind: 'verdict', record: verdict('acct_throttle', 'throttle') });
  await h.enforcer.update({ kind: 'verdict', record: verdict('acct_degrade', 'watch') });
  await h.enforcer.update({ kind: 'verdict', record: verdict('acct_block', 'block', 'dgc-evil') });
  await h.enforcer.update({
    kind: 'campaign',
    record: campaign('dgc-evil', ['acct_block'], { payment_fingerprint: ['pf-evil'] }),
  });
});
afterAll(async () => {
  await h.close();
  await upstream.close();
});

const openai = (key: string) => new OpenAI({ apiKey: key, baseURL: `${h.gw.url}/v1`, maxRetries: 0 });
const anthropic = (key: string) => new Anthropic({ apiKey: key, baseURL: h.gw.url, maxRetries: 0 });

/** Runs `f` and returns the upstream requests it caused and the records it added. */
async function observe<T>(f: () => Promise<T>, records = 1) {
  await h.enforcer.capture.flush(); // earlier calls' records are in before we count
  const before = upstream.count();
  const seen = h.sink.records.length;
  const result = await f();
  await h.enforcer.capture.flush();
  await h.sink.wait(seen + records);
  return { result, upstreamCalls: upstream.count() - before, records: h.sink.records.slice(seen) };
}

async function raw(base: string, path: string, body: unknown, headers: Record<string, string> = {}) {
  const r = await request(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-mock-id': 'fixed', ...headers },
    body: JSON.stringify(body),
  });
  return { status: r.statusCode, headers: r.headers, body: Buffer.from(await r.body.arrayBuffer()) };
}

describe('pass-through with the official SDKs', () => {
  it('OpenAI chat completion: answered, sent upstream once, captured with usage', async () => {
    const { result, upstreamCalls, records } = await observe(() =>
      openai('sk-ok').chat.completions.create({
        model: 'gpt-mock',
        user: 'end-1',
        messages: [{ role: 'user', content: 'Hello there' }],
      }),
    );
    expect(result.choices[0]?.message.content).toMatch(/^The quick brown fox/);
    expect(upstreamCalls).toBe(1);
    expect(records[0]).toMatchObject({
      account_id: 'acct_ok',
      api_key_id: 'ok-key',
      endpoint: 'chat.completions',
      model: 'gpt-mock',
      end_user_id: 'end-1',
      prompt: 'Hello there',
      status: 200,
      input_tokens: 21,
      output_tokens: 100,
      ip: '127.0.0.1',
    });
    expect(records[0]?.request_id).toMatch(/^req_mock_/);
    expect(JSON.stringify(records[0])).not.toContain('sk-ok');
  });

  it('OpenAI chat streaming: every chunk arrives; usage is read from the final chunk', async () => {
    const { result, records } = await observe(async () => {
      const stream = await openai('sk-ok').chat.completions.create({
        model: 'gpt-mock',
        stream: true,
        stream_options: { include_usage: true },
        messages: [{ role: 'user', content: 'Stream please' }],
      });
      let text = '';
      for await (const c of stream) text += c.choices[0]?.delta.content ?? '';
      return text;
    });
    expect(result).toHaveLength(400);
    expect(records[0]).toMatchObject({ endpoint: 'chat.completions', input_tokens: 21, output_tokens: 100 });
  });

  it('OpenAI Responses API, streamed and not', async () => {
    const client = openai('sk-ok');
    const { result } = await observe(() => client.responses.create({ model: 'gpt-mock', input: 'hi' }));
    expect(result.output_text).toMatch(/^The quick/);
    const { result: events, records } = await observe(async () => {
      const s = await client.responses.create({ model: 'gpt-mock', input: 'hi again', stream: true });
      const types: string[] = [];
      for await (const e of s) types.push(e.type);
      return types;
    });
    expect(events.at(-1)).toBe('response.completed');
    expect(records[0]).toMatchObject({
      endpoint: 'responses',
      prompt: 'hi again',
      input_tokens: 21,
      output_tokens: 100,
    });
  });

  it('Anthropic messages, streamed (SDK accumulator) and not, thinking included for unflagged traffic', async () => {
    const client = anthropic('sk-ok');
    const { result: msg, records } = await observe(() =>
      client.messages.create({
        model: 'claude-mock',
        max_tokens: 1024,
        thinking: { type: 'enabled', budget_tokens: 512 },
        metadata: { user_id: 'u-9' },
        messages: [{ role: 'user', content: 'Think hard' }],
      }),
    );
    expect(msg.content.map((b) => b.type)).toEqual(['thinking', 'text']);
    expect(records[0]).toMatchObject({
      endpoint: 'messages',
      reasoning: true,
      end_user_id: 'u-9',
      output_tokens: 100,
    });
    const { result: final, records: r2 } = await observe(() =>
      client.messages
        .stream({
          model: 'claude-mock',
          max_tokens: 1024,
          thinking: { type: 'enabled', budget_tokens: 512 },
          messages: [{ role: 'user', content: 'Think hard, streamed' }],
        })
        .finalMessage(),
    );
    expect(final.content.map((b) => b.type)).toEqual(['thinking', 'text']);
    expect(r2[0]).toMatchObject({ input_tokens: 21, output_tokens: 100, status: 200 });
  });

  it('streams are byte-exact: the same bytes as straight from the upstream', async () => {
    for (const [path, body] of [
      [
        '/v1/messages',
        {
          model: 'm',
          max_tokens: 5,
          stream: true,
          thinking: { type: 'enabled' },
          messages: [{ role: 'user', content: 'x' }],
        },
      ],
      [
        '/v1/chat/completions',
        {
          model: 'm',
          stream: true,
          stream_options: { include_usage: true },
          messages: [{ role: 'user', content: 'x' }],
        },
      ],
      ['/v1/responses', { model: 'm', stream: true, reasoning: { effort: 'high' }, input: 'x' }],
    ] as const) {
      const direct = await raw(upstream.url, path, body, { 'x-api-key': 'sk-ok' });
      const proxied = await raw(h.gw.url, path, body, { 'x-api-key': 'sk-ok' });
      expect(proxied.status).toBe(200);
      expect(proxied.body.equals(direct.body)).toBe(true);
      expect(proxied.headers['content-type']).toBe(direct.headers['content-type']);
    }
  });

  it('upstream errors pass through unchanged: status, headers, body; the SDK sees the upstream error', async () => {
    for (const [path, body] of [
      ['/v1/chat/completions', { model: 'mock-error-429', messages: [] }],
      ['/v1/messages', { model: 'mock-error-500', max_tokens: 1, messages: [] }],
    ] as const) {
      const direct = await raw(upstream.url, path, body);
      const proxied = await raw(h.gw.url, path, body);
      expect(proxied.status).toBe(direct.status);
      expect(proxied.body.equals(direct.body)).toBe(true);
      for (const k of ['x-mock-error', 'retry-after', 'x-request-id', 'content-type'])
        expect(proxied.headers[k]).toBe(direct.headers[k]);
    }
    const before = upstream.count();
    const err = await openai('sk-ok')
      .chat.completions.create({ model: 'mock-error-429', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect((err as InstanceType<typeof OpenAI.RateLimitError>).code).toBe('mock_429');
    expect(upstream.count() - before).toBe(1);
  });

  it('under concurrency every call is answered and reaches the upstream exactly once, and is captured', async () => {
    await h.enforcer.capture.flush();
    const before = upstream.count();
    const seen = h.sink.records.length;
    const n = 200;
    const statuses = await Promise.all(
      Array.from({ length: n }, async (_, i) => {
        const stream = i % 2 === 0;
        const r = await raw(
          h.gw.url,
          i % 3 === 0 ? '/v1/messages' : '/v1/chat/completions',
          { model: 'm', max_tokens: 5, stream, messages: [{ role: 'user', content: `q${i}` }] },
          { authorization: 'Bearer sk-ok' },
        );
        return r.status;
      }),
    );
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(upstream.count() - before).toBe(n);
    const recs = (await h.sink.wait(seen + n)).slice(seen).filter((r) => /^q\d+$/.test(r.prompt ?? ''));
    expect(new Set(recs.map((r) => r.prompt)).size).toBe(n);
  });

  it('an unreachable upstream is a 502 in the API shape, tried once', async () => {
    const dead = await startHarness({}, {});
    await dead.upstream.close();
    const err = await new Anthropic({ apiKey: 'k', baseURL: dead.gw.url, maxRetries: 0 }).messages
      .create({ model: 'm', max_tokens: 1, messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.APIError);
    expect((err as InstanceType<typeof Anthropic.APIError>).status).toBe(502);
    expect(dead.enforcer.stats().forwarded).toBe(1);
    await dead.gw.close();
  });
});

describe('policy actions, in each API shape', () => {
  it('throttle: the bucket lets `burst` through, then 429 + Retry-After; the upstream sees only what passed', async () => {
    const client = openai('sk-throttle');
    const before = upstream.count();
    const ask = () =>
      client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] });
    await ask();
    await ask();
    const err = await ask().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    const e = err as InstanceType<typeof OpenAI.RateLimitError>;
    expect(e.code).toBe('rate_limit_exceeded');
    expect(Number(e.headers?.get('retry-after'))).toBeGreaterThan(0);
    expect(upstream.count() - before).toBe(2);
    await until(() => h.sink.records.some((r) => r.account_id === 'acct_throttle' && r.status === 429));
  });

  it('block: 403 permission error in Anthropic and OpenAI shapes, nothing sent upstream', async () => {
    const before = upstream.count();
    const a = await anthropic('sk-block')
      .messages.create({ model: 'm', max_tokens: 1, messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(a).toBeInstanceOf(Anthropic.PermissionDeniedError);
    expect((a as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({
      type: 'error',
      error: { type: 'permission_error' },
    });
    const o = await openai('sk-block')
      .chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(o).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect((o as InstanceType<typeof OpenAI.APIError>).code).toBe('account_blocked');
    expect(upstream.count()).toBe(before);
  });

  it('step-up: a machine-readable "verification required" error in both shapes', async () => {
    // a gateway whose mapping turns throttle into step-up
    const s = await startHarness(
      { keys: KEYS, actions: { throttle: 'step_up' }, stepUpUrl: 'https://verify.example/start' },
      { upstream },
    );
    await s.enforcer.update({ kind: 'verdict', record: verdict('acct_stepup', 'throttle') });
    const a = await new Anthropic({ apiKey: 'sk-stepup', baseURL: s.gw.url, maxRetries: 0 }).messages
      .create({ model: 'm', max_tokens: 1, messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect((a as InstanceType<typeof Anthropic.APIError>).status).toBe(403);
    expect((a as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({
      error: { type: 'verification_required' },
    });
    const o = await new OpenAI({
      apiKey: 'sk-stepup',
      baseURL: `${s.gw.url}/v1`,
      maxRetries: 0,
    }).chat.completions
      .create({ model: 'm', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect((o as InstanceType<typeof OpenAI.APIError>).code).toBe('verification_required');
    expect((o as InstanceType<typeof OpenAI.APIError>).message).toContain('https://verify.example/start');
    await s.close();
  });

  it('degrade: flagged traffic loses its reasoning (streamed and not), the answer stays whole', async () => {
    const client = anthropic('sk-degrade');
    const params = {
      model: 'claude-mock',
      max_tokens: 1024,
      thinking: { type: 'enabled' as const, budget_tokens: 512 },
      messages: [{ role: 'user' as const, content: 'Think hard' }],
    };
    const plain = await client.messages.create(params);
    expect(plain.content.map((b) => b.type)).toEqual(['text']);
    const { result: streamed, records } = await observe(() => client.messages.stream(params).finalMessage());
    expect(streamed.content.map((b) => b.type)).toEqual(['text']);
    expect(streamed.content[0]?.type === 'text' ? streamed.content[0].text : '').toHaveLength(400);
    expect(records[0]).toMatchObject({ account_id: 'acct_degrade', output_tokens: 100 });
    const chat = await openai('sk-degrade').chat.completions.create({
      model: 'm',
      reasoning_effort: 'high',
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(chat.choices[0]?.message).not.toHaveProperty('reasoning_content');
    expect(chat.choices[0]?.message.content).toHaveLength(400);
    const s = await openai('sk-degrade').chat.completions.create({
      model: 'm',
      stream: true,
      reasoning_effort: 'high',
      messages: [{ role: 'user', content: 'x' }],
    });
    for await (const c of s) expect(c.choices[0]?.delta).not.toHaveProperty('reasoning_content');
    const r = await openai('sk-degrade').responses.create({
      model: 'm',
      input: 'x',
      reasoning: { effort: 'high' },
    });
    expect(r.output.map((i) => i.type)).toEqual(['message']);
  });

  it("ban evasion: a new account paying with a blocked campaign's card is blocked on its first request", async () => {
    const before = upstream.count();
    const err = await anthropic('sk-new')
      .messages.create({ model: 'm', max_tokens: 1, messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.PermissionDeniedError);
    expect(upstream.count()).toBe(before);
    expect(h.enforcer.stats().evaders).toBe(1);
  });
});

describe('verdict sources and the admin route', () => {
  it('pushed verdicts over the authenticated admin route take effect at once', async () => {
    const body = JSON.stringify(verdict('acct_ok_2', 'block'));
    const bad = await request(`${h.gw.url}/_distillguard/v1/updates`, {
      method: 'POST',
      headers: { authorization: 'Bearer wrong' },
      body,
    });
    expect(bad.statusCode).toBe(401);
    await bad.body.dump();
    const ok = await request(`${h.gw.url}/_distillguard/v1/updates`, {
      method: 'POST',
      headers: { authorization: 'Bearer admin-secret', 'content-type': 'application/x-ndjson' },
      body: `${body}\nnot json\n`,
    });
    expect(ok.statusCode).toBe(200);
    expect(await ok.body.json()).toEqual({ applied: 1, issues: [{ line: 2, reason: 'not JSON' }] });
    const err = await openai('sk-unknown')
      .chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] })
      .catch(() => null);
    expect(err).not.toBeNull(); // an unknown key is its own (unflagged) account
    const g = await request(`${h.gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'x-distillguard-account': 'acct_ok_2', authorization: 'Bearer zzz' },
      body: '{}',
    });
    // no account header configured on this gateway: the header is ignored
    expect(g.statusCode).toBe(200);
    await g.body.dump();
  });

  it('a trusted account header names the account when configured', async () => {
    const s = await startHarness({ accountHeader: 'X-DistillGuard-Account' }, { upstream });
    await s.enforcer.update({ kind: 'verdict', record: verdict('org_bad', 'block') });
    const r = await request(`${s.gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'x-distillguard-account': 'org_bad' },
      body: '{}',
    });
    expect(r.statusCode).toBe(403);
    await r.body.dump();
    await s.close();
  });

  it('reads a hunt directory; fail-closed answers 503 while it is missing, fail-open serves', async () => {
    const { HuntDirFeed } = await import('./verdict-feed.js');
    const missing = join(tmpdir(), `dg-missing-${process.pid}`);
    const closed = await startHarness({ feed: new HuntDirFeed(missing), failMode: 'closed' }, { upstream });
    const e = await new Anthropic({ apiKey: 'sk-ok', baseURL: closed.gw.url, maxRetries: 0 }).messages
      .create({ model: 'm', max_tokens: 1, messages: [{ role: 'user', content: 'x' }] })
      .catch((x: unknown) => x);
    expect((e as InstanceType<typeof Anthropic.APIError>).status).toBe(503);
    await closed.close();
    const open = await startHarness({ feed: new HuntDirFeed(missing), failMode: 'open' }, { upstream });
    const r = await request(`${open.gw.url}/v1/messages`, { method: 'POST', body: '{}' });
    expect(r.statusCode).toBe(200);
    await r.body.dump();
    await open.close();

    const dir = mkdtempSync(join(tmpdir(), 'dg-hunt-'));
    writeFileSync(join(dir, 'verdicts.jsonl'), `${JSON.stringify(verdict('acct_x', 'clear', 'dgc-7'))}\n`);
    writeFileSync(
      join(dir, 'campaigns.jsonl'),
      `${JSON.stringify(campaign('dgc-7', ['acct_x', 'acct_y']))}\n`,
    );
    const feed = new HuntDirFeed(dir, { pollMs: 50 });
    const hd = await startHarness(
      { feed, keys: keyTable({ keys: [{ account_id: 'acct_y', key: 'sk-y' }] }) },
      { upstream },
    );
    const ask = () =>
      request(`${hd.gw.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: 'Bearer sk-y' },
        body: '{}',
      });
    const first = await ask();
    expect(first.statusCode).toBe(200);
    await first.body.dump();
    writeFileSync(join(dir, 'verdicts.jsonl'), `${JSON.stringify(verdict('acct_x', 'block', 'dgc-7'))}\n`);
    await until(() => hd.enforcer.book.campaignVerdict('dgc-7') === 'block');
    const second = await ask();
    expect(second.statusCode).toBe(403); // acct_y inherits its campaign's block
    await second.body.dump();
    await hd.close();
  });
});
