/**
 * The one contract every StateStore adapter passes (STYLE.md §3): memory and Redis. `open` gives
 * two handles on one fresh backend (two gateway replicas); time is passed in, so nothing waits.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { AccountId, CampaignId, Verdict } from '../../formats/index.js';
import type { StateStore } from '../state.js';
import type { VerdictUpdate } from '../verdict-book.js';

export interface StateContractOptions {
  name: string;
  open: () => Promise<{ a: StateStore; b: StateStore }>;
}

const T0 = Date.UTC(2026, 10, 1);
const LIMITS = { ratePerSec: 1, burst: 3 };

function verdict(account: string, v: Verdict['verdict']): VerdictUpdate {
  return {
    kind: 'verdict',
    record: { account_id: account as AccountId, score: 0.9, verdict: v, campaign_id: null, evidence: [] },
  };
}

/** Waits until `f` holds (pub/sub is asynchronous); fails after `ms`. Not a timing assertion. */
export async function until(f: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 5));
  }
}

export function runStateContract({ name, open }: StateContractOptions): void {
  describe(`StateStore contract: ${name}`, () => {
    let handles: StateStore[] = [];
    const pair = async () => {
      const p = await open();
      handles.push(p.a, p.b);
      return p;
    };
    afterEach(async () => {
      await Promise.all(handles.map((h) => h.close()));
      handles = [];
    });

    it('a bucket lets `burst` requests through, then says when to retry', async () => {
      const { a } = await pair();
      for (let i = 0; i < 3; i++) expect((await a.take('acct', LIMITS, T0)).ok).toBe(true);
      const r = await a.take('acct', LIMITS, T0);
      expect(r).toEqual({ ok: false, retryAfterMs: 1000 });
    });

    it('refills at the rate, never above the burst', async () => {
      const { a } = await pair();
      for (let i = 0; i < 3; i++) await a.take('acct', LIMITS, T0);
      expect((await a.take('acct', LIMITS, T0 + 500)).ok).toBe(false);
      expect((await a.take('acct', LIMITS, T0 + 1000)).ok).toBe(true);
      const later = await a.take('acct', LIMITS, T0 + 3_600_000);
      expect(later).toEqual({ ok: true, remaining: 2 });
    });

    it('an earlier clock reading refills nothing', async () => {
      const { a } = await pair();
      for (let i = 0; i < 3; i++) await a.take('acct', LIMITS, T0);
      expect((await a.take('acct', LIMITS, T0 - 10_000)).ok).toBe(false);
    });

    it('keys are independent', async () => {
      const { a } = await pair();
      for (let i = 0; i < 3; i++) await a.take('one', LIMITS, T0);
      expect((await a.take('one', LIMITS, T0)).ok).toBe(false);
      expect((await a.take('two', LIMITS, T0)).ok).toBe(true);
    });

    it('two handles share one bucket', async () => {
      const { a, b } = await pair();
      await a.take('shared', LIMITS, T0);
      await b.take('shared', LIMITS, T0);
      await a.take('shared', LIMITS, T0);
      expect((await b.take('shared', LIMITS, T0)).ok).toBe(false);
    });

    it('concurrent takes never pass more than the burst', async () => {
      const { a, b } = await pair();
      const rs = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).take('race', LIMITS, T0)),
      );
      expect(rs.filter((r) => r.ok)).toHaveLength(3);
    });

    it('an update published on one handle reaches the other, and stays for late readers', async () => {
      const { a, b } = await pair();
      const seen: VerdictUpdate[] = [];
      b.subscribe((u) => seen.push(u));
      await a.publish(verdict('acct_x', 'block'));
      await until(() => seen.length >= 1);
      expect(seen[0]).toEqual(verdict('acct_x', 'block'));
      await a.publish(verdict('acct_x', 'throttle'));
      await a.publish({
        kind: 'campaign',
        record: {
          campaign_id: 'dgc-1' as CampaignId,
          accounts: ['acct_x' as AccountId],
          exchanges: 1,
          output_tokens: 1,
          first_seen: '2026-11-01T00:00:00.000Z',
          last_seen: '2026-11-01T00:00:00.000Z',
          capabilities: {},
          indicators: { subnet: ['203.0.113.0/24'] },
          evidence: [],
          score: 0.8,
        },
      });
      const snap = await b.snapshot();
      expect(snap).toHaveLength(2);
      expect(snap.find((u) => u.kind === 'verdict')?.record).toMatchObject({ verdict: 'throttle' });
    });

    it('reports itself healthy while reachable', async () => {
      const { a } = await pair();
      expect(a.healthy()).toBe(true);
    });
  });
}
