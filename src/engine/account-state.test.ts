/**
 * The incremental account state gives the aggregates the batch driver computes in SQL, on a
 * small simulation stored in DuckDB: exact where the stages look, close where they only report.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulate } from '../../sim/index.js';
import { openRecords } from '../formats/index.js';
import { type AccountAggregate, ingestFiles, openDuckDbStore } from '../store/index.js';
import { AccountState, type Release } from './account-state.js';

const dir = mkdtempSync(join(tmpdir(), 'dg-state-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let sql: AccountAggregate[] = [];
const states = new Map<string, AccountState>();

beforeAll(async () => {
  await simulate({ scenario: 'demo', seed: 3, scale: 0.05, out: dir });
  const db = join(dir, 'store.duckdb');
  const store = await openDuckDbStore(db);
  await ingestFiles(
    store,
    ['accounts', 'releases', 'exchanges'].map((k) => join(dir, `${k}.jsonl`)),
  );
  sql = await store.features().accountAggregates();
  const releases: Release[] = await store.features().releases();
  await store.close();
  for await (const b of openRecords(join(dir, 'exchanges.jsonl'), 'exchanges'))
    for (const e of b.records) {
      let s = states.get(e.account_id);
      if (s === undefined) {
        s = new AccountState(e.account_id);
        states.set(e.account_id, s);
      }
      s.add(
        e,
        releases,
        (p) => p,
        () => {},
      );
    }
  for (const s of states.values()) (s as unknown as { agg: AccountAggregate }).agg = s.aggregate(releases);
}, 120_000);

const close = (a: number, b: number, tol: number) =>
  (Number.isNaN(a) && Number.isNaN(b)) || Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));

describe('AccountState', () => {
  it('matches the SQL aggregates of every account', () => {
    expect(sql.length).toBeGreaterThan(100);
    for (const x of sql) {
      const s = states.get(x.account_id);
      expect(s).toBeDefined();
      const a = (s as unknown as { agg: AccountAggregate }).agg;
      for (const k of [
        'exchanges',
        'first_ts',
        'last_ts',
        'active_hours',
        'active_days',
        'peak_hour',
        'input_tokens',
        'output_tokens',
        'endpoint',
        'pivot_model',
      ] as const)
        expect([x.account_id, k, a[k]]).toEqual([x.account_id, k, x[k]]);
      for (const k of [
        'single_turn_share',
        'mean_turns',
        'tool_share',
        'reasoning_share',
        'error_share',
        'end_user_share',
        'gap_log_cv',
        'gap_fast_share',
        'pivot_share',
        'pivot_lag_hours',
      ] as const)
        expect([x.account_id, k, close(a[k], x[k], 1e-6)]).toEqual([x.account_id, k, true]);
      expect(a.hours).toEqual(x.hours);
      // Sketched: within the sketch's error and DuckDB's own (its approx_count_distinct said 6
      // where there were 8).
      for (const k of [
        'distinct_ips',
        'distinct_subnets',
        'distinct_end_users',
        'distinct_user_agents',
      ] as const) {
        const ok = close(a[k], x[k], 0.3) || Math.abs(a[k] - x[k]) <= 3;
        expect([x.account_id, k, a[k], x[k], ok]).toEqual([x.account_id, k, a[k], x[k], true]);
      }
      // A median of a handful of gaps is the mean of the middle two in SQL: compare where it is stable.
      if (x.exchanges >= 50)
        expect([
          x.account_id,
          a.gap_median_ms,
          x.gap_median_ms,
          close(a.gap_median_ms, x.gap_median_ms, 0.2),
        ]).toEqual([x.account_id, a.gap_median_ms, x.gap_median_ms, true]);
    }
  });
});
