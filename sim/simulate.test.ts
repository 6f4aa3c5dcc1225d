import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountIn, ExchangeIn, LabelIn, ReleaseIn } from '../src/formats/index.js';
import { promptFingerprint } from '../src/text/index.js';
import { ARCHETYPE_NAMES, SCENARIO_NAMES, SimulateError, simulate } from './index.js';

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'dg-sim-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function lines(path: string): string[] {
  const buf = readFileSync(path);
  const text = path.endsWith('.gz') ? gunzipSync(buf).toString('utf8') : buf.toString('utf8');
  const out = text.split('\n');
  expect(out.pop()).toBe('');
  return out;
}

function digest(dir: string, ext = '.jsonl'): string {
  const h = createHash('sha256');
  for (const f of ['exchanges', 'accounts', 'releases', 'labels']) h.update(readFileSync(join(dir, f + ext)));
  return h.digest('hex');
}

/** Small enough to keep the suite fast, large enough that every archetype has accounts. */
const SCALE = 0.01;

describe('simulate', () => {
  // one demo run shared by the tests that only read it
  let a = '';
  let summaryA: Awaited<ReturnType<typeof simulate>>;
  beforeAll(async () => {
    a = tmp();
    summaryA = await simulate({ scenario: 'demo', seed: 7, out: a, scale: SCALE });
  });

  it('gives the same bytes for the same seed and different bytes for another seed', async () => {
    const b = tmp();
    const c = tmp();
    await simulate({ scenario: 'demo', seed: 7, out: b, scale: SCALE });
    await simulate({ scenario: 'demo', seed: 8, out: c, scale: SCALE });
    expect(digest(a)).toBe(digest(b));
    expect(digest(a)).not.toBe(digest(c));
  });

  it('gives the same bytes on one thread and on two shards (plain, gzip, privacy)', async () => {
    const one = tmp();
    const two = tmp();
    const s1 = await simulate({ scenario: 'demo', seed: 7, out: one, scale: SCALE, threads: 1 });
    const s2 = await simulate({ scenario: 'demo', seed: 7, out: two, scale: SCALE, threads: 2 });
    expect(digest(two)).toBe(digest(one));
    expect({ ...s2, seconds: 0, exchangesPerSecond: 0, files: [] }).toEqual({
      ...s1,
      seconds: 0,
      exchangesPerSecond: 0,
      files: [],
    });
    for (const scenario of ['privacy', 'mixed-reseller']) {
      const g1 = tmp();
      const g2 = tmp();
      await simulate({ scenario, seed: 3, out: g1, scale: 0.02, gzip: true, threads: 1 });
      await simulate({ scenario, seed: 3, out: g2, scale: 0.02, gzip: true, threads: 2 });
      expect(digest(g2, '.jsonl.gz')).toBe(digest(g1, '.jsonl.gz'));
    }
  });

  it('writes demo records that validate, in time order, with every archetype present', () => {
    const dir = a;
    const summary = summaryA;
    const labels = lines(join(dir, 'labels.jsonl')).map((l) => LabelIn.parse(JSON.parse(l)));
    const accounts = lines(join(dir, 'accounts.jsonl')).map((l) => AccountIn.parse(JSON.parse(l)));
    const releases = lines(join(dir, 'releases.jsonl')).map((l) => ReleaseIn.parse(JSON.parse(l)));
    expect(labels.length).toBe(accounts.length);
    expect(new Set(accounts.map((a) => a.account_id)).size).toBe(accounts.length);
    expect(new Set(labels.map((l) => l.archetype))).toEqual(new Set(ARCHETYPE_NAMES));
    expect(releases.length).toBeGreaterThanOrEqual(3);

    const archOf = new Map(labels.map((l) => [l.account_id as string, l.archetype]));
    const seenArch = new Set<string>();
    const requestIds = new Set<string>();
    let last = 0;
    let n = 0;
    let hydraFlags = 0;
    const problems: string[] = [];
    const tsRe = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
    for (const l of lines(join(dir, 'exchanges.jsonl'))) {
      const raw = JSON.parse(l) as Record<string, unknown>;
      const r = ExchangeIn.safeParse(raw);
      if (!r.success) throw new Error(`${r.error.message}\n${l.slice(0, 300)}`);
      const e = r.data;
      // plain checks (an expect() per line would dominate the test's time)
      if (e.ts < last) problems.push(`out of order: ${l.slice(0, 80)}`);
      last = e.ts;
      if (typeof raw.ts !== 'string' || !tsRe.test(raw.ts))
        problems.push(`ts not RFC 3339 with ms: ${String(raw.ts)}`);
      const arch = archOf.get(e.account_id);
      if (arch === undefined) problems.push(`unknown account ${e.account_id}`);
      else seenArch.add(arch);
      if (requestIds.has(e.request_id as string)) problems.push(`repeated request_id ${e.request_id}`);
      requestIds.add(e.request_id as string);
      if (arch === 'hydra_reseller') {
        if (typeof e.harvest !== 'boolean') problems.push('hydra exchange without harvest flag');
        hydraFlags++;
      } else if (e.harvest !== undefined) problems.push(`harvest flag outside hydra: ${arch}`);
      if (typeof e.prompt !== 'string') problems.push('no prompt');
      n++;
    }
    expect(problems.slice(0, 5)).toEqual([]);
    expect(n).toBe(summary.exchanges);
    expect(hydraFlags).toBeGreaterThan(0);
    expect(seenArch).toEqual(new Set(ARCHETYPE_NAMES));
  });

  it('leaves no giveaway strings in ids, emails, agents or org names', () => {
    const dir = a;
    const bad = /attack|harvest|campaign|hydra|evil|fraud/i;
    expect(lines(join(dir, 'accounts.jsonl')).filter((l) => bad.test(l))).toEqual([]);
    const hits: string[] = [];
    for (const l of lines(join(dir, 'exchanges.jsonl'))) {
      const e = JSON.parse(l) as Record<string, unknown>;
      for (const k of [
        'account_id',
        'request_id',
        'api_key_id',
        'end_user_id',
        'user_agent',
        'tls_fingerprint',
        'ip',
        'model',
      ]) {
        if (e[k] !== undefined && bad.test(String(e[k]))) hits.push(`${k}=${String(e[k])}`);
      }
    }
    expect(hits.slice(0, 5)).toEqual([]);
  });

  it('privacy ships no raw text, only the published fingerprint', async () => {
    const dir = tmp();
    await simulate({ scenario: 'privacy', seed: 2, out: dir, scale: SCALE, gzip: true });
    let n = 0;
    let bad = 0;
    for (const l of lines(join(dir, 'exchanges.jsonl.gz'))) {
      const e = JSON.parse(l) as Record<string, unknown>;
      if (e.prompt !== undefined || e.system_prompt !== undefined) bad++;
      if (typeof e.prompt_fingerprint !== 'string' || !/^[0-9a-f]{16}$/.test(e.prompt_fingerprint)) bad++;
      n++;
    }
    expect(bad).toBe(0);
    expect(n).toBeGreaterThan(100);
    // the fingerprint is the project's function of the demo prompt at the same position
    const plain = tmp();
    await simulate({ scenario: 'demo', seed: 2, out: plain, scale: SCALE });
    const first = JSON.parse(lines(join(plain, 'exchanges.jsonl'))[0] as string) as { prompt: string };
    const firstPrivate = JSON.parse(lines(join(dir, 'exchanges.jsonl.gz'))[0] as string) as {
      prompt_fingerprint: string;
    };
    expect(firstPrivate.prompt_fingerprint).toBe(promptFingerprint(first.prompt));
  });

  it('puts the pivot target in releases and moves part of the agentic-coding traffic to it', async () => {
    const dir = tmp();
    await simulate({ scenario: 'demo', seed: 1, out: dir, scale: 0.1 });
    const releases = lines(join(dir, 'releases.jsonl')).map((l) => ReleaseIn.parse(JSON.parse(l)));
    const labels = new Map(
      lines(join(dir, 'labels.jsonl')).map((l) => {
        const x = JSON.parse(l) as { account_id: string; archetype: string };
        return [x.account_id, x.archetype];
      }),
    );
    const newest = releases.reduce((a, b) => (b.released_at > a.released_at ? b : a));
    let after = 0;
    let onNew = 0;
    for (const l of lines(join(dir, 'exchanges.jsonl'))) {
      const e = JSON.parse(l) as { ts: string; account_id: string; model: string };
      if (labels.get(e.account_id) !== 'agentic_coding_harvest') continue;
      const t = Date.parse(e.ts);
      if (t > newest.released_at + 24 * 3_600_000) {
        after++;
        if (e.model === newest.model) onNew++;
      }
    }
    expect(after).toBeGreaterThan(200);
    expect(onNew / after).toBeGreaterThan(0.35);
    expect(onNew / after).toBeLessThan(0.65);
  });

  it('rejects an unknown scenario with the list of valid ones', async () => {
    await expect(simulate({ scenario: 'nope', seed: 1, out: tmp() })).rejects.toMatchObject({
      code: 'unknown_scenario',
    });
    await expect(simulate({ scenario: 'demo', seed: 1, out: tmp(), scale: 0 })).rejects.toBeInstanceOf(
      SimulateError,
    );
    expect(SCENARIO_NAMES).toEqual([
      'demo',
      'reported-2026',
      'evasive',
      'mixed-reseller',
      'privacy',
      'reported-2026-privacy',
    ]);
  });
});
