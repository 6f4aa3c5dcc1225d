/**
 * The incremental driver against the batch one on the same small simulation (the invariant of
 * ARCHITECTURE.md), alerts that only ever rise, determinism, and a replacement account caught
 * on its first requests through the payment instrument it shares with a flagged campaign.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulate } from '../../sim/index.js';
import { Alert, type Exchange, openRecords, type Verdict } from '../formats/index.js';
import { templateKeys } from '../signals/index.js';
import { type AccountInfo, ingestFiles, openDuckDbStore } from '../store/index.js';
import { hunt } from './hunt.js';
import { WatchEngine } from './watch.js';

const dir = mkdtempSync(join(tmpdir(), 'dg-watch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let batch: Verdict[] = [];
let accounts: AccountInfo[] = [];
let releases: { model: string; released_at: number }[] = [];
const exchanges: Exchange[] = [];

beforeAll(async () => {
  await simulate({ scenario: 'demo', seed: 5, scale: 0.1, out: dir });
  const store = await openDuckDbStore(join(dir, 'store.duckdb'));
  await ingestFiles(
    store,
    ['accounts', 'releases', 'exchanges'].map((k) => join(dir, `${k}.jsonl`)),
  );
  const f = store.features();
  accounts = await f.accountInfo();
  releases = await f.releases();
  batch = (await hunt(f, { seed: 1 })).verdicts;
  await store.close();
  for await (const b of openRecords(join(dir, 'exchanges.jsonl'), 'exchanges')) exchanges.push(...b.records);
}, 180_000);

const RANK = { clear: 0, watch: 1, throttle: 2, block: 3 } as const;

/** A self-serve account opened during the replay. */
function newAccount(id: string, payment: string | null, verified: boolean): AccountInfo {
  return {
    account_id: id,
    created_at: null,
    pathway: 'self_serve',
    country: null,
    email_domain: null,
    payment_fingerprint: payment,
    verified,
    trust: null,
  };
}

function replay(extra: Exchange[] = []): { engine: WatchEngine; alerts: Alert[] } {
  const alerts: Alert[] = [];
  const engine = new WatchEngine({
    accounts,
    releases,
    relinkEveryMs: 120 * 60_000,
    onAlert: (a) => alerts.push(a),
  });
  for (const e of exchanges) engine.push(e);
  for (const e of extra) engine.push(e);
  return { engine, alerts };
}

