/**
 * `distillguard demo`: the main job end to end on the embedded default, with nothing to
 * install — simulate the demo scenario (traffic with ground truth), ingest it into a
 * DuckDB file, and show what the store holds. Grows with the pipeline: when `hunt`
 * lands, the demo runs it and scores it against the ground truth.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { simulate } from '../../sim/index.js';
import { ingestFiles, type LabelBreakdownRow, openDuckDbStore } from '../store/index.js';
import { formatSummary as formatIngestSummary, ingestProgress } from './ingest.js';
import { createProgress } from './progress.js';
import { UsageError } from './usage-error.js';

interface DemoFlags {
  out: string;
  seed: string;
  scale: string;
  quiet?: boolean;
}

const n = (x: number) => x.toLocaleString('en-US');

export function formatBreakdown(rows: readonly LabelBreakdownRow[]): string {
  const w = Math.max(9, ...rows.map((r) => (r.archetype ?? '(unlabelled)').length));
  const head = `  ${'label'.padEnd(6)}  ${'archetype'.padEnd(w)}  ${'accounts'.padStart(9)}  ${'exchanges'.padStart(11)}`;
  const lines = rows.map(
    (r) =>
      `  ${(r.label ?? '-').padEnd(6)}  ${(r.archetype ?? '(unlabelled)').padEnd(w)}  ${n(r.accounts).padStart(9)}  ${n(r.exchanges).padStart(11)}`,
  );
  return [head, ...lines].join('\n');
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'simulate the demo scenario, ingest it into DuckDB and show what is there (no server needed)',
    )
    .option('--out <dir>', 'where the simulated files and the database go', './distillguard-demo')
    .option('--seed <n>', 'random seed of the simulation', '7')
    .option('--scale <x>', 'multiply accounts and volume of the demo scenario', '1')
    .option('--quiet', 'no progress on stderr')
    .addHelpText(
      'after',
      '\nWrites DIR/exchanges.jsonl, accounts.jsonl, releases.jsonl, labels.jsonl and DIR/demo.duckdb\n' +
        '(rebuilt on every run), then prints the store by ground-truth archetype.\n',
    )
    .action(async (flags: DemoFlags) => {
      const seed = Number(flags.seed);
      const scale = Number(flags.scale);
      if (!Number.isSafeInteger(seed) || seed < 0)
        throw new UsageError('bad_option', `--seed must be a non-negative integer, got "${flags.seed}"`);
      if (!(scale > 0 && scale <= 10))
        throw new UsageError('bad_option', `--scale must be in (0, 10], got "${flags.scale}"`);
      const out = flags.out;
      const started = performance.now();

      process.stdout.write(`1/3 simulate: scenario demo, seed ${seed}, scale ${scale} → ${out}\n`);
      const simBar = createProgress({
        label: 'simulate',
        total: 100,
        show: (p) => `${p}%`,
        quiet: flags.quiet === true,
      });
      const sim = await simulate({
        scenario: 'demo',
        seed,
        scale,
        out,
        onProgress: (p) => simBar.update(Math.round(p.fraction * 100), `${n(p.exchanges)} exchanges`),
      });
      simBar.stop();
      process.stdout.write(
        `    ${n(sim.exchanges)} exchanges from ${n(sim.accounts)} accounts (${n(sim.attackAccounts)} attacking) ` +
          `in ${sim.seconds.toFixed(1)} s, ${sim.period.start} … ${sim.period.end}\n`,
      );

      const db = join(out, 'demo.duckdb');
      rmSync(db, { force: true });
      rmSync(`${db}.wal`, { force: true });
      process.stdout.write(`2/3 ingest → ${db}\n`);
      const store = await openDuckDbStore(db);
      try {
        const bar = ingestProgress(flags.quiet === true);
        const files = ['accounts', 'releases', 'labels', 'exchanges'].map((k) => join(out, `${k}.jsonl`));
        const summary = await ingestFiles(store, files, {
          rejectsPath: join(out, 'rejects.jsonl'),
          onProgress: bar.update,
        });
        bar.stop();
        process.stdout.write(`${formatIngestSummary(summary).replace(/^/gm, '    ')}\n`);

        process.stdout.write(
          '3/3 what the store holds, by ground-truth archetype (labels are for scoring only)\n',
        );
        const rows = await store.labelBreakdown();
        process.stdout.write(`${formatBreakdown(rows)}\n`);
        const range = await store.timeRange();
        const counts = await store.counts();
        process.stdout.write(
          `    ${n(counts.exchanges)} exchanges, ${n(counts.accounts)} accounts, ${n(counts.releases)} model releases` +
            (range ? `, ${new Date(range.min).toISOString()} … ${new Date(range.max).toISOString()}` : '') +
            '\n',
        );
      } finally {
        await store.close();
      }
      process.stdout.write(
        `done in ${((performance.now() - started) / 1000).toFixed(1)} s. ` +
          'Detection (`distillguard hunt`) is not built yet: see the README for what works today.\n',
      );
    });
}
