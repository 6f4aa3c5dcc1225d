/**
 * The one contract every `Store` adapter passes (STYLE.md §3): memory and DuckDB today,
 * ClickHouse later. Call it from `<adapter>.test.ts` with a factory of fresh stores.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type {
  Account,
  AccountId,
  CampaignId,
  Exchange,
  Label,
  Release,
  RequestId,
} from '../../formats/index.js';
import type { Store, StoreFactory } from '../port.js';

const T0 = Date.UTC(2026, 9, 1, 12, 0, 0, 7);

export function exchange(i: number, over: Partial<Exchange> = {}): Exchange {
  return {
    ts: T0 + i * 1000,
    account_id: `acct_${i % 3}` as AccountId,
    ip: `203.0.113.${i % 250}`,
    request_id: `req_${i}` as RequestId,
    ...over,
  };
}

/** An exchange with every optional field present, and unknown fields in extra. */
export function fullExchange(): Exchange {
  return {
    ts: T0 + 123,
    account_id: 'acct_full' as AccountId,
    ip: '2001:db8::1',
    request_id: 'req_full' as RequestId,
    api_key_id: 'key_1',
    end_user_id: '',
    user_agent: 'anthropic-python/0.40.0',
    tls_fingerprint: 't13d1516h2_8daaf6152771_b186095e22b6',
    forwarded_for: '198.51.100.7, 10.0.0.1',
    endpoint: 'messages',
    model: 'claude-sonnet-4-5',
    input_tokens: 0,
    output_tokens: 9_007_199_254_740_991,
    status: 429,
    latency_ms: 12.375,
    turns: 1,
    tool_count: 0,
    reasoning: false,
    max_tokens: -1,
    temperature: 0.1,
    system_prompt: 'You are a helpful assistant. «ünïcödé» 🚀',
    prompt: 'Solve: 2+2\nThink step by step, "quoted", tab\there',
    prompt_fingerprint: '0123456789abcdef',
    harvest: true,
    extra: { region: 'eu-west', nested: { a: [1, 2.5, null, 'x'], b: true }, n: -0.5 },
  };
}

const label = (
  account: string,
  l: 'legit' | 'attack',
  archetype: string,
  campaign: string | null,
): Label => ({
  account_id: account as AccountId,
  label: l,
  campaign_id: campaign as CampaignId | null,
  archetype,
});

async function all(store: Store, opts?: Parameters<Store['scanExchanges']>[0]): Promise<Exchange[][]> {
  const batches: Exchange[][] = [];
  for await (const b of store.scanExchanges(opts)) batches.push(b);
  return batches;
}

