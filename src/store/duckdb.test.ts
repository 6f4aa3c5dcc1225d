import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AccountId, RequestId } from '../formats/index.js';
import { openDuckDbStore } from './duckdb.js';
import { runStoreContract } from './test-support/contract.js';

runStoreContract({ name: 'duckdb :memory:', create: () => openDuckDbStore(':memory:') });

describe('DuckDB store on a file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dg-store-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps records and dedup state across close and reopen', async () => {
    const path = join(dir, 'a.duckdb');
    const ex = (i: number) => ({
      ts: Date.UTC(2026, 0, 1) + i,
      account_id: 'acct' as AccountId,
      ip: '192.0.2.1',
      request_id: `r${i}` as RequestId,
    });
    const s1 = await openDuckDbStore(path);
    expect(await s1.ingest('exchanges', [ex(1), ex(2)])).toEqual({ accepted: 2, duplicates: 0 });
    await s1.close();
    const s2 = await openDuckDbStore(path);
    expect(await s2.ingest('exchanges', [ex(2), ex(3)])).toEqual({ accepted: 1, duplicates: 1 });
    const order: string[] = [];
    for await (const b of s2.scanExchanges()) for (const e of b) order.push(e.request_id ?? '');
    expect(order).toEqual(['r1', 'r2', 'r3']);
    await s2.close();
  });
});