describe('WatchEngine', () => {
  it('ends at the verdicts hunt gives on the same data (stated tolerance: 98% same verdict, every hunt flag kept, 99% of scores within 0.05, all within 0.25)', () => {
    const { engine } = replay();
    const live = new Map(engine.finish().verdicts.map((v) => [v.account_id, v]));
    expect(live.size).toBe(batch.length);
    let same = 0;
    const diffs: number[] = [];
    for (const v of batch) {
      const w = live.get(v.account_id) as Verdict;
      if (w.verdict === v.verdict) same++;
      if (v.verdict !== 'clear') expect([v.account_id, w.verdict]).not.toEqual([v.account_id, 'clear']);
      diffs.push(Math.abs(w.score - v.score));
    }
    expect(same / batch.length).toBeGreaterThanOrEqual(0.98);
    diffs.sort((x, y) => x - y);
    expect(diffs[Math.floor(0.99 * diffs.length)]).toBeLessThan(0.05);
    expect(diffs[diffs.length - 1]).toBeLessThan(0.25);
    expect(batch.filter((v) => v.verdict !== 'clear').length).toBeGreaterThan(5);
  }, 120_000);

  it('raises valid alerts, each above the previous one of its account, the same on every run', () => {
    const a = replay().alerts;
    const b = replay().alerts;
    expect(a.length).toBeGreaterThan(5);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    const last = new Map<string, number>();
    let ts = 0;
    for (const x of a) {
      expect(Alert.safeParse(x).success).toBe(true);
      expect(RANK[x.verdict]).toBeGreaterThan(last.get(x.account_id) ?? 0);
      last.set(x.account_id, RANK[x.verdict]);
      expect(Date.parse(x.ts)).toBeGreaterThanOrEqual(ts);
      ts = Date.parse(x.ts);
    }
  }, 120_000);

  it('catches a replacement account sharing a flagged campaign member’s payment instrument before the next full pass', () => {
    const flagged = batch.find(
      (v) =>
        v.campaign_id !== null &&
        v.verdict === 'block' &&
        accounts.find((a) => a.account_id === v.account_id)?.payment_fingerprint != null,
    );
    expect(flagged).toBeDefined();
    const payment = accounts.find((a) => a.account_id === flagged?.account_id)?.payment_fingerprint ?? null;
    const newId = 'org_replacement_0001';
    accounts = [...accounts, newAccount(newId, payment, false)];
    const t0 = (exchanges[exchanges.length - 1] as Exchange).ts + 1000;
    // It carries on the member's job: the same kind of prompts, from a new address.
    const job = exchanges
      .filter((e) => e.account_id === flagged?.account_id && e.prompt !== undefined)
      .slice(0, 16);
    const extra: Exchange[] = job.map((e, i) => ({
      ...e,
      ts: t0 + i * 1000,
      account_id: newId as Exchange['account_id'],
      ip: '198.51.100.77',
      request_id: `req_replacement_${i}` as Exchange['request_id'],
    }));
    const { alerts } = replay(extra);
    const mine = alerts.filter((a) => a.account_id === newId);
    expect(mine.length).toBeGreaterThan(0);
    expect(Date.parse((mine[0] as Alert).ts)).toBeLessThanOrEqual(t0 + 15_000);
    expect(mine.some((a) => a.evidence.some((e) => e.signal === 'link.harvesting_cluster'))).toBe(true);
    accounts = accounts.filter((a) => a.account_id !== newId);
  }, 120_000);

  it('links a new account with nothing of the campaign’s infrastructure through its templates and harvesting prompts', () => {
    // Low and slow: a fresh account, its own payment instrument and address, the campaign's job.
    const member = batch.find(
      (v) =>
        v.campaign_id !== null &&
        v.verdict === 'block' &&
        v.evidence.some((e) => e.signal === 'text.strong_elicitation') &&
        exchanges.filter((e) => e.account_id === v.account_id && e.prompt !== undefined).length >= 8,
    );
    expect(member).toBeDefined();
    const newId = 'org_lowslow_0001';
    accounts = [...accounts, newAccount(newId, 'pm_lowslow_own', true)];
    const t0 = (exchanges[exchanges.length - 1] as Exchange).ts + 1000;
    // Its requests follow one template, the one most of the campaign's members use: one shared
    // template never makes a strong edge (it weighs at most 1 < STRONG_EDGE).
    const members = new Set(
      batch.filter((v) => v.campaign_id === member?.campaign_id).map((v) => v.account_id),
    );
    const users = new Map<string, Set<string>>();
    for (const e of exchanges)
      if (members.has(e.account_id) && e.prompt !== undefined)
        for (const k of templateKeys(e.prompt)) users.set(k, (users.get(k) ?? new Set()).add(e.account_id));
    const top = [...users].sort((x, y) => y[1].size - x[1].size)[0]?.[0];
    const job = exchanges
      .filter(
        (e) =>
          members.has(e.account_id) && e.prompt !== undefined && templateKeys(e.prompt).includes(top ?? ''),
      )
      .slice(0, 4);
    expect(job.length).toBe(4);
    const extra: Exchange[] = job.map((e, i) => {
      // Nothing of the members' own: no system prompt, client fingerprint, API key or end user.
      const { system_prompt: _s, tls_fingerprint: _t, end_user_id: _u, api_key_id: _k, ...rest } = e;
      return {
        ...rest,
        ts: t0 + i * 1000,
        account_id: newId as Exchange['account_id'],
        ip: `198.51.100.${90 + i}`,
        user_agent: 'lowslow/1.0',
        request_id: `req_lowslow_${i}` as Exchange['request_id'],
      };
    });
    const { alerts } = replay(extra);
    const mine = alerts.filter((a) => a.account_id === newId);
    // On its first request (a strong edge needs two or three of its rare templates), from the
    // template its prompt follows and what the prompt asks for.
    expect(mine.some((a) => a.evidence.some((e) => e.signal === 'link.harvesting_cluster'))).toBe(true);
    const linked = mine.find((a) => a.evidence.some((e) => e.signal === 'link.harvesting_cluster')) as Alert;
    expect(Date.parse(linked.ts)).toBeLessThan(t0 + 4000);
    accounts = accounts.filter((a) => a.account_id !== newId);
  }, 120_000);
});
