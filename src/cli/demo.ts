/**
 * `distillguard demo`: the main job end to end on the embedded default, with nothing to
 * install — simulate the demo scenario (traffic with ground truth), ingest what a provider
 * would have (never the labels) into a DuckDB file, hunt, show the campaigns found with their
 * top evidence, and score the verdicts against the ground truth.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { type ScoreReport, scoreFiles } from '../../bench/quality/index.js';
import { simulate } from '../../sim/index.js';
import { HUNT_STAGES, hunt, writeHuntOutputs } from '../engine/index.js';
import { ingestFiles, openDuckDbStore } from '../store/index.js';
import { formatCampaignTable, formatHuntSummary } from './hunt.js';
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

/** The few lines of the score a newcomer reads first. */
export function formatDemoScore(r: ScoreReport): string {
  const a = r.accounts;
  const at = (budget: number) => a.recallAtFpr.find((q) => q.fprBudget === budget);
  const pct = (x: number | null | undefined) =>
    x === null || x === undefined ? 'n/a' : `${(100 * x).toFixed(1)}%`;
  const lines = [
    `    accounts: ${a.attack} attacking, ${a.legit} genuine; flagged ${a.atVerdicts.flagged} (${a.atVerdicts.tp} attacking, ${a.atVerdicts.fp} genuine)`,
    `    recall ${pct(a.atVerdicts.recall)} at a false-positive rate of ${pct(a.atVerdicts.fpr)}; recall at FPR ≤ 0.1%: ${pct(at(0.001)?.recall)}`,
    `    true campaigns recovered: ${r.campaigns.found} of ${r.campaigns.trueCampaigns}; attackers among accounts in detected campaigns: ${pct(r.campaigns.detected.accountPrecision)}`,
  ];
  const rs = r.exchanges?.reseller;
  if (rs !== undefined && rs.harvestExchanges > 0)
    lines.push(
      `    reseller traffic: ${pct(rs.harvestRecall)} of harvest exchanges flagged, ${pct(rs.genuineFlaggedShare)} of their genuine exchanges`,
    );
  return lines.join('\n');
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'the main job end to end: simulate the demo scenario, ingest it, hunt, and score the result against the ground truth (no server needed)',
    )
    .option('--out <dir>', 'where the simulated files and the database go', './distillguard-demo')
    .option(
      '--seed <n>',
      'random seed of the simulation (11: the benchmark reporting seed, not the tuning seed 7)',
      '11',
    )
    .option('--scale <x>', 'multiply accounts and volume of the demo scenario', '1')
    .option('--quiet', 'no progress on stderr')
    .addHelpText(
      'after',
      '\nWrites DIR/exchanges.jsonl, accounts.jsonl, releases.jsonl, labels.jsonl, DIR/demo.duckdb\n' +
        '(rebuilt on every run) and DIR/hunt/ (verdicts, campaigns, exchange verdicts, report.md,\n' +
        'report.html). Labels are never ingested: hunt cannot see them; only step 4 reads them.\n',
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

      process.stdout.write(`1/4 simulate: scenario demo, seed ${seed}, scale ${scale} → ${out}\n`);
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
      process.stdout.write(
        `2/4 ingest → ${db} (exchanges, accounts, releases: what a provider has; labels stay out)\n`,
      );
      const store = await openDuckDbStore(db);
      const huntDir = join(out, 'hunt');
      try {
        const bar = ingestProgress(flags.quiet === true);
        const files = ['accounts', 'releases', 'exchanges'].map((k) => join(out, `${k}.jsonl`));
        const summary = await ingestFiles(store, files, {
          rejectsPath: join(out, 'rejects.jsonl'),
          onProgress: bar.update,
        });
        bar.stop();
        process.stdout.write(`${formatIngestSummary(summary).replace(/^/gm, '    ')}\n`);

        process.stdout.write(`3/4 hunt → ${huntDir}\n`);
        const source = store.features();
        const hbar = createProgress({
          label: 'hunt',
          total: HUNT_STAGES.length,
          quiet: flags.quiet === true,
        });
        const result = await hunt(source, { seed: 1, onStage: (st, i) => hbar.update(i, st) });
        const written = await writeHuntOutputs(result, source, huntDir, {
          source: db,
          command: 'distillguard demo',
          generatedAt: new Date().toISOString(),
        });
        hbar.stop();
        process.stdout.write(`${formatHuntSummary(result).replace(/^/gm, '    ')}\n\n`);
        process.stdout.write(`    campaigns found, strongest first, with their top evidence:\n`);
        process.stdout.write(`${formatCampaignTable(result, 10).replace(/^/gm, '  ')}\n`);
        process.stdout.write(`    report: ${written.reportHtml} (and report.md)\n`);

        process.stdout.write('4/4 score against the ground truth (labels.jsonl, read only now)\n');
        const report = await scoreFiles({
          labels: join(out, 'labels.jsonl'),
          verdicts: written.verdicts,
          campaigns: written.campaigns,
          exchanges: join(out, 'exchanges.jsonl'),
          ...(written.exchangeVerdicts === null ? {} : { exchangeVerdicts: written.exchangeVerdicts }),
        });
        process.stdout.write(`${formatDemoScore(report)}\n`);
      } finally {
        await store.close();
      }
      process.stdout.write(
        `done in ${((performance.now() - started) / 1000).toFixed(1)} s. ` +
          `Full score: distillguard score --labels ${join(out, 'labels.jsonl')} --verdicts ${join(huntDir, 'verdicts.jsonl')} --campaigns ${join(huntDir, 'campaigns.jsonl')}\n` +
          `Dashboard: distillguard serve --db ${db} --init-admin   (first run: prints the admin password; docs/dashboard.md)\n`,
      );
    });
}
