/**
 * `distillguard hunt --db PATH --out DIR`: finds, explains and groups distillation campaigns in
 * stored logs, and writes verdicts, campaigns, per-exchange verdicts of resellers and a report.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { HUNT_STAGES, type HuntResult, hunt, writeHuntOutputs } from '../engine/index.js';
import { openDuckDbStore } from '../store/index.js';
import { defaultFeedbackPath, FEEDBACK_FILE, feedbackFlag } from './feedback-flag.js';
import { DEFAULT_DB } from './ingest.js';
import { createProgress } from './progress.js';
import { UsageError } from './usage-error.js';

/** DuckDB's buffer pool for a hunt: its default (80% of RAM) let it cache every page it read,
 * 9.6 GiB at 11.7M exchanges; the queries spill to disk beyond this. */
export const HUNT_MEMORY_LIMIT = '3GB';

interface HuntFlags {
  memoryLimit: string;
  db: string;
  out: string;
  seed: string;
  top: string;
  feedback?: string;
  quiet?: boolean;
}

const HELP = `
Reads the exchanges, accounts and releases stored by \`distillguard ingest\` and writes to DIR:
  verdicts.jsonl           one line per account: score in [0,1], verdict, campaign, evidence
  campaigns.jsonl          one line per campaign of coordinated harvesting accounts
  exchange_verdicts.jsonl  per-exchange verdicts inside flagged multi-user accounts (resellers)
  report.md, report.html   the readable report (the HTML is self-contained)
Formats: docs/formats.md. How the score is built: docs/detection.md.

Works with whatever text the deployment stores: raw prompts, only prompt_fingerprint, or
neither; the report lists the signals that were unavailable. Labels, if ingested, are
never read (score the output with \`distillguard score\`).

Examples:
  distillguard hunt --db dg.duckdb --out hunt/
  distillguard score --labels data/labels.jsonl --verdicts hunt/verdicts.jsonl --campaigns hunt/campaigns.jsonl

Exit status: 0 done, 2 the database is missing or a flag is wrong.`;

export function formatCampaignTable(r: HuntResult, top: number): string {
  if (r.campaigns.length === 0) return '  (no campaigns)';
  const rows = r.campaigns.slice(0, top).map((c) => {
    const caps = Object.entries(c.capabilities)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 2)
      .map(([k, v]) => `${k} ${Math.round(v * 100)}%`)
      .join(', ');
    const ev = c.evidence.find((e) => e.signal !== 'link.harvesting_cluster') ?? c.evidence[0];
    return [
      c.campaign_id,
      c.score.toFixed(2),
      String(c.accounts.length),
      c.exchanges.toLocaleString('en-US'),
      caps,
      ev?.detail ?? '',
    ];
  });
  const head = ['campaign', 'score', 'accounts', 'exchanges', 'capabilities', 'top evidence'];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (i === 5 ? 0 : (r[i] ?? '').length))));
  const line = (cells: string[]) =>
    `  ${cells.map((c, i) => (i === 5 ? c : i >= 1 && i <= 3 ? c.padStart(w[i] ?? 0) : c.padEnd(w[i] ?? 0))).join('  ')}`;
  const more = r.campaigns.length > top ? [`  … ${r.campaigns.length - top} more in campaigns.jsonl`] : [];
  return [line(head), ...rows.map(line), ...more].join('\n');
}