export function runStoreContract(opts: { name: string; create: StoreFactory }): void {
  describe(`Store contract: ${opts.name}`, () => {
    let store: Store | undefined;
    const fresh = async (): Promise<Store> => {
      store = await opts.create();
      return store;
    };
    afterEach(async () => {
      await store?.close();
      store = undefined;
    });

    it('starts empty', async () => {
      const s = await fresh();
      expect(await s.counts()).toEqual({ exchanges: 0, accounts: 0, releases: 0, labels: 0 });
      expect(await s.timeRange()).toBeNull();
      expect(await s.labelBreakdown()).toEqual([]);
      expect(await all(s)).toEqual([]);
    });

    it('is idempotent: the same batch twice is all duplicates the second time', async () => {
      const s = await fresh();
      const batch = Array.from({ length: 50 }, (_, i) => exchange(i));
      expect(await s.ingest('exchanges', batch)).toEqual({ accepted: 50, duplicates: 0 });
      expect(await s.ingest('exchanges', batch)).toEqual({ accepted: 0, duplicates: 50 });
      expect((await s.counts()).exchanges).toBe(50);
    });

    it('drops duplicates inside one batch, first occurrence wins', async () => {
      const s = await fresh();
      const first = exchange(1, { model: 'first' });
      const again = exchange(1, { model: 'second' });
      expect(await s.ingest('exchanges', [first, exchange(2), again, exchange(2)])).toEqual({
        accepted: 2,
        duplicates: 2,
      });
      const [rows] = await all(s);
      expect(rows?.map((e) => e.model)).toEqual(['first', undefined]);
    });

    it('dedups exchanges without request_id by content', async () => {
      const s = await fresh();
      const { request_id: _, ...noId } = exchange(5, { model: 'm', extra: { k: 1 } });
      const sameContent = { ...noId, extra: { k: 1 } };
      const otherExtra = { ...noId, extra: { k: 2 } };
      const otherTs = { ...noId, ts: noId.ts + 1 };
      expect(await s.ingest('exchanges', [noId, sameContent, otherExtra])).toEqual({
        accepted: 2,
        duplicates: 1,
      });
      expect(await s.ingest('exchanges', [sameContent, otherTs])).toEqual({ accepted: 1, duplicates: 1 });
      // a record with a request_id is never a duplicate of one without
      expect(await s.ingest('exchanges', [{ ...noId, request_id: 'req_5' as RequestId }])).toEqual({
        accepted: 1,
        duplicates: 0,
      });
      expect((await s.counts()).exchanges).toBe(4);
    });

    it('round-trips every field exactly: absent stays absent, extra is kept', async () => {
      const s = await fresh();
      const full = fullExchange();
      const bare = exchange(7);
      const { request_id: _, ...bareNoId } = exchange(8);
      await s.ingest('exchanges', [full, bare, bareNoId]);
      const rows = (await all(s)).flat();
      expect(rows).toEqual([full, bare, bareNoId]);
      for (const r of rows) {
        // toEqual ignores undefined-valued keys: check that absent fields are really absent
        for (const [k, v] of Object.entries(r)) expect(v, k).not.toBeUndefined();
      }
      expect(Object.keys(rows[1] ?? {}).sort()).toEqual(['account_id', 'ip', 'request_id', 'ts']);
    });

    it('round-trips accounts, releases and labels, first record per key wins', async () => {
      const s = await fresh();
      const a1: Account = {
        account_id: 'acct_b' as AccountId,
        created_at: T0 - 86_400_000,
        pathway: 'education',
        country: 'SG',
        email_domain: 'example.edu',
        payment_fingerprint: 'pf_1',
        verified: false,
        org_name: 'Lab',
        trust: 'none',
        extra: { plan: 'tier-2' },
      };
      const a2: Account = { account_id: 'acct_a' as AccountId };
      expect(await s.ingest('accounts', [a1, a2, { ...a1, country: 'US' }])).toEqual({
        accepted: 2,
        duplicates: 1,
      });
      expect(await s.ingest('accounts', [{ ...a2, verified: true }])).toEqual({ accepted: 0, duplicates: 1 });
      expect(await s.readAll('accounts')).toEqual([a2, a1]);

      const r1: Release = { model: 'claude-opus-4-1', released_at: T0 };
      expect(await s.ingest('releases', [r1, r1])).toEqual({ accepted: 1, duplicates: 1 });
      expect(await s.readAll('releases')).toEqual([r1]);

      const l1 = label('acct_a', 'attack', 'hydra', 'camp_1');
      const l2 = { ...label('acct_b', 'legit', 'startup', null), extra: { note: 'x' } };
      expect(await s.ingest('labels', [l1, l2])).toEqual({ accepted: 2, duplicates: 0 });
      const labels = await s.readAll('labels');
      expect(labels).toEqual([l1, l2]);
      expect(labels[1]?.campaign_id).toBeNull();
      expect(await s.counts()).toEqual({ exchanges: 0, accounts: 2, releases: 1, labels: 2 });
    });

    it('reports the time range', async () => {
      const s = await fresh();
      await s.ingest('exchanges', [exchange(3), exchange(1), exchange(9)]);
      expect(await s.timeRange()).toEqual({ min: T0 + 1000, max: T0 + 9000 });
    });

    it('breaks down accounts and exchanges by (label, archetype), unlabelled apart', async () => {
      const s = await fresh();
      await s.ingest('labels', [
        label('a1', 'attack', 'hydra', 'c1'),
        label('a2', 'attack', 'hydra', 'c1'),
        label('a3', 'attack', 'pivot', 'c2'),
        label('l1', 'legit', 'startup', null),
        label('l2', 'legit', 'startup', null),
      ]);
      const ex = (i: number, account: string) => exchange(i, { account_id: account as AccountId });
      await s.ingest('exchanges', [
        ex(1, 'a1'),
        ex(2, 'a1'),
        ex(3, 'a2'),
        ex(4, 'l1'),
        ex(5, 'u1'),
        ex(6, 'u1'),
        ex(7, 'u2'),
      ]);
      expect(await s.labelBreakdown()).toEqual([
        { label: 'attack', archetype: 'hydra', accounts: 2, exchanges: 3 },
        { label: 'attack', archetype: 'pivot', accounts: 1, exchanges: 0 },
        { label: 'legit', archetype: 'startup', accounts: 2, exchanges: 1 },
        { label: null, archetype: null, accounts: 2, exchanges: 3 },
      ]);
    });

    it('scans exchanges in time order, ties in ingest order, in batches, with a time window', async () => {
      const s = await fresh();
      const order = [5, 3, 8, 1, 9, 2, 7, 4, 6, 0];
      await s.ingest(
        'exchanges',
        order.slice(0, 5).map((i) => exchange(i)),
      );
      await s.ingest(
        'exchanges',
        order.slice(5).map((i) => exchange(i)),
      );
      const tie = [exchange(100, { ts: T0 + 4000 }), exchange(101, { ts: T0 + 4000 })];
      await s.ingest('exchanges', tie);
      const batches = await all(s, { batchSize: 4 });
      expect(batches.map((b) => b.length)).toEqual([4, 4, 4]);
      const ids = batches.flat().map((e) => e.request_id);
      expect(ids).toEqual([
        'req_0',
        'req_1',
        'req_2',
        'req_3',
        'req_4',
        'req_100',
        'req_101',
        'req_5',
        'req_6',
        'req_7',
        'req_8',
        'req_9',
      ]);
      const window = (await all(s, { from: T0 + 2000, to: T0 + 5000 })).flat().map((e) => e.request_id);
      expect(window).toEqual(['req_2', 'req_3', 'req_4', 'req_100', 'req_101']);
    });

    it('handles batches larger than one storage chunk', async () => {
      const s = await fresh();
      const n = 5000;
      const batch = Array.from({ length: n }, (_, i) =>
        exchange(i, i % 7 === 0 ? { model: `m${i % 5}`, input_tokens: i } : { end_user_id: `u${i}` }),
      );
      expect(await s.ingest('exchanges', batch)).toEqual({ accepted: n, duplicates: 0 });
      expect(await s.ingest('exchanges', batch.slice(2000, 3000))).toEqual({ accepted: 0, duplicates: 1000 });
      const rows = (await all(s, { batchSize: 1024 })).flat();
      expect(rows).toEqual(batch);
    });

    it('refuses work after close', async () => {
      const s = await fresh();
      await s.close();
      await expect(async () => s.counts()).rejects.toThrow();
    });
  });
}
