/**
 * `distillguard gateway` from its flags: a keys file, a hunt directory and a capture directory,
 * requests through it, segments written on close; bad flags and files stop it with exit-2 errors.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockUpstream, startMockUpstream } from '../enforce/index.js';
import { type GatewayFlags, parseActions, parseThrottle, registerGateway, runGateway } from './gateway.js';
import { UsageError } from './usage-error.js';

const dir = mkdtempSync(join(tmpdir(), 'dg-cli-gw-'));
let upstream: MockUpstream;
beforeAll(async () => {
  upstream = await startMockUpstream();
});
afterAll(async () => {
  await upstream.close();
});

const base = (over: Partial<GatewayFlags> = {}): GatewayFlags => ({
  upstream: upstream.url,
  listen: '0',
  host: '127.0.0.1',
  fail: 'open',
  text: 'fingerprint',
  quiet: true,
  ...over,
});

describe('distillguard gateway', () => {
  it('proxies, enforces a hunt directory, and captures segments for ingest', async () => {
    writeFileSync(
      join(dir, 'keys.json'),
      JSON.stringify({
        keys: [
          { account_id: 'acct_ok', key: 'sk-ok' },
          { account_id: 'acct_bad', key: 'sk-bad' },
        ],
      }),
    );
    const hunt = join(dir, 'hunt');
    const capture = join(dir, 'capture');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(hunt);
    writeFileSync(
      join(hunt, 'verdicts.jsonl'),
      `${JSON.stringify({ account_id: 'acct_bad', score: 0.97, verdict: 'block', campaign_id: null, evidence: [] })}\n`,
    );
    const logs: string[] = [];
    const gw = await runGateway(
      base({ keys: join(dir, 'keys.json'), verdicts: hunt, capture, quiet: false }),
      {},
      (l) => logs.push(l),
    );
    const ask = async (key: string) => {
      const r = await request(`${gw.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'secret prompt text' }] }),
      });
      await r.body.dump();
      return r.statusCode;
    };
    expect(await ask('sk-ok')).toBe(200);
    expect(await ask('sk-bad')).toBe(403);
    await gw.close();
    const files = readdirSync(capture);
    expect(files.every((f) => f.endsWith('.jsonl'))).toBe(true);
    const lines = files.flatMap((f) => readFileSync(join(capture, f), 'utf8').trim().split('\n'));
    expect(lines.map((l) => JSON.parse(l).account_id)).toEqual(['acct_ok', 'acct_bad']);
    expect(lines.join('')).not.toContain('secret prompt text');
    expect(lines.join('')).not.toContain('sk-ok');
    expect(logs).toHaveLength(1);
    expect(JSON.parse(logs[0] ?? '{}')).toMatchObject({ account: 'acct_bad', action: 'block' });
    expect(logs[0]).not.toContain('secret');
  });

  it('stops with a usage error (exit 2) on a bad flag or file', async () => {
    await expect(runGateway(base({ upstream: undefined as unknown as string }))).rejects.toMatchObject({
      code: 'missing_argument',
    });
    await expect(runGateway(base({ fail: 'sideways' }))).rejects.toBeInstanceOf(UsageError);
    await expect(runGateway(base({ text: 'all' }))).rejects.toBeInstanceOf(UsageError);
    writeFileSync(
      join(dir, 'bad-keys.json'),
      JSON.stringify({ keys: [{ account_id: 'a', key_sha256: 'zz' }] }),
    );
    await expect(runGateway(base({ keys: join(dir, 'bad-keys.json') }))).rejects.toThrow(
      /bad-keys\.json: keys\[0\]\.key_sha256: must be 64 hex digits/,
    );
    await expect(runGateway(base({ upstream: 'ftp://x' }))).rejects.toBeInstanceOf(UsageError);
    await expect(runGateway(base({ stepUpUrl: 'not a url' }))).rejects.toMatchObject({ code: 'bad_option' });
  });

  it('parses --actions and --throttle', () => {
    expect(parseActions('watch=degrade, throttle=step_up')).toEqual({
      watch: 'degrade',
      throttle: 'step_up',
    });
    expect(() => parseActions('sometimes=block')).toThrow(UsageError);
    expect(() => parseActions('watch=shout')).toThrow(/unknown action/);
    expect(parseThrottle('6/min,burst=3')).toEqual({ ratePerSec: 0.1, burst: 3 });
    expect(parseThrottle('2/s')).toEqual({ ratePerSec: 2, burst: 1 });
    expect(() => parseThrottle('fast')).toThrow(UsageError);
  });

  it('--help teaches: what it does, how to point SDKs at it, examples', () => {
    const p = new Command('distillguard');
    registerGateway(p);
    const help = p.commands.find((c) => c.name() === 'gateway')?.helpInformation() ?? '';
    let after = '';
    p.commands[0]?.configureOutput({ writeOut: (s) => (after += s) });
    p.commands[0]?.outputHelp();
    expect(help).toContain('--upstream');
    expect(after).toContain('baseURL = http://HOST:PORT/v1');
    expect(after).toContain('distillguard gateway --upstream https://api.openai.com');
  });
});