export function formatHuntSummary(r: HuntResult): string {
  const counts = { clear: 0, watch: 0, throttle: 0, block: 0 };
  for (const v of r.verdicts) counts[v.verdict]++;
  const lines = [
    `${r.exchanges.toLocaleString('en-US')} exchanges, ${r.verdicts.length.toLocaleString('en-US')} accounts; text: ${r.textMode}`,
    `verdicts: ${counts.block} block, ${counts.throttle} throttle, ${counts.watch} watch, ${counts.clear} clear; ${r.campaigns.length} campaigns`,
  ];
  if (r.resellers.accounts.length > 0) {
    const ex = r.resellers.accounts.reduce((s, a) => s + a.exchanges, 0);
    const fl = r.resellers.accounts.reduce((s, a) => s + a.flagged, 0);
    lines.push(
      `multi-user accounts judged exchange by exchange: ${r.resellers.accounts.length} (${fl.toLocaleString('en-US')} of ${ex.toLocaleString('en-US')} exchanges flagged)`,
    );
  }
  if (r.unavailable.length > 0)
    lines.push(`signals unavailable: ${r.unavailable.map((u) => u.signal).join(', ')}`);
  return lines.join('\n');
}

export function registerHunt(program: Command): void {
  program
    .command('hunt')
    .description('find, explain and group distillation campaigns in stored logs')
    .option('--db <path>', 'DuckDB store written by `distillguard ingest`', DEFAULT_DB)
    .option('--out <dir>', 'directory for verdicts, campaigns and the report', './distillguard-hunt')
    .option('--seed <n>', 'seed of the clustering (same data + same seed = same output)', '1')
    .option('--top <n>', 'campaigns listed on stdout', '10')
    .option(
      '--memory-limit <size>',
      "DuckDB's memory limit for the run (it spills to disk beyond)",
      HUNT_MEMORY_LIMIT,
    )
    .option(
      '--feedback <file>',
      `analysts' decisions from the dashboard (default: ${FEEDBACK_FILE} beside the database, if present)`,
    )
    .option('--quiet', 'no progress on stderr')
    .addHelpText('after', HELP)
    .action(async (flags: HuntFlags) => {
      const seed = Number(flags.seed);
      if (!Number.isSafeInteger(seed) || seed < 0)
        throw new UsageError('bad_option', `--seed must be a non-negative integer, got "${flags.seed}"`);
      const top = Number(flags.top);
      if (!Number.isSafeInteger(top) || top < 0)
        throw new UsageError('bad_option', `--top must be a non-negative integer, got "${flags.top}"`);
      if (!/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i.test(flags.memoryLimit))
        throw new UsageError(
          'bad_option',
          `--memory-limit must be a size such as 3GB or 512MB, got "${flags.memoryLimit}"`,
        );
      if (flags.db !== ':memory:' && !existsSync(flags.db))
        throw new UsageError(
          'missing_argument',
          `no database at ${flags.db} (create one with \`distillguard ingest FILE… --db ${flags.db}\`)`,
        );
      const fb = await feedbackFlag(
        flags.feedback,
        flags.db === ':memory:' ? null : defaultFeedbackPath(flags.db),
      );
      const started = performance.now();
      const store = await openDuckDbStore(flags.db, { config: { memory_limit: flags.memoryLimit } });
      try {
        const source = store.features();
        const bar = createProgress({ label: 'hunt', total: HUNT_STAGES.length, quiet: flags.quiet === true });
        const result = await hunt(source, {
          seed,
          onStage: (s, i) => bar.update(i, s),
          ...(fb === null ? {} : { feedback: fb.feedback }),
        });
        bar.update(HUNT_STAGES.length, 'writing');
        const files = await writeHuntOutputs(result, source, flags.out, {
          source: flags.db,
          command: `distillguard ${process.argv.slice(2).join(' ')}`,
          generatedAt: new Date().toISOString(),
        });
        bar.stop();
        if (fb !== null) process.stdout.write(`analysts' feedback applied: ${fb.path}\n`);
        process.stdout.write(`${formatHuntSummary(result)}\n\n${formatCampaignTable(result, top)}\n\n`);
        process.stdout.write(
          `wrote ${[files.verdicts, files.campaigns, files.exchangeVerdicts, files.reportMd, files.reportHtml].filter((f) => f !== null).join(', ')}\n` +
            `in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
        );
      } finally {
        await store.close();
      }
    });
}
