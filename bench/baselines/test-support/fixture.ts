/**
 * Tiny hand-made exchanges/accounts fixtures for the baseline tests, written as JSONL to a
 * temporary directory.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface FxExchange {
  ts: number;
  account_id: string;
  ip: string;
  input_tokens?: number;
  output_tokens?: number;
  turns?: number;
  reasoning?: boolean;
  tool_count?: number;
  prompt?: string;
  prompt_fingerprint?: string;
}

export interface FxAccount {
  account_id: string;
  created_at?: string;
  payment_fingerprint?: string;
}

export const T0 = Date.UTC(2026, 1, 2);
export const MINUTE = 60_000;
export const HOUR = 3_600_000;

export async function writeFixture(
  exchanges: readonly FxExchange[],
  accounts: readonly FxAccount[],
): Promise<{ exchanges: string; accounts: string; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'dg-baseline-'));
  const ex = join(dir, 'exchanges.jsonl');
  const acc = join(dir, 'accounts.jsonl');
  const sorted = [...exchanges].sort((a, b) => a.ts - b.ts);
  // Half the timestamps as RFC 3339, half as epoch ms: formats.md allows both.
  await writeFile(
    ex,
    `${sorted
      .map((e, i) => JSON.stringify({ ...e, ts: i % 2 === 0 ? new Date(e.ts).toISOString() : e.ts }))
      .join('\n')}\n`,
  );
  await writeFile(acc, `${accounts.map((a) => JSON.stringify(a)).join('\n')}\n`);
  return { exchanges: ex, accounts: acc, dir };
}

/** Deterministic pseudo-random integers for fixtures (a linear congruential generator). */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** Words for genuine-looking prompts that share no template. */
const VOCABULARY = (
  'how why what when sort parse plot join merge split list table chart graph model data file path query index ' +
  'python rust go java kotlin swift shell docker cloud server client cache queue stream batch train test deploy'
).split(' ');

/** n independent accounts, each with its own IP, a few requests spread over a day. */
export function independentAccounts(
  n: number,
  prefix = 'ind',
  seed = 1,
): { ex: FxExchange[]; acc: FxAccount[] } {
  const r = lcg(seed);
  const ex: FxExchange[] = [];
  const acc: FxAccount[] = [];
  for (let i = 0; i < n; i++) {
    const id = `${prefix}_${String(i).padStart(3, '0')}`;
    acc.push({ account_id: id, created_at: '2025-06-01T00:00:00Z', payment_fingerprint: `pm_${id}` });
    const requests = 3 + Math.floor(r() * 5);
    for (let k = 0; k < requests; k++) {
      ex.push({
        ts: T0 + Math.floor(r() * 24 * HOUR),
        account_id: id,
        ip: `10.${i}.${k % 2}.${1 + (k % 3)}`,
        input_tokens: 200 + Math.floor(r() * 400),
        output_tokens: 300 + Math.floor(r() * 500),
        turns: 1 + Math.floor(r() * 6),
        reasoning: r() < 0.2,
        tool_count: 0,
        prompt: Array.from({ length: 10 }, () => VOCABULARY[Math.floor(r() * VOCABULARY.length)]).join(' '),
      });
    }
  }
  return { ex, acc };
}
