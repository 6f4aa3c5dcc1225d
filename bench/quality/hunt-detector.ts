/**
 * distillguard's own detector in the quality benchmark, run the way a provider would: the
 * exchanges, accounts and releases files (never labels) ingested into a fresh DuckDB store,
 * then `hunt`, whose verdicts, campaigns and per-exchange verdicts the scorer reads.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { hunt, writeHuntOutputs } from '../../src/engine/index.js';
import { ingestFiles, openDuckDbStore } from '../../src/store/index.js';

export const HUNT_METHOD =
  'distillguard hunt: text hallmarks + peer-relative behaviour + rarity-weighted account–artifact links (docs/detection.md)';

export interface HuntRun {
  verdicts: string;
  campaigns: string;
  exchangeVerdicts: string | undefined;
  ingestSeconds: number;
  huntSeconds: number;
  stats: Record<string, number | string>;
  scores: { account_id: string; score: number }[];
}

const seconds = (t0: number): number => (performance.now() - t0) / 1000;

export async function runHuntDetector(dir: string, outDir: string, seed: number): Promise<HuntRun> {
  const db = join(outDir, 'hunt.duckdb');
  await rm(db, { force: true });
  await rm(`${db}.wal`, { force: true });
  const store = await openDuckDbStore(db);
  try {
    let t0 = performance.now();
    await ingestFiles(
      store,
      ['exchanges.jsonl', 'accounts.jsonl', 'releases.jsonl'].map((f) => join(dir, f)),
    );
    const ingestSeconds = seconds(t0);
    t0 = performance.now();
    const source = store.features();
    const result = await hunt(source, { seed });
    const files = await writeHuntOutputs(result, source, outDir, {
      source: db,
      command: 'npm run bench:quality',
      generatedAt: new Date(0).toISOString(),
    });
    const huntSeconds = seconds(t0);
    return {
      verdicts: files.verdicts,
      campaigns: files.campaigns,
      exchangeVerdicts: files.exchangeVerdicts ?? undefined,
      ingestSeconds,
      huntSeconds,
      stats: { ...result.stats, ingest_s: Math.round(ingestSeconds * 10) / 10, text: result.textMode },
      scores: result.verdicts.map((v) => ({ account_id: v.account_id, score: v.score })),
    };
  } finally {
    await store.close();
    await rm(db, { force: true });
  }
}
