/**
 * `distillguard watch` end to end: a replay writes valid alerts, verdicts and campaigns; bad
 * usage is a clear error; the HTTP intake takes NDJSON with a bearer token, reports bad lines
 * (line, field, reason) and refuses a wrong token.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulate } from '../../sim/index.js';
import { WatchEngine } from '../engine/index.js';
import { Alert, Campaign, type Exchange, type RecordIssue, Verdict } from '../formats/index.js';
import { jsonLines, runCommand } from './test-support/run.js';
import { UsageError } from './usage-error.js';
import { listen, registerWatch } from './watch.js';

const dir = mkdtempSync(join(tmpdir(), 'dg-cli-watch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const sim = join(dir, 'sim');

beforeAll(async () => {
  await simulate({ scenario: 'demo', seed: 4, scale: 0.05, out: sim });
}, 120_000);

const run = (args: string[]) => runCommand(registerWatch, ['watch', ...args]);
const lines = jsonLines;

describe('distillguard watch', () => {
  it('replays a file and writes valid alerts, verdicts and campaigns', async () => {
    const out = join(dir, 'live');
    const r = await run([
      join(sim, 'exchanges.jsonl'),
      '--accounts',
      join(sim, 'accounts.jsonl'),
      '--releases',
      join(sim, 'releases.jsonl'),
      '--out',
      out,
      '--relink-every',
      '120',
      '--quiet',
    ]);
    expect(r.err).toBeUndefined();
    expect(r.out).toMatch(/exchanges \(0 rejected\)/);
    const verdicts = lines(join(out, 'verdicts.jsonl'));
    expect(verdicts.length).toBe(lines(join(sim, 'accounts.jsonl')).length);
    for (const v of verdicts) expect(Verdict.safeParse(v).success).toBe(true);
    for (const c of lines(join(out, 'campaigns.jsonl'))) expect(Campaign.safeParse(c).success).toBe(true);
    const alerts = existsSync(join(out, 'alerts.jsonl')) ? lines(join(out, 'alerts.jsonl')) : [];
    expect(alerts.length).toBeGreaterThan(0);
    for (const a of alerts) expect(Alert.safeParse(a).success).toBe(true);
  }, 60_000);

  it.each([
    [[], 'missing_argument'],
    [['--listen', '0'], 'missing_argument'],
    [['nope.jsonl'], 'missing_argument'],
    [['x.jsonl', '--relink-every', '0'], 'bad_option'],
    [['x.jsonl', '--speed', 'fast'], 'bad_option'],
    [[join(sim, 'exchanges.jsonl'), '--db', 'a.duckdb', '--accounts', 'a.jsonl'], 'conflict'],
  ])('refuses %j with %s', async (args, code) => {
    const r = await run([...args, '--out', join(dir, 'bad')]);
    expect(r.err).toBeInstanceOf(UsageError);
    expect((r.err as UsageError).code).toBe(code);
  });
});

describe('POST /v1/exchanges', () => {
  it('takes NDJSON with the right token, reports bad lines, refuses a wrong token', async () => {
    const engine = new WatchEngine();
    const got: Exchange[] = [];
    const issues: RecordIssue[] = [];
    const server = await listen(
      0,
      '127.0.0.1',
      'test-token-123',
      (records, is) => {
        for (const e of records) {
          got.push(e);
          engine.push(e);
        }
        issues.push(...is);
      },
      engine,
    );
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const body = [
        JSON.stringify({
          ts: '2026-02-01T00:00:00Z',
          account_id: 'org_a',
          ip: '203.0.113.5',
          prompt: 'hello',
        }),
        '{"ts": "2026-02-01T00:00:01Z", "account_id": "org_b"}',
        'not json',
        JSON.stringify({ ts: 1769904002000, account_id: 'org_a', ip: '203.0.113.5' }),
      ].join('\n');
      const ok = await fetch(`${url}/v1/exchanges`, {
        method: 'POST',
        headers: { authorization: 'Bearer test-token-123', 'content-type': 'application/x-ndjson' },
        body,
      });
      expect(ok.status).toBe(200);
      const res = (await ok.json()) as { accepted: number; rejected: number; issues: RecordIssue[] };
      expect(res.accepted).toBe(2);
      expect(res.rejected).toBe(2);
      expect(res.issues.map((i) => [i.line, i.code])).toEqual([
        [2, expect.any(String)],
        [3, 'bad_json'],
      ]);
      expect(res.issues[0]?.field).toBe('ip');
      expect(got.map((e) => e.account_id)).toEqual(['org_a', 'org_a']);
      const denied = await fetch(`${url}/v1/exchanges`, {
        method: 'POST',
        headers: { authorization: 'Bearer wrong-token-000' },
        body,
      });
      expect(denied.status).toBe(401);
      const health = (await (await fetch(`${url}/v1/health`)).json()) as { exchanges: number };
      expect(health.exchanges).toBe(2);
      expect((await fetch(`${url}/v1/other`)).status).toBe(404);
      expect((await fetch(`${url}/v1/exchanges`)).status).toBe(405);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
